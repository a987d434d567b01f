"""Properties of proration for any price, quantity, currency and period."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from cspbroker.domain.money import Money, minor_digits
from cspbroker.domain.periods import Period
from cspbroker.domain.proration import prorate, prorate_parts

from .strategies import billing_periods, split_periods, tilings, unit_prices

quantities = st.integers(1, 10_000)


@given(unit_prices, quantities, split_periods)
def test_two_parts_add_up_to_the_whole_within_one_minor_unit(
    price: Money, quantity: int, split: tuple[Period, Period, Period]
) -> None:
    period, before, after = split

    whole = prorate(price, quantity, period, period).amount
    parts = prorate(price, quantity, period, before).amount + prorate(price, quantity, period, after).amount

    assert abs(parts.minor_units - whole.minor_units) <= 1


@given(unit_prices, st.integers(-10_000, 10_000), tilings)
def test_parts_of_a_period_add_up_exactly(
    price: Money, quantity: int, tiling: tuple[Period, list[Period]]
) -> None:
    period, parts = tiling

    charges = prorate_parts(price, quantity, period, parts)

    assert (
        Money.sum((c.amount for c in charges), price.currency)
        == prorate(price, quantity, period, period).amount
    )


@given(unit_prices, quantities, split_periods)
def test_a_change_and_its_reversal_on_the_same_day_net_to_zero(
    price: Money, quantity: int, split: tuple[Period, Period, Period]
) -> None:
    period, _, after = split

    added, removed = prorate(price, quantity, period, after), prorate(price, -quantity, period, after)

    assert (added.amount + removed.amount).is_zero


@given(unit_prices, quantities, billing_periods)
def test_a_full_period_costs_exactly_price_times_quantity(
    price: Money, quantity: int, period: Period
) -> None:
    assert prorate(price, quantity, period, period).amount == price * quantity


@given(unit_prices, quantities, split_periods)
def test_a_prorated_amount_is_the_exact_share_rounded(
    price: Money, quantity: int, split: tuple[Period, Period, Period]
) -> None:
    period, before, _ = split

    charge = prorate(price, quantity, period, before)

    exact = Fraction(price.amount) * quantity * Fraction(before.days, period.days)
    assert charge.fraction == Fraction(before.days, period.days)
    assert abs(Fraction(charge.amount.amount) - exact) <= Fraction(1, 2 * 10 ** minor_digits(price.currency))
    assert charge.explanation == f"{quantity} × {price} × {before.days}/{period.days} days"
