"""Largest-remainder allocation: parts always add up to the total, to the minor unit."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from cspbroker.domain.errors import InvalidAllocation, InvalidAmount
from cspbroker.domain.money import Money, allocate, allocate_evenly


def eur(amount: str) -> Money:
    return Money.of(amount, "EUR")


def test_the_leftover_cent_goes_to_the_largest_remainder() -> None:
    assert allocate(eur("10.00"), [1, 2]) == [eur("3.33"), eur("6.67")]


def test_an_equal_remainder_goes_to_the_earlier_part() -> None:
    assert allocate(eur("100.00"), [1, 1, 1]) == [eur("33.34"), eur("33.33"), eur("33.33")]


def test_a_negative_total_mirrors_the_positive_one() -> None:
    assert allocate(eur("-100.00"), [1, 1, 1]) == [eur("-33.34"), eur("-33.33"), eur("-33.33")]


def test_a_zero_weight_gets_nothing() -> None:
    assert allocate(eur("0.05"), [1, 0, 1]) == [eur("0.03"), eur("0.00"), eur("0.02")]


def test_weights_may_be_decimals_and_fractions() -> None:
    assert allocate(Money.of(100, "JPY"), [Decimal("0.5"), Fraction(1, 4), 1]) == [
        Money.of(29, "JPY"),
        Money.of(14, "JPY"),
        Money.of(57, "JPY"),
    ]


def test_days_as_weights() -> None:
    assert allocate(eur("37.50"), [13, 17]) == [eur("16.25"), eur("21.25")]


@pytest.mark.parametrize("weights", [[], [0, 0], [1, -1], [1, 0.5], [True]])
def test_weights_that_cannot_split_a_total_are_refused(weights: list[int]) -> None:
    with pytest.raises((InvalidAllocation, InvalidAmount)):
        allocate(eur("1.00"), weights)


def test_all_zero_weights_say_why() -> None:
    with pytest.raises(InvalidAllocation) as raised:
        allocate(eur("1.00"), [0, 0])

    assert raised.value.code == "invalid_allocation"
    assert raised.value.field == "weights"


def test_an_unrounded_total_is_refused() -> None:
    with pytest.raises(InvalidAmount):
        allocate(eur("1.005"), [1, 1])


def test_evenly() -> None:
    assert allocate_evenly(Money.of("0.010", "KWD"), 3) == [
        Money.of("0.004", "KWD"),
        Money.of("0.003", "KWD"),
        Money.of("0.003", "KWD"),
    ]


@pytest.mark.parametrize("parts", [0, -1])
def test_evenly_into_no_parts_is_refused(parts: int) -> None:
    with pytest.raises(InvalidAllocation):
        allocate_evenly(eur("1.00"), parts)
