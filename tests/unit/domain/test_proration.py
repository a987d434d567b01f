"""Proration by days with an exact fraction, rounded once."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest

from cspbroker.domain.errors import InvalidAmount, InvalidPeriod
from cspbroker.domain.money import Money
from cspbroker.domain.periods import Period
from cspbroker.domain.proration import Charge, describe_dates, prorate, prorate_parts

PRICE = Money.of("12.50", "EUR")
# A 30-day period: 1 Oct up to and including 30 Oct 2026.
PERIOD = Period(date(2026, 10, 1), date(2026, 10, 31))
LAST_17_DAYS = Period(date(2026, 10, 14), date(2026, 10, 31))


def test_a_partial_period_is_charged_by_days() -> None:
    charge = prorate(PRICE, 3, PERIOD, LAST_17_DAYS)

    assert charge == Charge(
        amount=Money.of("21.25", "EUR"),
        quantity=3,
        unit_price=PRICE,
        fraction=Fraction(17, 30),
        period=PERIOD,
        active=LAST_17_DAYS,
        explanation="3 × 12.50 EUR × 17/30 days",
    )


def test_the_amount_is_rounded_once_half_up() -> None:
    # 1 × 10.00 × 1/30 = 0.3333… → 0.33; 1 × 0.15 × 15/30 = 0.075 → 0.08
    assert prorate(Money.of("10", "EUR"), 1, PERIOD, Period(date(2026, 10, 1), date(2026, 10, 2))).amount == (
        Money.of("0.33", "EUR")
    )
    assert prorate(
        Money.of("0.15", "EUR"), 1, PERIOD, Period(date(2026, 10, 16), date(2026, 10, 31))
    ).amount == (Money.of("0.08", "EUR"))


def test_the_explanation_does_not_reduce_the_fraction() -> None:
    half = Period(date(2026, 10, 16), date(2026, 10, 31))

    assert prorate(PRICE, 2, PERIOD, half).explanation == "2 × 12.50 EUR × 15/30 days"


def test_a_whole_period_is_explained_without_a_fraction() -> None:
    charge = prorate(PRICE, 3, PERIOD, PERIOD)

    assert charge.amount == Money.of("37.50", "EUR")
    assert charge.fraction == 1
    assert charge.explanation == "3 × 12.50 EUR"


def test_a_negative_quantity_is_a_refund() -> None:
    charge = prorate(PRICE, -3, PERIOD, LAST_17_DAYS)

    assert charge.amount == Money.of("-21.25", "EUR")
    assert charge.explanation == "-3 × 12.50 EUR × 17/30 days"


def test_a_refund_rounds_symmetrically() -> None:
    price = Money.of("0.15", "EUR")
    half = Period(date(2026, 10, 16), date(2026, 10, 31))

    assert prorate(price, -1, PERIOD, half).amount == Money.of("-0.08", "EUR")


def test_a_zero_decimal_currency() -> None:
    assert prorate(Money.of(1000, "JPY"), 1, PERIOD, LAST_17_DAYS).amount == Money.of(567, "JPY")


def test_active_days_outside_the_period_are_refused() -> None:
    with pytest.raises(InvalidPeriod) as raised:
        prorate(PRICE, 1, PERIOD, Period(date(2026, 10, 14), date(2026, 11, 2)))

    assert raised.value.field == "active"


@pytest.mark.parametrize("quantity", [True, 1.5, "3"])
def test_a_quantity_that_is_not_a_whole_number_is_refused(quantity: int) -> None:
    with pytest.raises(InvalidAmount):
        prorate(PRICE, quantity, PERIOD, PERIOD)


def test_parts_share_the_full_charge_exactly() -> None:
    # Independently, 10.00 × 1/3 rounds to 3.33 three times and loses a cent.
    price = Money.of("10.00", "EUR")
    period = Period(date(2026, 10, 1), date(2026, 10, 31))
    parts = [Period(date(2026, 10, 1), date(2026, 10, 11)), Period(date(2026, 10, 11), date(2026, 10, 21))]
    parts.append(Period(date(2026, 10, 21), date(2026, 10, 31)))

    charges = prorate_parts(price, 1, period, parts)

    assert [charge.amount for charge in charges] == [
        Money.of(amount, "EUR") for amount in ("3.34", "3.33", "3.33")
    ]
    assert [charge.explanation for charge in charges] == ["1 × 10.00 EUR × 10/30 days"] * 3
    assert [charge.fraction for charge in charges] == [Fraction(1, 3)] * 3


@pytest.mark.parametrize(
    "parts",
    [
        [],
        [Period(date(2026, 10, 1), date(2026, 10, 14))],
        [Period(date(2026, 10, 1), date(2026, 10, 14)), Period(date(2026, 10, 15), date(2026, 10, 31))],
        [Period(date(2026, 10, 1), date(2026, 10, 15)), Period(date(2026, 10, 14), date(2026, 10, 31))],
        [Period(date(2026, 10, 14), date(2026, 10, 31)), Period(date(2026, 10, 1), date(2026, 10, 14))],
    ],
)
def test_parts_that_do_not_tile_the_period_are_refused(parts: list[Period]) -> None:
    with pytest.raises(InvalidPeriod) as raised:
        prorate_parts(PRICE, 1, PERIOD, parts)

    assert raised.value.field == "parts"


class TestDescribeDates:
    def test_within_one_year(self) -> None:
        assert describe_dates(LAST_17_DAYS, PERIOD) == "(14 Oct–30 Oct 2026 of period 1 Oct–30 Oct 2026)"

    def test_across_years(self) -> None:
        period = Period(date(2026, 12, 15), date(2027, 1, 15))
        active = Period(date(2027, 1, 1), date(2027, 1, 15))

        assert describe_dates(active, period) == "(1 Jan–14 Jan 2027 of period 15 Dec 2026–14 Jan 2027)"

    def test_a_single_day(self) -> None:
        active = Period(date(2026, 10, 30), date(2026, 10, 31))

        assert describe_dates(active, PERIOD) == "(30 Oct 2026 of period 1 Oct–30 Oct 2026)"
