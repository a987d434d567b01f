"""A customer's bill for one cycle of its reseller's Microsoft billing day (feature B1).

The bill collects the lines that arose in the cycle (`ChargeLine.effective_on`), grouped per
subscription. A line's `effective_on` is its active start, except for a refund, which starts the
day after the change: dating by the change keeps a decrease made on the cycle's last day on that
cycle's bill, and makes a cycle complete once charges were computed through its last day. Totals
are exact sums of lines rounded once each, so the bill always adds up to the cent.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from itertools import groupby

from cspbroker.domain.billing.lines import ChargeLine
from cspbroker.domain.errors import CurrencyMismatch, UnknownCurrency
from cspbroker.domain.money import Money, currency_code
from cspbroker.domain.periods import BillingCycle


@dataclass(frozen=True, slots=True)
class SubscriptionCharges:
    """One subscription's lines on a bill, in the order they arose, and their subtotal."""

    subscription_id: int
    product: str
    lines: tuple[ChargeLine, ...]
    subtotal: Money


@dataclass(frozen=True, slots=True)
class Bill:
    """One bill: one cycle, one currency, subscriptions in id order."""

    cycle: BillingCycle
    currency: str
    subscriptions: tuple[SubscriptionCharges, ...]
    total: Money

    @property
    def bill_date(self) -> date:
        """The day after the cycle ends (a cycle ending on the 15th gives a bill dated the 16th)."""
        return self.cycle.bill_date

    @property
    def lines(self) -> tuple[ChargeLine, ...]:
        return tuple(line for subscription in self.subscriptions for line in subscription.lines)


def bill_for_cycle(lines: Iterable[ChargeLine], cycle: BillingCycle, *, currency: str | None = None) -> Bill:
    """The bill of `cycle` from `lines` (any lines: those of other cycles are left out).

    All of the cycle's lines must be in one currency, `currency` when given (needed for a bill
    without lines); a customer billed in two currencies gets two bills, never a mixed one.
    """
    return bill_of(
        [line for line in lines if cycle.period.contains(line.effective_on)], cycle, currency=currency
    )


def bill_of(lines: Iterable[ChargeLine], cycle: BillingCycle, *, currency: str | None = None) -> Bill:
    """The bill of `cycle` holding exactly `lines` — those that arose in it, and adjustments for earlier
    periods posted on it."""
    on_bill = list(lines)
    bill_currency = _bill_currency(on_bill, currency)
    on_bill.sort(key=lambda line: (line.subscription_id, line.effective_on))
    subscriptions = tuple(
        _subscription_charges(tuple(group), bill_currency)
        for _, group in groupby(on_bill, key=lambda line: line.subscription_id)
    )
    total = Money.sum((subscription.subtotal for subscription in subscriptions), bill_currency)
    return Bill(cycle=cycle, currency=bill_currency, subscriptions=subscriptions, total=total)


def _bill_currency(lines: list[ChargeLine], currency: str | None) -> str:
    expected = currency_code(currency) if currency is not None else None
    for line in lines:
        if expected is None:
            expected = line.currency
        elif line.currency != expected:
            raise CurrencyMismatch(
                f"Subscription {line.subscription_id} is charged in {line.currency}, but this bill is in "
                f"{expected}: one bill per currency.",
                field="currency",
            )
    if expected is None:
        raise UnknownCurrency("A bill without lines needs its currency.", field="currency")
    return expected


def _subscription_charges(lines: tuple[ChargeLine, ...], currency: str) -> SubscriptionCharges:
    return SubscriptionCharges(
        subscription_id=lines[0].subscription_id,
        product=lines[0].product,
        lines=lines,
        subtotal=Money.sum((line.amount for line in lines), currency),
    )
