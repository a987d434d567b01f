"""Hypothesis strategies shared by the domain property tests.

They draw few primitive values and build the rest with plain functions: the CI profile runs every
property 1,000 times, and a draw-heavy `@composite` strategy would double the suite's run time.
"""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal

from hypothesis import strategies as st

from cspbroker.domain.money import MINOR_UNITS, Money
from cspbroker.domain.periods import Frequency, Period, nth_period

FIRST_ANCHOR, LAST_ANCHOR = date(1999, 1, 1), date(2101, 12, 31)
_EVERY_DAY = [FIRST_ANCHOR + timedelta(days=n) for n in range((LAST_ANCHOR - FIRST_ANCHOR).days + 1)]
# Days 28–31 (Feb 29 included) are where anchored periods go wrong, so they are drawn four times as
# often as their share of the calendar.
_MONTH_ENDS = [day for day in _EVERY_DAY if day.day >= 28]

currencies = st.sampled_from(sorted(MINOR_UNITS))
# Currencies with 0 (JPY, KRW), 2 (EUR, USD, GBP) and 3 (KWD, BHD) minor digits.
billing_currencies = st.sampled_from(["JPY", "KRW", "EUR", "USD", "GBP", "KWD", "BHD"])
frequencies = st.sampled_from(list(Frequency))
anchors = st.sampled_from(_EVERY_DAY + _MONTH_ENDS * 3)


def days(first_year: int = 1999, last_year: int = 2101) -> st.SearchStrategy[date]:
    return st.dates(date(first_year, 1, 1), date(last_year, 12, 31))


def rounded_money(currency: str | None = None, max_units: int = 10**12) -> st.SearchStrategy[Money]:
    codes = st.just(currency) if currency else currencies
    return st.builds(Money.from_minor_units, st.integers(-max_units, max_units), codes)


def _money(units: int, scale: int, currency: str) -> Money:
    return Money(Decimal(units).scaleb(-scale), currency)


def any_money(currency: str | None = None) -> st.SearchStrategy[Money]:
    """Amounts with up to 9 decimals, rounded to the currency or not (unit prices may be finer)."""
    codes = st.just(currency) if currency else currencies
    return st.builds(_money, st.integers(-(10**15), 10**15), st.integers(0, 9), codes)


def _pair(currency: str, first: tuple[int, int], second: tuple[int, int]) -> tuple[Money, Money]:
    return _money(*first, currency), _money(*second, currency)


_units_and_scale = st.tuples(st.integers(-(10**15), 10**15), st.integers(0, 9))
# Two amounts in one currency (cheaper to draw than `st.data()` with a second strategy).
money_pairs = st.builds(_pair, currencies, _units_and_scale, _units_and_scale)


def _unit_price(thousandths: int, currency: str) -> Money:
    # 0 to 100,000.000 cut down (never rounded up) to the currency's minor digits.
    quantum = Decimal(1).scaleb(-MINOR_UNITS[currency])
    return Money(Decimal(thousandths).scaleb(-3).quantize(quantum, rounding=ROUND_DOWN), currency)


unit_prices = st.builds(_unit_price, st.integers(0, 100_000_000), billing_currencies)
# A period of any frequency from any anchor, up to ten years after it or three periods before.
billing_periods = st.builds(nth_period, anchors, frequencies, st.integers(-3, 40))


def _split(period: Period, position: int) -> tuple[Period, Period, Period]:
    before, after = period.split_at(period.start + timedelta(days=1 + position % (period.days - 1)))
    return period, before, after


# A billing period and the two parts a change on one of its days splits it into.
split_periods = st.builds(_split, billing_periods, st.integers(0, 10**6))


def _tiling(period: Period, positions: set[int]) -> tuple[Period, list[Period]]:
    offsets = sorted({1 + position % (period.days - 1) for position in positions})
    cuts = [period.start, *(period.start + timedelta(days=offset) for offset in offsets), period.end]
    return period, [Period(start, end) for start, end in itertools.pairwise(cuts)]


# A billing period cut at up to ten distinct days.
tilings = st.builds(_tiling, billing_periods, st.sets(st.integers(0, 10**6), max_size=10))
