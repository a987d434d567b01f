"""Billing periods, always computed from the anchor date and never chained from the previous period.

Chaining (`next_start = previous_end + 1 month`) drifts: Jan 31 → Feb 28 → Mar 28 loses the 31st for
ever (Lago #1567, Kill Bill #127). Computing period n as `anchor + n months`, with the anchor's
day clamped to the target month's length, gives Jan 31 → Feb 28 → Mar 31 and periods that tile
exactly. Periods are half-open, [start, end): `end` is the first day no longer covered.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from functools import lru_cache

from cspbroker.domain.errors import InvalidBillingDay, InvalidFrequency, InvalidPeriod

# The zone billing days are counted in. Microsoft's are UTC days: a subscription's start and term end,
# each charge's start and end in the reconciliation file, the billing cycle's boundaries. Counting
# them in the reseller's zone would move a change made at 00:30 in Berlin (23:30 UTC) to the next
# day, and its charge away from Microsoft's by a day. Organisations' own zones date documents and
# show moments.
BILLING_TIME_ZONE = "UTC"

_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True, order=True)
class Period:
    """The days from `start` up to, but not including, `end`."""

    start: date
    end: date

    def __post_init__(self) -> None:
        # A datetime is a date too, but a period of datetimes would compare times of day.
        for name in ("start", "end"):
            value = getattr(self, name)
            if not isinstance(value, date) or isinstance(value, datetime):
                raise InvalidPeriod(f"A period {name} must be a date, not {value!r}.", field=name)
        if self.end <= self.start:
            raise InvalidPeriod(f"A period must end after it starts ({self.start} to {self.end}).")

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    @property
    def last_day(self) -> date:
        """The last day covered: what an invoice shows as "to"."""
        return self.end - _ONE_DAY

    def contains(self, day: date) -> bool:
        return self.start <= day < self.end

    def encloses(self, other: Period) -> bool:
        """Whether every day of `other` lies in this period."""
        return self.start <= other.start and other.end <= self.end

    def overlap(self, other: Period) -> Period | None:
        start, end = max(self.start, other.start), min(self.end, other.end)
        return Period(start, end) if start < end else None

    def split_at(self, day: date) -> tuple[Period, Period]:
        """[start, day) and [day, end); `day` must leave both parts at least one day long."""
        if not self.start < day < self.end:
            raise InvalidPeriod(f"Cannot split {self} at {day}: the day must fall inside.", field="day")
        return Period(self.start, day), Period(day, self.end)

    def __str__(self) -> str:
        return f"{self.start.isoformat()}–{self.last_day.isoformat()}"


class Frequency(StrEnum):
    """How often a subscription is billed; the values are Partner Center's `billingCycle` names."""

    MONTHLY = "monthly"
    ANNUAL = "annual"
    TRIENNIAL = "triennial"

    @property
    def months(self) -> int:
        return _MONTHS[self]

    @property
    def iso_duration(self) -> str:
        return "P1M" if self is Frequency.MONTHLY else f"P{self.months // 12}Y"

    @classmethod
    def from_months(cls, months: int) -> Frequency:
        for frequency in cls:
            if frequency.months == months:
                return frequency
        raise InvalidFrequency(f"No billing frequency lasts {months} months.", field="billing_cycle")

    @classmethod
    def from_iso_duration(cls, duration: str) -> Frequency:
        """ "P1M" → MONTHLY, "P1Y" (or "P12M") → ANNUAL, "P3Y" → TRIENNIAL."""
        return cls.from_months(term_months(duration))

    @classmethod
    def from_billing_cycle(cls, billing_cycle: str) -> Frequency:
        """Partner Center's `billingCycle` ("monthly", "Annual"…); "none" and "oneTime" are not recurring."""
        try:
            return cls(billing_cycle.strip().lower())
        except (ValueError, AttributeError):
            raise InvalidFrequency(
                f"{billing_cycle!r} is not a recurring billing cycle (monthly, annual or triennial).",
                field="billing_cycle",
            ) from None


_MONTHS = {Frequency.MONTHLY: 1, Frequency.ANNUAL: 12, Frequency.TRIENNIAL: 36}
_ISO_MONTHS = re.compile(r"P(?:(?P<years>\d{1,3})Y)?(?:(?P<months>\d{1,4})M)?")


def term_months(duration: str) -> int:
    """Months in a Microsoft term duration: "P1M" → 1, "P1Y" → 12, "P3Y" → 36, "P1Y6M" → 18.

    Day and time durations ("P30D", "PT1H") are not terms we bill by months, so they are refused.
    """
    match = _ISO_MONTHS.fullmatch(duration.strip().upper()) if isinstance(duration, str) else None
    if match is None or not (match["years"] or match["months"]):
        raise InvalidFrequency(f"{duration!r} is not a term in years or months.", field="term_duration")
    months = int(match["years"] or 0) * 12 + int(match["months"] or 0)
    if months == 0:
        raise InvalidFrequency(f"{duration!r} is a term of zero months.", field="term_duration")
    return months


