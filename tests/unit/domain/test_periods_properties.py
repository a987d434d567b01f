"""Properties of anchored periods for every anchor day 1–31, every frequency, across leap years."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cspbroker.domain.periods import (
    Frequency,
    Period,
    add_months_clamped,
    days_in_month,
    nth_period,
    period_containing,
    period_number,
    periods_overlapping,
)

from .strategies import anchors, days, frequencies

# Days a period may last: every month length, every year length, every three-year length.
LENGTHS = {
    Frequency.MONTHLY: range(28, 32),
    Frequency.ANNUAL: range(365, 367),
    Frequency.TRIENNIAL: range(1095, 1098),
}


def every_day(first: date, last: date) -> list[date]:
    return [first + timedelta(days=offset) for offset in range((last - first).days + 1)]


@pytest.mark.parametrize("frequency", list(Frequency))
def test_every_anchor_of_a_common_and_a_leap_year_tiles_for_ten_years(frequency: Frequency) -> None:
    # Exhaustive rather than sampled: every anchor day 1–31 in every month, Feb 29 included.
    for anchor in every_day(date(2023, 1, 1), date(2024, 12, 31)):
        periods = [nth_period(anchor, frequency, n) for n in range(-2, 120 // frequency.months + 1)]

        for earlier, later in itertools.pairwise(periods):
            assert earlier.end == later.start
        assert all(period.days in LENGTHS[frequency] for period in periods)


@given(anchors, frequencies, st.integers(-400, 400))
def test_consecutive_periods_meet_without_gap_or_overlap(anchor: date, frequency: Frequency, n: int) -> None:
    period, following = nth_period(anchor, frequency, n), nth_period(anchor, frequency, n + 1)

    assert period.end == following.start
    assert period.overlap(following) is None


@given(anchors, frequencies, st.integers(-400, 400))
def test_a_period_lasts_a_month_a_year_or_three(anchor: date, frequency: Frequency, n: int) -> None:
    assert nth_period(anchor, frequency, n).days in LENGTHS[frequency]


@given(anchors, frequencies, st.integers(-400, 400))
def test_each_period_starts_on_the_anchor_day_clamped(anchor: date, frequency: Frequency, n: int) -> None:
    start = nth_period(anchor, frequency, n).start

    assert start.day == min(anchor.day, days_in_month(start.year, start.month))


@given(anchors, st.integers(-1200, 1200))
def test_adding_months_moves_the_month_and_keeps_the_anchor_day_when_it_exists(
    anchor: date, months: int
) -> None:
    moved = add_months_clamped(anchor, months)

    assert (moved.year * 12 + moved.month) - (anchor.year * 12 + anchor.month) == months
    assert moved.day == min(anchor.day, days_in_month(moved.year, moved.month))


@given(anchors, frequencies, days(1990, 2110))
def test_the_period_containing_a_day_is_one_of_the_anchored_periods(
    anchor: date, frequency: Frequency, day: date
) -> None:
    period = period_containing(anchor, frequency, day)

    assert period.contains(day)
    assert period == nth_period(anchor, frequency, period_number(anchor, frequency, day))


@given(anchors, frequencies, days(1990, 2110), st.integers(1, 2000))
def test_periods_overlapping_a_window_cover_it_in_order(
    anchor: date, frequency: Frequency, first_day: date, length: int
) -> None:
    window = Period(first_day, first_day + timedelta(days=length))

    periods = list(periods_overlapping(anchor, frequency, window))

    assert periods[0].contains(window.start)
    assert periods[-1].contains(window.last_day)
    assert all(period.overlap(window) is not None for period in periods)
    assert all(earlier.end == later.start for earlier, later in itertools.pairwise(periods))
