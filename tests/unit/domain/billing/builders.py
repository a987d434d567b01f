"""Small builders for billing tests: a history in one line, and lines as comparable rows."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from cspbroker.domain.billing import (
    ChargeLine,
    PricePoint,
    QuantityChange,
    StatusChange,
    SubscriptionHistory,
)
from cspbroker.domain.money import Money
from cspbroker.domain.periods import Frequency

Row = tuple[str, int, str, str, str]


def history(
    start: date,
    quantities: Iterable[tuple[date, int] | tuple[date, int, bool]],
    prices: Iterable[tuple[date, str] | tuple[date, str, str]] = (),
    *,
    currency: str = "EUR",
    frequency: Frequency | None = Frequency.MONTHLY,
    term_months: int = 12,
    statuses: Iterable[tuple[date, str] | tuple[date, str, bool]] = (),
    trial_converted_on: date | None = None,
    is_trial: bool = False,
    subscription_id: int = 1,
    product: str = "Microsoft 365 E3",
) -> SubscriptionHistory:
    """Quantities as (day, new total[, refundable]); prices as (from, amount[, source])."""
    return SubscriptionHistory(
        subscription_id=subscription_id,
        product=product,
        currency=currency,
        start=start,
        billing_frequency=frequency,
        term_months=term_months,
        is_trial=is_trial or trial_converted_on is not None,
        quantity_ledger=tuple(QuantityChange(*entry) for entry in quantities),
        status_changes=tuple(StatusChange(*entry) for entry in statuses),  # type: ignore[arg-type]
        prices=tuple(
            PricePoint(entry[0], Money.of(entry[1], currency), entry[2] if len(entry) > 2 else "price list")
            for entry in prices
        ),
        converted_from_trial_on=trial_converted_on,
    )


def row(line: ChargeLine) -> Row:
    """(type, quantity, amount, active days, period) with inclusive ranges: what a person checks."""
    return (
        line.charge_type.value,
        line.quantity,
        str(line.amount),
        f"{line.active.start}..{line.active.last_day}",
        f"{line.period.start}..{line.period.last_day}",
    )


def rows(lines: Iterable[ChargeLine]) -> list[Row]:
    return [row(line) for line in lines]


def total(lines: Iterable[ChargeLine], currency: str = "EUR") -> Money:
    return Money.sum((line.amount for line in lines), currency)
