"""Properties of money that must hold for every currency and amount."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from cspbroker.domain.errors import CurrencyMismatch, InvalidAmount
from cspbroker.domain.money import (
    ExactMoney,
    Factor,
    Money,
    allocate,
    allocate_evenly,
    minor_digits,
    round_to_minor,
)

from .strategies import any_money, currencies, money_pairs, rounded_money

# Integers, Fractions and Decimals mixed in one list; built from integers because drawing
# st.fractions and st.decimals directly makes these tests several times slower.
weights = (
    st.lists(st.integers(0, 10**6), min_size=1, max_size=8)
    .filter(any)
    .map(lambda ns: [(n, Fraction(n, 7), Decimal(n).scaleb(-3))[i % 3] for i, n in enumerate(ns)])
)


@given(money_pairs)
def test_adding_then_subtracting_gives_the_amount_back(pair: tuple[Money, Money]) -> None:
    a, b = pair

    assert (a + b) - b == a


@given(any_money())
def test_rounding_is_decimal_round_half_up_at_the_minor_unit(money: Money) -> None:
    quantum = Decimal(1).scaleb(-minor_digits(money.currency))

    assert money.rounded().amount == money.amount.quantize(quantum, rounding=ROUND_HALF_UP)


@given(any_money())
def test_rounding_is_symmetric(money: Money) -> None:
    assert (-money).rounded() == -(money.rounded())


@given(currencies, st.integers(-(10**12), 10**12))
def test_a_half_rounds_away_from_zero(currency: str, units: int) -> None:
    half_above = Fraction(2 * units + 1, 2 * 10 ** minor_digits(currency))

    expected = Money.from_minor_units(units + 1 if units >= 0 else units, currency)

    assert ExactMoney(half_above, currency).rounded() == expected


@given(currencies, st.integers(-(10**15), 10**15), st.integers(1, 10**6))
def test_rounding_a_fraction_moves_it_by_at_most_half_a_minor_unit(
    currency: str, numerator: int, denominator: int
) -> None:
    value = Fraction(numerator, denominator)

    error = Fraction(round_to_minor(value, currency)) - value

    assert abs(error) <= Fraction(1, 2 * 10 ** minor_digits(currency))


@given(rounded_money(), st.integers(1, 10**6), st.integers(1, 10**6))
def test_multiplying_by_a_fraction_and_its_inverse_gives_the_amount_back(
    money: Money, a: int, b: int
) -> None:
    assert (money * Fraction(a, b) * Fraction(b, a)).rounded() == money


@given(currencies, st.integers(-(10**15), 10**15))
def test_minor_units_round_trip(currency: str, units: int) -> None:
    assert Money.from_minor_units(units, currency).minor_units == units


@given(st.floats(allow_nan=True, allow_infinity=True), currencies)
def test_a_float_is_always_refused(amount: float, currency: str) -> None:
    with pytest.raises(InvalidAmount):
        Money.of(amount, currency)  # type: ignore[arg-type]
    with pytest.raises(InvalidAmount):
        Money.zero(currency) * amount  # type: ignore[operator]


@given(rounded_money(), rounded_money())
def test_mixing_currencies_is_always_refused(a: Money, b: Money) -> None:
    assume(a.currency != b.currency)

    for combine in (
        lambda: a + b,
        lambda: a - b,
        lambda: a < b,
        lambda: a >= b,
        lambda: a.exact() + b,
        lambda: a - b.exact(),
    ):
        with pytest.raises(CurrencyMismatch):
            combine()


@given(rounded_money(), weights)
def test_allocation_always_adds_up_to_the_total(total: Money, parts: list[Factor]) -> None:
    assert Money.sum(allocate(total, parts), total.currency) == total


@given(rounded_money(), weights)
def test_each_allocated_part_is_within_one_minor_unit_of_its_exact_share(
    total: Money, parts: list[Factor]
) -> None:
    weight_total = sum(Fraction(w) for w in parts)

    for part, weight in zip(allocate(total, parts), parts, strict=True):
        exact_share = Fraction(total.minor_units) * Fraction(weight) / weight_total
        assert abs(part.minor_units - exact_share) < 1
        if weight == 0:
            assert part.is_zero


@given(rounded_money(), weights)
def test_allocating_a_negative_total_mirrors_the_positive_one(total: Money, parts: list[Factor]) -> None:
    assert allocate(-total, parts) == [-part for part in allocate(total, parts)]


@given(rounded_money(), st.integers(1, 50))
def test_even_parts_differ_by_at_most_one_minor_unit(total: Money, parts: int) -> None:
    units = [part.minor_units for part in allocate_evenly(total, parts)]

    assert max(units) - min(units) <= 1
    assert sum(units) == total.minor_units
