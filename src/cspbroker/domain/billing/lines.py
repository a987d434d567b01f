"""Charge lines: what a customer is charged, one line per Microsoft charge type.

Each line mirrors a Partner Center reconciliation `chargeType`, so that it can be matched later
with Microsoft's own line for the same subscription and dates (feature X2).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from cspbroker.domain.money import Money
from cspbroker.domain.periods import Period


class ChargeType(StrEnum):
    """The `ChargeType` values of Microsoft's new-commerce reconciliation file, spelled as it spells them
    (learn.microsoft.com/partner-center/billing/recon-file-charge-types), so that every line can be
    matched with Microsoft's own line for the same subscription, type and charge period (X2)."""

    NEW = "new"  # a new subscription, and a one-time (perpetual) purchase
    RENEW = "renew"  # the first charge of a renewed term
    CYCLE_CHARGE = "cycleCharge"  # the regular charge of each later billing period of a term
    ADD_QUANTITY = "addQuantity"  # seats added mid-period
    REMOVE_QUANTITY = "removeQuantity"  # seats removed mid-period (refunded inside their window)
    MOVE_QUANTITY = "moveQuantity"  # an upgrade into an existing subscription
    CANCEL_IMMEDIATE = "cancelImmediate"  # a cancellation (refunded inside its window)
    CONVERT = "convert"  # a trial converted to paid, or an upgrade to a new subscription
    CHANGE_BILLING_PLAN = "changeBillingPlan"  # monthly ↔ annual billing
    CUSTOMER_CREDIT = "customerCredit"  # a credit; here: billing stopped for a service managed elsewhere
    EXTEND_TERM = "extendTerm"  # a longer trial
    # Rated usage lines come from the usage import, not from the subscription history.
    USAGE = "usage"


# Charge types stored before the names followed Microsoft's current list; they mean the same.
LEGACY_CHARGE_TYPES = {"cancel": ChargeType.CANCEL_IMMEDIATE, "oneTime": ChargeType.NEW}


LineKey = tuple[int, ChargeType, date, date, int]


@dataclass(frozen=True, slots=True)
class ChargeLine:
    """One charge: `quantity` × `unit_price` over `active`, the charged part of the billing `period`.

    Refunds have a negative quantity and amount. `effective_on` is the day the charge arose (the
    period's start, or the day of the change); the bill of the cycle containing that day carries it.
    `sequence` tells apart several lines of one type in one period, in the order they arose.
    """

    subscription_id: int
    product: str
    charge_type: ChargeType
    quantity: int
    unit_price: Money
    period: Period
    active: Period
    amount: Money
    price_source: str
    explanation: str
    sequence: int
    effective_on: date
    # Our cost per unit (the term's locked cost) and for the same seats and days (staff only; None
    # when the cost is unknown).
    unit_cost: Money | None = None
    cost: Money | None = None

    @property
    def currency(self) -> str:
        return self.amount.currency

    @property
    def key(self) -> LineKey:
        """The identity the database keeps UNIQUE, so that recomputing never inserts a line twice."""
        return (self.subscription_id, self.charge_type, self.period.start, self.period.end, self.sequence)


@dataclass(frozen=True, slots=True)
class LineDiff:
    """`missing`: computed lines not stored yet; `stale`: stored lines the history no longer gives."""

    missing: tuple[ChargeLine, ...]
    stale: tuple[ChargeLine, ...]


def diff_lines(stored: Iterable[ChargeLine], computed: Iterable[ChargeLine]) -> LineDiff:
    """Compare what was stored with what the history gives now, line for line (as multisets).

    With a history that only grows in date order, `stale` is always empty. A change recorded late,
    with an earlier date (a provider-side change seen days later), can alter lines already billed:
    they come back as `stale` so that the caller corrects them with a credit note instead of
    silently keeping both versions.
    """
    stored_lines = list(stored)
    computed_lines = list(computed)
    stored_count, computed_count = Counter(stored_lines), Counter(computed_lines)
    missing = computed_count - stored_count
    stale = stored_count - computed_count
    return LineDiff(missing=_in_order(computed_lines, missing), stale=_in_order(stored_lines, stale))


def _in_order(lines: list[ChargeLine], wanted: Counter[ChargeLine]) -> tuple[ChargeLine, ...]:
    remaining = Counter(wanted)
    picked = []
    for line in lines:
        if remaining[line] > 0:
            remaining[line] -= 1
            picked.append(line)
    return tuple(picked)