def days_in_month(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


@lru_cache(maxsize=1 << 16)
def add_months_clamped(anchor: date, months: int) -> date:
    """`anchor` moved by `months`, its day clamped to the target month's length.

    Jan 31 + 1 → Feb 28 (29 in a leap year); Jan 31 + 2 → Mar 31: always computed from the anchor.
    """
    year, month_index = divmod(anchor.year * 12 + anchor.month - 1 + months, 12)
    if not date.min.year <= year <= date.max.year:
        raise InvalidPeriod(f"{anchor} moved by {months} months falls outside the calendar.")
    month = month_index + 1
    return date(year, month, min(anchor.day, days_in_month(year, month)))


@lru_cache(maxsize=1 << 14)
def charge_cycle_days(period: Period) -> int:
    """The days a period's price is spread over: Microsoft counts the days of the calendar month in
    which the period started ("June has 30, August has 31, and a year has 365 or 366"). A period that
    is longer than its start month (anchored on the 29th–31st: 28 Feb–30 Mar) counts its own days, so
    that no part of a period ever costs more than the whole of it."""
    return max(period.days, days_in_month(period.start.year, period.start.month))


def nth_period(anchor: date, frequency: Frequency, n: int) -> Period:
    """Period number `n` (0 starts on the anchor; negative numbers lie before it)."""
    return Period(
        add_months_clamped(anchor, n * frequency.months),
        add_months_clamped(anchor, (n + 1) * frequency.months),
    )


def period_number(anchor: date, frequency: Frequency, day: date) -> int:
    """The `n` whose `nth_period` contains `day`, without walking from the anchor."""
    months_apart = (day.year - anchor.year) * 12 + day.month - anchor.month
    n = months_apart // frequency.months
    # Period n starts in the same month as `day` or earlier, so at most one step back is needed
    # (when `day` comes before the anchor's clamped day in that month).
    while nth_period(anchor, frequency, n).start > day:
        n -= 1
    while nth_period(anchor, frequency, n).end <= day:
        n += 1
    return n


def term_containing(anchor: date, term_months: int, day: date) -> Period:
    """The term of `term_months` months, counted from `anchor` like billing periods, that holds `day`."""
    if term_months < 1:
        raise InvalidPeriod(f"A term lasts at least one month, not {term_months}.")
    months_apart = (day.year - anchor.year) * 12 + day.month - anchor.month
    n = months_apart // term_months
    while add_months_clamped(anchor, n * term_months) > day:
        n -= 1
    while add_months_clamped(anchor, (n + 1) * term_months) <= day:
        n += 1
    return Period(
        add_months_clamped(anchor, n * term_months), add_months_clamped(anchor, (n + 1) * term_months)
    )


def period_containing(anchor: date, frequency: Frequency, day: date) -> Period:
    return nth_period(anchor, frequency, period_number(anchor, frequency, day))


def periods_overlapping(anchor: date, frequency: Frequency, window: Period) -> Iterator[Period]:
    """The whole periods that share at least one day with `window`, in order."""
    n = period_number(anchor, frequency, window.start)
    period = nth_period(anchor, frequency, n)
    while period.start < window.end:
        yield period
        n += 1
        period = nth_period(anchor, frequency, n)


# Reseller billing cycles (feature B1). Microsoft bills a reseller on a fixed day of the month: a
# cycle ends on that day (clamped to short months: day 31 ends Feb 28/29 and Apr 30), the next
# begins the day after, and the bill is dated the day after the cycle ends. Each cycle is computed
# from the billing day and its month alone, so a short February never shifts later cycles.


@dataclass(frozen=True, slots=True)
class BillingCycle:
    """One billing cycle; `label` ("2026-10") names the month in which it ends."""

    period: Period
    bill_date: date
    label: str

    def __post_init__(self) -> None:
        if self.bill_date != self.period.end:
            raise InvalidPeriod(f"A cycle's bill is dated the day after it ends, {self.period.end}.")


def billing_cycle(billing_day: int, year: int, month: int) -> BillingCycle:
    """The cycle that ends in `month` of `year` for a reseller billed on `billing_day`."""
    _check_billing_day(billing_day)
    if not 1 <= month <= 12 or not date.min.year < year < date.max.year:
        raise InvalidPeriod(f"{year}-{month} is not a month the calendar can bill.", field="month")
    previous_year, previous_month = (year, month - 1) if month > 1 else (year - 1, 12)
    start = _cycle_end(billing_day, previous_year, previous_month) + _ONE_DAY
    end = _cycle_end(billing_day, year, month) + _ONE_DAY
    return BillingCycle(Period(start, end), bill_date=end, label=f"{year:04d}-{month:02d}")


def billing_cycle_containing(billing_day: int, day: date) -> BillingCycle:
    """The cycle that `day` belongs to: this month's, or next month's once this month's has ended."""
    cycle = billing_cycle(billing_day, day.year, day.month)
    if cycle.period.contains(day):
        return cycle
    year, month = _next_month(day.year, day.month)
    return billing_cycle(billing_day, year, month)


def billing_cycles_between(billing_day: int, first_month: date, last_month: date) -> list[BillingCycle]:
    """The cycles ending in the months of `first_month` through `last_month` (days are ignored)."""
    first, last = (first_month.year, first_month.month), (last_month.year, last_month.month)
    if last < first:
        raise InvalidPeriod(f"{last_month:%Y-%m} comes before {first_month:%Y-%m}.", field="last_month")
    cycles: list[BillingCycle] = []
    year, month = first
    while (year, month) <= last:
        cycles.append(billing_cycle(billing_day, year, month))
        year, month = _next_month(year, month)
    return cycles


def _check_billing_day(billing_day: int) -> None:
    if isinstance(billing_day, bool) or not isinstance(billing_day, int) or not 1 <= billing_day <= 31:
        raise InvalidBillingDay(
            f"A billing day is a day of the month from 1 to 31, not {billing_day!r}.", field="billing_day"
        )


def _cycle_end(billing_day: int, year: int, month: int) -> date:
    return date(year, month, min(billing_day, days_in_month(year, month)))


def _next_month(year: int, month: int) -> tuple[int, int]:
    return (year, month + 1) if month < 12 else (year + 1, 1)
