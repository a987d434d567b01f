"""The bill effect of a proposed change, before anyone confirms it (feature X6; S2's new monthly cost).

Nothing is written: the charges are computed with and without the change and compared, so the
preview can never disagree with what billing will do once the change is recorded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from cspbroker.domain.billing.charges import compute_charges
from cspbroker.domain.billing.history import Change, SubscriptionHistory
from cspbroker.domain.billing.lines import ChargeLine, diff_lines
from cspbroker.domain.money import Money


@dataclass(frozen=True, slots=True)
class PreviewResult:
    """`added`: the lines the change would add; `withdrawn`: lines it would undo (only a back-dated
    change has any); `net`: their total effect on the customer's bills."""

    added: tuple[ChargeLine, ...]
    withdrawn: tuple[ChargeLine, ...]
    net: Money
    quantity_before: int
    quantity_after: int
    monthly_cost_before: Money
    monthly_cost_after: Money


def preview_change(history: SubscriptionHistory, change: Change, on: date) -> PreviewResult:
    """What recording `change` would do to the charges up to `on`, and to the monthly cost on `on`."""
    proposed = history.with_change(change)
    diff = diff_lines(compute_charges(history, on), compute_charges(proposed, on))
    currency = history.currency
    net = Money.sum((line.amount for line in diff.missing), currency) - Money.sum(
        (line.amount for line in diff.stale), currency
    )
    return PreviewResult(
        added=diff.missing,
        withdrawn=diff.stale,
        net=net,
        quantity_before=history.quantity_on(on),
        quantity_after=proposed.quantity_on(on),
        monthly_cost_before=monthly_cost(history, on),
        monthly_cost_after=monthly_cost(proposed, on),
    )


def monthly_cost(history: SubscriptionHistory, day: date) -> Money:
    """The recurring cost per month for the quantity and price in force on `day`.

    An annual or triennial price is spread over its months (rounded once). A trial not yet
    converted, a one-time purchase and a subscription whose billing has ended cost nothing a month.
    """
    term = history.term_on(day)
    quantity = history.quantity_on(day)
    if (
        term is None
        or term.is_trial
        or term.frequency is None
        or quantity == 0
        or history.billing_ended_by(day)
    ):
        return Money.zero(history.currency)
    price = history.price_on(day).unit_price
    return (price * quantity / term.frequency.months).rounded()
