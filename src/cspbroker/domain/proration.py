"""Proration by days: a charge for the part of a billing period that a quantity was active.

The fraction stays an exact `Fraction` (17/30, never 0.5666…) and the amount is rounded once, at
the end, by `Money`'s single rounding rule. Days are whole calendar days in the reseller's time
zone, the way Microsoft CSP partners reason about dates and the way an invoice line can explain.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from itertools import pairwise

from cspbroker.domain.errors import InvalidAmount, InvalidPeriod
from cspbroker.domain.money import Money, allocate
from cspbroker.domain.periods import Period

# Not calendar.month_abbr: that follows the process locale, and invoices must not change with it.
_MONTH_ABBREVIATIONS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True, slots=True)
class Charge:
    """One charge line: `quantity` × `unit_price` over `active`, a part of the billing `period`."""

    amount: Money
    quantity: int
    unit_price: Money
    fraction: Fraction
    period: Period
    active: Period
    explanation: str


def prorate(unit_price: Money, quantity: int, period: Period, active: Period) -> Charge:
    """Charge for `quantity` units over the part of `period` that `active` covers, by days.

    A negative quantity (a reduction or a refund) gives the exact negative of the same positive
    charge, because rounding is symmetric: a change and its reversal on the same day net to zero.
    """
    _check_quantity(quantity)
    if not period.encloses(active):
        raise InvalidPeriod(f"The active days {active} lie outside the period {period}.", field="active")
    fraction = Fraction(active.days, period.days)
    amount = (unit_price * quantity * fraction).rounded()
    return Charge(
        amount=amount,
        quantity=quantity,
        unit_price=unit_price,
        fraction=fraction,
        period=period,
        active=active,
        explanation=explain(quantity, unit_price, active, period),
    )


def prorate_parts(unit_price: Money, quantity: int, period: Period, parts: Sequence[Period]) -> list[Charge]:
    """Split one period's full charge over `parts` that tile it, so the parts add up exactly.

    Prorating each part on its own may leave the sum one minor unit away from the full charge;
    here the full charge is rounded once and shared by days with largest-remainder allocation.
    """
    _check_tiling(period, parts)
    full = prorate(unit_price, quantity, period, period)
    shares = allocate(full.amount, [part.days for part in parts])
    return [
        Charge(
            amount=share,
            quantity=quantity,
            unit_price=unit_price,
            fraction=Fraction(part.days, period.days),
            period=period,
            active=part,
            explanation=explain(quantity, unit_price, part, period),
        )
        for part, share in zip(parts, shares, strict=True)
    ]


def explain(quantity: int, unit_price: Money, active: Period, period: Period) -> str:
    """ "3 × 12.50 EUR × 17/30 days" — 17 of 30 days, so the fraction is deliberately not reduced."""
    if active == period:
        return f"{quantity} × {unit_price}"
    return f"{quantity} × {unit_price} × {active.days}/{period.days} days"


def describe_dates(active: Period, period: Period) -> str:
    """ "(14 Oct–30 Oct 2026 of period 1 Oct–30 Oct 2026)", in English, to follow an explanation."""
    return f"({_date_range(active)} of period {_date_range(period)})"


def _date_range(period: Period) -> str:
    first, last = period.start, period.last_day
    if first == last:
        return _day(first, with_year=True)
    return f"{_day(first, with_year=first.year != last.year)}–{_day(last, with_year=True)}"


def _day(day: date, *, with_year: bool) -> str:
    text = f"{day.day} {_MONTH_ABBREVIATIONS[day.month - 1]}"
    return f"{text} {day.year}" if with_year else text


def _check_quantity(quantity: int) -> None:
    if isinstance(quantity, bool) or not isinstance(quantity, int):
        raise InvalidAmount(f"A quantity is a whole number of licences, not {quantity!r}.", field="quantity")


def _check_tiling(period: Period, parts: Sequence[Period]) -> None:
    """The parts must cover `period` in order, with no gap and no overlap."""
    boundaries_meet = all(left.end == right.start for left, right in pairwise(parts))
    if not parts or parts[0].start != period.start or parts[-1].end != period.end or not boundaries_meet:
        shown = ", ".join(str(part) for part in parts) or "nothing"
        raise InvalidPeriod(f"The parts ({shown}) do not cover the period {period} exactly.", field="parts")
