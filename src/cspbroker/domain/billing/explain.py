"""The one-line explanation every charge carries (feature X1), derived from the line alone.

"3 × 12.50 EUR × 17/30 days (added 14 Oct, period 1 Oct–30 Oct 2026)": quantity, unit price,
the days charged out of the period's days (deliberately not reduced), what happened and when.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache

from cspbroker.domain.billing.lines import ChargeLine, ChargeType
from cspbroker.domain.money import Money
from cspbroker.domain.periods import Period, charge_cycle_days

# Not calendar.month_abbr: that follows the process locale, and invoices must not change with it.
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

_EVENTS = {
    ChargeType.NEW: "new",
    ChargeType.CYCLE_CHARGE: "",
    ChargeType.RENEW: "renewed",
    ChargeType.ADD_QUANTITY: "added",
    ChargeType.REMOVE_QUANTITY: "removed",
    ChargeType.MOVE_QUANTITY: "moved",
    ChargeType.CANCEL_IMMEDIATE: "cancelled",
    ChargeType.CONVERT: "converted",
    ChargeType.CHANGE_BILLING_PLAN: "billing plan changed",
    ChargeType.CUSTOMER_CREDIT: "billing stopped",
    ChargeType.EXTEND_TERM: "trial extended",
    ChargeType.USAGE: "used",
}


def explain_line(line: ChargeLine) -> str:
    """The X1 text of `line`; a refund held back by the cap says so."""
    days = (
        Fraction(1)
        if line.active == line.period
        else Fraction(line.active.days, charge_cycle_days(line.period))
    )
    full = line.unit_price * abs(line.quantity) * days
    capped = abs(line.amount) != full.rounded()
    return describe(
        line.charge_type,
        line.quantity,
        line.unit_price,
        line.period,
        line.active,
        line.effective_on,
        capped_at=abs(line.amount) if capped else None,
    )


def describe(
    charge_type: ChargeType,
    quantity: int,
    unit_price: Money,
    period: Period,
    active: Period,
    effective_on: date,
    *,
    capped_at: Money | None = None,
) -> str:
    """The explanation of a line with these fields; `capped_at` when the amount differs from the formula."""
    formula = f"{quantity} × {_price(unit_price)}"
    if active != period:
        formula += f" × {active.days}/{charge_cycle_days(period)} days"
    if capped_at is not None:
        # Refunds never exceed what was charged; a same-day re-add charges back exactly what was refunded.
        formula += (
            f", limited to the {capped_at} left of the charge"
            if quantity < 0
            else f", limited to the {capped_at} refunded"
        )
    if period.days == 1:
        # A one-time purchase: its "period" is the day itself.
        event = "bought" if charge_type is ChargeType.NEW else _EVENTS[charge_type]
        return f"{formula} ({event} {_day(effective_on, True)})"
    if charge_type is ChargeType.CYCLE_CHARGE:
        # A cycle charge is nothing but the period itself.
        return f"{formula} (period {_date_range(period)})"
    event = f"{_EVENTS[charge_type]} {_day(effective_on, effective_on.year != period.last_day.year)}"
    if active.start != effective_on:
        # Seats added and removed on one day go back over the days they were charged for.
        event += f", from {_day(active.start, False)}"
    return f"{formula} ({event}, period {_date_range(period)})"


# Explanations repeat the same prices and dates line after line; formatting them once is cheaper.
def _price(unit_price: Money) -> str:
    # Keyed on the digits, not the Money: 12.5 and 12.500 are equal amounts but print differently.
    return _price_text(str(unit_price.amount), unit_price.currency)


@lru_cache(maxsize=1 << 12)
def _price_text(digits: str, currency: str) -> str:
    return str(Money(Decimal(digits), currency))


@lru_cache(maxsize=1 << 14)
def _date_range(period: Period) -> str:
    first, last = period.start, period.last_day
    return f"{_day(first, first.year != last.year)}–{_day(last, True)}"


@lru_cache(maxsize=1 << 14)
def _day(day: date, with_year: bool) -> str:
    text = f"{day.day} {_MONTHS[day.month - 1]}"
    return f"{text} {day.year}" if with_year else text
