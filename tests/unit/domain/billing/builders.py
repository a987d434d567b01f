"""Small builders for billing tests: a history in one line, and lines as comparable rows."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from cspbroker.domain.billing import (
    ChargeLine,
    ChargeType,
    PricePoint,
    QuantityChange,
    StatusChange,
    SubscriptionHistory,
    Term,
)
from cspbroker.domain.money import Money
from cspbroker.domain.periods import Frequency, add_months_clamped

Row = tuple[str, int, str, str, str]


def history(
    start: date,
    quantities: Iterable[tuple[date, int] | tuple[date, int, bool]],
    prices: Iterable[tuple[date, str] | tuple[date, str, str]] = (),
    *,
    currency: str = "EUR",
    frequency: Frequency | None = Frequency.MONTHLY,
    term_months: int = 12,
    statuses: Iterable[tuple[date, str] | tuple[date, str, bool] | tuple[date, str, bool, bool]] = (),
    trial_converted_on: date | None = None,
    is_trial: bool = False,
    subscription_id: int = 1,
    product: str = "Microsoft 365 E3",
    renewals: int = 12,
) -> SubscriptionHistory:
    """Quantities as (day, new total[, refundable]); prices as (from, amount[, source]).

    The prices act as the subscription's own prices from their days, and each term locks the one in
    force on its first day; the first term renews `renewals` times (the platform records each renewal
    as a term; here they are given up front).
    """
    points = tuple(
        PricePoint(entry[0], Money.of(entry[1], currency), entry[2] if len(entry) > 2 else "price list")
        for entry in prices
    )
    return SubscriptionHistory(
        subscription_id=subscription_id,
        product=product,
        currency=currency,
        terms=terms(
            start,
            points,
            frequency=frequency,
            term_months=term_months,
            renewals=renewals,
            is_trial=is_trial or trial_converted_on is not None,
            trial_converted_on=trial_converted_on,
        ),
        quantity_ledger=tuple(QuantityChange(*entry) for entry in quantities),
        status_changes=tuple(StatusChange(*entry) for entry in statuses),  # type: ignore[arg-type]
        prices=points,
    )


def locked(points: tuple[PricePoint, ...], day: date) -> PricePoint | None:
    """The price in force on `day` among `points`, as a term starting that day locks it."""
    earlier = [point for point in points if point.effective_from <= day]
    return PricePoint(day, earlier[-1].unit_price, earlier[-1].source) if earlier else None


def terms(
    start: date,
    points: tuple[PricePoint, ...],
    *,
    frequency: Frequency | None,
    term_months: int,
    renewals: int = 12,
    is_trial: bool = False,
    trial_converted_on: date | None = None,
) -> tuple[Term, ...]:
    if frequency is None:
        return (Term(start, 0, None, locked(points, start)),)
    result: list[Term] = []
    anchor, opening = start, ChargeType.NEW
    if is_trial:
        result.append(Term(start, 1, Frequency.MONTHLY, None, is_trial=True))
        if trial_converted_on is None:
            return tuple(result)
        anchor, opening = trial_converted_on, ChargeType.CONVERT
    for number in range(renewals + 1):
        term_start = add_months_clamped(anchor, number * term_months)
        kind = opening if number == 0 else ChargeType.RENEW
        result.append(
            Term(term_start, term_months, frequency, locked(points, term_start), kind, anchor=anchor)
        )
    return tuple(result)


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
