"""Periods: half-open day ranges, computed from the anchor and never chained."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from cspbroker.domain.errors import InvalidFrequency, InvalidPeriod
from cspbroker.domain.periods import (
    Frequency,
    Period,
    add_months_clamped,
    nth_period,
    period_containing,
    period_number,
    periods_overlapping,
    term_months,
)

OCTOBER_2026 = Period(date(2026, 10, 1), date(2026, 11, 1))


class TestPeriod:
    def test_days_count_the_start_but_not_the_end(self) -> None:
        assert OCTOBER_2026.days == 31

    def test_last_day_is_the_day_before_the_end(self) -> None:
        assert OCTOBER_2026.last_day == date(2026, 10, 31)

    def test_text_shows_the_last_day(self) -> None:
        assert str(Period(date(2026, 10, 1), date(2026, 10, 31))) == "2026-10-01–2026-10-30"

    def test_contains_the_start_but_not_the_end(self) -> None:
        assert OCTOBER_2026.contains(date(2026, 10, 1))
        assert OCTOBER_2026.contains(date(2026, 10, 31))
        assert not OCTOBER_2026.contains(date(2026, 11, 1))
        assert not OCTOBER_2026.contains(date(2026, 9, 30))

    @pytest.mark.parametrize("end", [date(2026, 10, 1), date(2026, 9, 30)])
    def test_an_empty_or_reversed_period_is_refused(self, end: date) -> None:
        with pytest.raises(InvalidPeriod) as raised:
            Period(date(2026, 10, 1), end)

        assert raised.value.code == "invalid_period"

    def test_datetimes_are_refused(self) -> None:
        with pytest.raises(InvalidPeriod):
            Period(datetime(2026, 10, 1), date(2026, 11, 1))

    def test_overlap(self) -> None:
        other = Period(date(2026, 10, 20), date(2026, 12, 1))

        assert OCTOBER_2026.overlap(other) == Period(date(2026, 10, 20), date(2026, 11, 1))
        assert other.overlap(OCTOBER_2026) == Period(date(2026, 10, 20), date(2026, 11, 1))

    def test_touching_periods_do_not_overlap(self) -> None:
        assert OCTOBER_2026.overlap(Period(date(2026, 11, 1), date(2026, 12, 1))) is None

    def test_split_at_a_day(self) -> None:
        before, after = OCTOBER_2026.split_at(date(2026, 10, 14))

        assert before == Period(date(2026, 10, 1), date(2026, 10, 14))
        assert after == Period(date(2026, 10, 14), date(2026, 11, 1))

    @pytest.mark.parametrize("day", [date(2026, 10, 1), date(2026, 11, 1), date(2026, 12, 1)])
    def test_split_must_leave_two_non_empty_parts(self, day: date) -> None:
        with pytest.raises(InvalidPeriod):
            OCTOBER_2026.split_at(day)

    def test_encloses(self) -> None:
        assert OCTOBER_2026.encloses(Period(date(2026, 10, 14), date(2026, 11, 1)))
        assert OCTOBER_2026.encloses(OCTOBER_2026)
        assert not OCTOBER_2026.encloses(Period(date(2026, 10, 14), date(2026, 11, 2)))


class TestFrequency:
    def test_months(self) -> None:
        assert [f.months for f in Frequency] == [1, 12, 36]

    @pytest.mark.parametrize(
        ("duration", "frequency"),
        [
            ("P1M", Frequency.MONTHLY),
            ("P1Y", Frequency.ANNUAL),
            ("P12M", Frequency.ANNUAL),
            ("P3Y", Frequency.TRIENNIAL),
            ("p3y", Frequency.TRIENNIAL),
        ],
    )
    def test_from_iso_duration(self, duration: str, frequency: Frequency) -> None:
        assert Frequency.from_iso_duration(duration) is frequency

    def test_iso_duration(self) -> None:
        assert [f.iso_duration for f in Frequency] == ["P1M", "P1Y", "P3Y"]

    @pytest.mark.parametrize(
        ("billing_cycle", "frequency"),
        [("monthly", Frequency.MONTHLY), ("Annual", Frequency.ANNUAL), ("triennial", Frequency.TRIENNIAL)],
    )
    def test_from_partner_center_billing_cycle(self, billing_cycle: str, frequency: Frequency) -> None:
        assert Frequency.from_billing_cycle(billing_cycle) is frequency

    @pytest.mark.parametrize("billing_cycle", ["none", "oneTime", "unknown", ""])
    def test_a_billing_cycle_that_does_not_recur_is_refused(self, billing_cycle: str) -> None:
        with pytest.raises(InvalidFrequency) as raised:
            Frequency.from_billing_cycle(billing_cycle)

        assert raised.value.field == "billing_cycle"

    @pytest.mark.parametrize("duration", ["P5Y", "P2M"])
    def test_a_term_we_do_not_bill_by_is_refused(self, duration: str) -> None:
        with pytest.raises(InvalidFrequency):
            Frequency.from_iso_duration(duration)


class TestTermMonths:
    @pytest.mark.parametrize(
        ("duration", "months"), [("P1M", 1), ("P1Y", 12), ("P3Y", 36), ("P5Y", 60), ("P1Y6M", 18)]
    )
    def test_months_in_a_term(self, duration: str, months: int) -> None:
        assert term_months(duration) == months

    @pytest.mark.parametrize("duration", ["P30D", "PT1H", "P", "1Y", "P0M", "P1W", ""])
    def test_durations_that_are_not_months_are_refused(self, duration: str) -> None:
        with pytest.raises(InvalidFrequency) as raised:
            term_months(duration)

        assert raised.value.field == "term_duration"


class TestAddMonthsClamped:
    def test_the_day_is_clamped_to_a_short_month(self) -> None:
        assert add_months_clamped(date(2023, 1, 31), 1) == date(2023, 2, 28)
        assert add_months_clamped(date(2024, 1, 31), 1) == date(2024, 2, 29)

    def test_the_anchor_day_comes_back_in_a_long_month(self) -> None:
        assert add_months_clamped(date(2024, 1, 31), 2) == date(2024, 3, 31)

    def test_crosses_years_both_ways(self) -> None:
        assert add_months_clamped(date(2024, 11, 30), 3) == date(2025, 2, 28)
        assert add_months_clamped(date(2024, 3, 31), -13) == date(2023, 2, 28)

    def test_leap_day_anchor_returns_each_leap_year(self) -> None:
        assert add_months_clamped(date(2024, 2, 29), 12) == date(2025, 2, 28)
        assert add_months_clamped(date(2024, 2, 29), 48) == date(2028, 2, 29)

    def test_beyond_the_calendar_is_refused(self) -> None:
        with pytest.raises(InvalidPeriod):
            add_months_clamped(date(9999, 12, 1), 1)


class TestNthPeriod:
    def test_monthly_from_the_31st_in_a_leap_year(self) -> None:
        anchor = date(2024, 1, 31)

        assert [nth_period(anchor, Frequency.MONTHLY, n) for n in range(3)] == [
            Period(date(2024, 1, 31), date(2024, 2, 29)),
            Period(date(2024, 2, 29), date(2024, 3, 31)),
            Period(date(2024, 3, 31), date(2024, 4, 30)),
        ]

    def test_monthly_from_the_31st_in_a_common_year(self) -> None:
        anchor = date(2023, 1, 31)

        assert [nth_period(anchor, Frequency.MONTHLY, n) for n in range(3)] == [
            Period(date(2023, 1, 31), date(2023, 2, 28)),
            Period(date(2023, 2, 28), date(2023, 3, 31)),
            Period(date(2023, 3, 31), date(2023, 4, 30)),
        ]

    def test_annual_from_a_leap_day(self) -> None:
        anchor = date(2024, 2, 29)

        assert nth_period(anchor, Frequency.ANNUAL, 1) == Period(date(2025, 2, 28), date(2026, 2, 28))
        assert nth_period(anchor, Frequency.ANNUAL, 3) == Period(date(2027, 2, 28), date(2028, 2, 29))

    def test_triennial(self) -> None:
        assert nth_period(date(2025, 10, 14), Frequency.TRIENNIAL, 1) == Period(
            date(2028, 10, 14), date(2031, 10, 14)
        )

    def test_before_the_anchor(self) -> None:
        assert nth_period(date(2024, 3, 31), Frequency.MONTHLY, -1) == Period(
            date(2024, 2, 29), date(2024, 3, 31)
        )


class TestPeriodContaining:
    def test_a_day_before_the_anchor_day_in_its_month_belongs_to_the_previous_period(self) -> None:
        anchor = date(2024, 1, 31)

        assert period_containing(anchor, Frequency.MONTHLY, date(2024, 3, 30)) == Period(
            date(2024, 2, 29), date(2024, 3, 31)
        )

    def test_the_anchor_day_starts_a_period(self) -> None:
        assert period_containing(date(2024, 1, 31), Frequency.MONTHLY, date(2024, 3, 31)) == Period(
            date(2024, 3, 31), date(2024, 4, 30)
        )

    def test_a_far_day_is_found_without_walking(self) -> None:
        assert period_number(date(2000, 1, 15), Frequency.MONTHLY, date(9000, 1, 15)) == 84_000

    def test_a_day_before_the_anchor(self) -> None:
        assert period_containing(date(2024, 5, 15), Frequency.ANNUAL, date(2024, 5, 14)) == Period(
            date(2023, 5, 15), date(2024, 5, 15)
        )


def test_periods_overlapping_a_window() -> None:
    window = Period(date(2024, 2, 10), date(2024, 4, 1))

    assert list(periods_overlapping(date(2024, 1, 31), Frequency.MONTHLY, window)) == [
        Period(date(2024, 1, 31), date(2024, 2, 29)),
        Period(date(2024, 2, 29), date(2024, 3, 31)),
        Period(date(2024, 3, 31), date(2024, 4, 30)),
    ]
