"""Reseller billing cycles (B1): a cycle ends on the billing day, its bill is dated the day after."""

from __future__ import annotations

import itertools
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cspbroker.domain.errors import InvalidBillingDay, InvalidPeriod
from cspbroker.domain.periods import (
    BillingCycle,
    Period,
    billing_cycle,
    billing_cycle_containing,
    billing_cycles_between,
    days_in_month,
)

from .strategies import days


def test_a_cycle_ending_on_the_15th_is_billed_on_the_16th() -> None:
    assert billing_cycle(15, 2026, 10) == BillingCycle(
        period=Period(date(2026, 9, 16), date(2026, 10, 16)),
        bill_date=date(2026, 10, 16),
        label="2026-10",
    )


def test_billing_day_31_ends_february_on_its_last_day() -> None:
    assert billing_cycle(31, 2024, 2).period == Period(date(2024, 2, 1), date(2024, 3, 1))
    assert billing_cycle(31, 2023, 2).period == Period(date(2023, 2, 1), date(2023, 3, 1))


def test_billing_day_31_comes_back_in_march_after_february() -> None:
    assert billing_cycle(31, 2023, 3).period == Period(date(2023, 3, 1), date(2023, 4, 1))


def test_billing_day_30_after_a_short_february() -> None:
    assert billing_cycle(30, 2023, 2).period == Period(date(2023, 1, 31), date(2023, 3, 1))
    assert billing_cycle(30, 2023, 3).period == Period(date(2023, 3, 1), date(2023, 3, 31))


def test_billing_day_31_ends_april_on_the_30th() -> None:
    cycle = billing_cycle(31, 2026, 4)

    assert cycle.period.last_day == date(2026, 4, 30)
    assert cycle.bill_date == date(2026, 5, 1)
    assert cycle.label == "2026-04"


def test_a_cycle_across_the_new_year() -> None:
    assert billing_cycle(10, 2027, 1).period == Period(date(2026, 12, 11), date(2027, 1, 11))


def test_the_billing_day_itself_belongs_to_the_cycle_it_ends() -> None:
    assert billing_cycle_containing(15, date(2026, 10, 15)).label == "2026-10"
    assert billing_cycle_containing(15, date(2026, 10, 16)).label == "2026-11"


def test_the_last_days_of_december_belong_to_january() -> None:
    assert billing_cycle_containing(20, date(2026, 12, 25)).label == "2027-01"


def test_cycles_between_two_months() -> None:
    cycles = billing_cycles_between(31, date(2023, 12, 5), date(2024, 3, 1))

    assert [cycle.label for cycle in cycles] == ["2023-12", "2024-01", "2024-02", "2024-03"]
    assert [cycle.bill_date for cycle in cycles] == [
        date(2024, 1, 1),
        date(2024, 2, 1),
        date(2024, 3, 1),
        date(2024, 4, 1),
    ]


def test_cycles_between_months_in_the_wrong_order_are_refused() -> None:
    with pytest.raises(InvalidPeriod):
        billing_cycles_between(1, date(2024, 3, 1), date(2024, 2, 1))


@pytest.mark.parametrize("billing_day", [0, 32, -1, True, "15"])
def test_a_billing_day_outside_1_to_31_is_refused(billing_day: int) -> None:
    with pytest.raises(InvalidBillingDay) as raised:
        billing_cycle(billing_day, 2026, 10)

    assert raised.value.code == "invalid_billing_day"
    assert raised.value.field == "billing_day"


@pytest.mark.parametrize("month", [0, 13])
def test_a_month_outside_1_to_12_is_refused(month: int) -> None:
    with pytest.raises(InvalidPeriod):
        billing_cycle(1, 2026, month)


def test_a_bill_dated_on_another_day_is_refused() -> None:
    with pytest.raises(InvalidPeriod):
        BillingCycle(
            Period(date(2026, 9, 16), date(2026, 10, 16)), bill_date=date(2026, 10, 15), label="2026-10"
        )


@pytest.mark.parametrize("billing_day", range(1, 32))
def test_cycles_tile_every_month_from_1999_to_2101(billing_day: int) -> None:
    # Exhaustive: 1,236 consecutive months per billing day, every leap year in between.
    cycles = billing_cycles_between(billing_day, date(1999, 1, 1), date(2101, 12, 1))

    for earlier, later in itertools.pairwise(cycles):
        assert earlier.period.end == later.period.start
    for cycle in cycles:
        last_day = cycle.period.last_day
        assert cycle.bill_date == cycle.period.end
        assert last_day.day == min(billing_day, days_in_month(last_day.year, last_day.month))
        assert cycle.label == f"{last_day:%Y-%m}"


@given(st.integers(1, 31), days())
def test_every_day_belongs_to_the_cycle_that_contains_it(billing_day: int, day: date) -> None:
    cycle = billing_cycle_containing(billing_day, day)

    assert cycle.period.contains(day)
    assert cycle.bill_date == cycle.period.end
    assert cycle == billing_cycle(billing_day, int(cycle.label[:4]), int(cycle.label[5:]))
