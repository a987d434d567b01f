"""Late changes become adjustments: what to post so that the lines charged equal what the ledger says.

A billing run for one cycle recomputes, from the whole ledger, what every open period of a subscription
should have been (`expected`), compares it with what was already charged on any bill (`stored`), and
settles the difference on the run's own bill (Kill Bill's repair items):

- a line missing from what was charged is posted: as an ordinary line when it arose in the run's cycle,
  as an *adjustment* naming the period and the change it corrects when it arose in an earlier one;
- a line charged that the ledger no longer gives is withdrawn: deleted when it sits on the run's own
  open bill, else *reversed* by a line of the opposite amount on the run's bill (an issued bill never
  changes).

Lines are compared by what they charge (type, period, days, quantity, unit price, amount), as
multisets, so settling twice posts nothing the second time, and a stored line's own id is never
needed to decide. Reversed lines and their reversals cancel out before comparing.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from cspbroker.domain.billing.lines import LEGACY_CHARGE_TYPES, ChargeLine, ChargeType
from cspbroker.domain.money import Money
from cspbroker.domain.periods import Period


class LineKind(StrEnum):
    CHARGE = "charge"  # arose in the cycle of the bill it is on
    ADJUSTMENT = "adjustment"  # a late change's line, posted on a later bill
    REVERSAL = "reversal"  # withdraws a line of an earlier bill


Signature = tuple[str, date, date, date, date, int, Money, Money, date]


def signature(line: ChargeLine) -> Signature:
    """What a line charges; legacy names of the same charge types compare equal."""
    charge_type = LEGACY_CHARGE_TYPES.get(str(line.charge_type), line.charge_type)
    return (
        str(charge_type),
        line.period.start,
        line.period.end,
        line.active.start,
        line.active.end,
        line.quantity,
        line.unit_price,
        line.amount,
        line.effective_on,
    )


@dataclass(frozen=True, slots=True)
class StoredLine:
    """A line already charged: `on_run_bill` when it sits on the run's own (open) bill."""

    id: int
    line: ChargeLine
    kind: LineKind
    on_run_bill: bool
    reverses: int | None = None


@dataclass(frozen=True, slots=True)
class Posting:
    """A line to post on the run's bill, and the stored line it reverses (for a reversal)."""

    line: ChargeLine
    kind: LineKind
    reverses: int | None = None


@dataclass(frozen=True, slots=True)
class Settlement:
    post: tuple[Posting, ...]
    delete: tuple[int, ...]  # ids of stale lines on the run's own bill

    @property
    def is_empty(self) -> bool:
        return not self.post and not self.delete


def settle(
    expected: Iterable[ChargeLine], stored: Iterable[StoredLine], *, cycle: Period, correction: str = ""
) -> Settlement:
    """What to post on the run's bill (cycle `cycle`) so that the net stored lines equal `expected`.

    `correction` names the change that made the difference ("+2 seats from 5 Oct, recorded 9 Nov"); it
    leads the explanation of every adjustment and reversal.
    """
    stored_lines = list(stored)
    reversed_ids = {line.reverses for line in stored_lines if line.kind is LineKind.REVERSAL}
    live = [
        line for line in stored_lines if line.kind is not LineKind.REVERSAL and line.id not in reversed_ids
    ]
    wanted = list(expected)
    missing = Counter(signature(line) for line in wanted)
    missing.subtract(signature(line.line) for line in live)
    stale = Counter({key: -count for key, count in missing.items() if count < 0})
    additions: list[Posting] = []
    reversals: list[Posting] = []
    deletions: list[int] = []
    for line in wanted:
        key = signature(line)
        if missing[key] > 0:
            missing[key] -= 1
            additions.append(_addition(line, cycle, correction))
    # Withdraw the newest stale lines first: the most recent postings are the likeliest to be undone.
    for candidate in sorted(live, key=lambda stored_line: stored_line.id, reverse=True):
        key = signature(candidate.line)
        if stale[key] > 0:
            stale[key] -= 1
            if candidate.on_run_bill:
                deletions.append(candidate.id)
            else:
                reversals.append(_reversal(candidate, correction))
    # A withdrawn line reads before the line that replaces it.
    return Settlement((*reversals[::-1], *additions), tuple(sorted(deletions)))


def _addition(line: ChargeLine, cycle: Period, correction: str) -> Posting:
    if cycle.contains(line.effective_on):
        return Posting(line, LineKind.CHARGE)
    text = (
        f"Correction: {correction}: {line.explanation}" if correction else f"Correction: {line.explanation}"
    )
    return Posting(dataclasses.replace(line, explanation=text), LineKind.ADJUSTMENT)


def _reversal(stored: StoredLine, correction: str) -> Posting:
    line = stored.line
    reason = f" ({correction})" if correction else ""
    reversal = dataclasses.replace(
        line,
        quantity=-line.quantity,
        amount=-line.amount,
        cost=None if line.cost is None else -line.cost,
        explanation=f"Withdrawn{reason}: {line.explanation}",
    )
    return Posting(reversal, LineKind.REVERSAL, reverses=stored.id)


def legacy_type(value: str) -> ChargeType:
    """A stored charge type, read with its current name."""
    return LEGACY_CHARGE_TYPES.get(value) or ChargeType(value)
