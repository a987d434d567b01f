"""Dates and money helpers for the Partner Center sandbox (terms, billing cycles, proration)."""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

CENT = Decimal("0.01")
TERM_MONTHS = {"P1M": 1, "P1Y": 12, "P3Y": 36}
CYCLE_MONTHS = {"monthly": 1, "annual": 12, "triennial": 36}
TRIAL_DAYS = 30
CANCELLATION_WINDOW = timedelta(days=7)


def add_months(anchor: date, months: int) -> date:
    """The same day `months` later, clamped to the month's last day (Jan 31 + 1 → Feb 28)."""
    month_index = anchor.month - 1 + months
    year, month = anchor.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(anchor.day, calendar.monthrange(year, month)[1]))


def midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


def iso(at: datetime) -> str:
    """Partner Center's wire format: UTC, seconds, a trailing Z."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_date(day: date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def exact(at: datetime) -> str:
    """Stored form: full precision, so windows compare exactly."""
    return at.astimezone(UTC).isoformat()


def money(amount: Decimal | Fraction | int) -> Decimal:
    """Quantise once, half up, to cents."""
    if isinstance(amount, Fraction):
        amount = Decimal(amount.numerator) / Decimal(amount.denominator)
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)


def json_number(amount: Decimal) -> int | float:
    """Decimals go out as JSON numbers where the reference shows numbers (2-decimal values round-trip)."""
    return int(amount) if amount == amount.to_integral_value() else float(amount)
