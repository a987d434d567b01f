"""Money: exact amounts, one currency, never a float."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from cspbroker.domain.errors import CurrencyMismatch, InvalidAmount, UnknownCurrency
from cspbroker.domain.money import MINOR_UNITS, ExactMoney, Money, minor_digits, round_to_minor


def eur(amount: str) -> Money:
    return Money.of(amount, "EUR")


class TestConstruction:
    def test_from_text(self) -> None:
        assert Money.of("12.50", "EUR") == Money(Decimal("12.50"), "EUR")

    def test_from_an_integer(self) -> None:
        assert Money.of(12, "JPY").amount == Decimal(12)

    def test_from_a_decimal(self) -> None:
        assert Money.of(Decimal("0.10"), "USD").amount == Decimal("0.10")

    def test_the_currency_is_upper_cased(self) -> None:
        assert Money.of("1", " eur ").currency == "EUR"

    def test_zero(self) -> None:
        assert Money.zero("GBP") == Money.of("0.00", "GBP")

    def test_from_minor_units(self) -> None:
        assert Money.from_minor_units(1250, "EUR") == eur("12.50")
        assert Money.from_minor_units(-1250, "KWD") == Money.of("-1.250", "KWD")

    @pytest.mark.parametrize("amount", [0.1, 12.5, float("nan"), float("inf")])
    def test_a_float_is_refused(self, amount: float) -> None:
        with pytest.raises(InvalidAmount) as raised:
            Money.of(amount, "EUR")  # type: ignore[arg-type]

        assert raised.value.code == "invalid_amount"
        assert raised.value.field == "amount"

    def test_a_float_is_refused_by_the_constructor_too(self) -> None:
        with pytest.raises(InvalidAmount):
            Money(0.1, "EUR")  # type: ignore[arg-type]

    def test_a_bool_is_refused(self) -> None:
        with pytest.raises(InvalidAmount):
            Money.of(True, "EUR")

    @pytest.mark.parametrize("amount", ["NaN", "sNaN", "Infinity", "-inf", "twelve", "", "1e31", "1e-31"])
    def test_text_that_is_not_a_finite_amount_is_refused(self, amount: str) -> None:
        with pytest.raises(InvalidAmount):
            Money.of(amount, "EUR")

    @pytest.mark.parametrize("currency", ["XYZ", "EURO", "", "XAU", "HRK"])
    def test_an_unknown_or_withdrawn_currency_is_refused(self, currency: str) -> None:
        with pytest.raises(UnknownCurrency) as raised:
            Money.of("1", currency)

        assert raised.value.code == "unknown_currency"
        assert raised.value.field == "currency"

    def test_a_currency_that_is_not_text_is_refused(self) -> None:
        with pytest.raises(UnknownCurrency):
            Money.of("1", None)  # type: ignore[arg-type]

    def test_negative_zero_becomes_zero(self) -> None:
        assert str(Money.of("-0.00", "EUR")) == "0.00 EUR"


class TestMinorUnits:
    @pytest.mark.parametrize(
        ("currency", "digits"),
        [
            ("EUR", 2),
            ("USD", 2),
            ("HUF", 2),
            ("JPY", 0),
            ("KRW", 0),
            ("CLP", 0),
            ("ISK", 0),
            ("VND", 0),
            ("BHD", 3),
            ("KWD", 3),
            ("OMR", 3),
            ("JOD", 3),
            ("TND", 3),
            ("LYD", 3),
            ("IQD", 3),
            ("CLF", 4),
        ],
    )
    def test_iso_4217_minor_digits(self, currency: str, digits: int) -> None:
        assert minor_digits(currency) == digits

    def test_the_table_lists_the_currencies_we_sell_in(self) -> None:
        wanted = [
            "USD",
            "EUR",
            "GBP",
            "CHF",
            "SEK",
            "NOK",
            "DKK",
            "PLN",
            "CZK",
            "HUF",
            "RON",
            "BGN",
            "AUD",
            "NZD",
            "CAD",
            "JPY",
            "KRW",
            "CLP",
            "ISK",
            "VND",
            "BHD",
            "KWD",
            "OMR",
            "JOD",
            "TND",
            "LYD",
            "IQD",
            "INR",
            "BRL",
            "MXN",
            "ZAR",
            "SGD",
            "HKD",
            "CNY",
            "TRY",
            "AED",
            "SAR",
            "ILS",
            "THB",
            "MYR",
            "IDR",
            "PHP",
            "TWD",
            "UAH",
        ]

        assert set(wanted) <= set(MINOR_UNITS)
        assert len(MINOR_UNITS) > 150

    def test_minor_units_of_a_rounded_amount(self) -> None:
        assert eur("12.50").minor_units == 1250
        assert Money.of("1250", "JPY").minor_units == 1250
        assert Money.of("-1.005", "KWD").minor_units == -1005

    def test_minor_units_of_an_unrounded_amount_is_refused(self) -> None:
        with pytest.raises(InvalidAmount):
            _ = eur("0.125").minor_units


class TestRounding:
    @pytest.mark.parametrize(
        ("amount", "currency", "expected"),
        [
            ("0.125", "EUR", "0.13"),
            ("0.124", "EUR", "0.12"),
            ("-0.125", "EUR", "-0.13"),
            ("0.5", "JPY", "1"),
            ("-0.5", "JPY", "-1"),
            ("2.5", "JPY", "3"),
            ("1.0005", "KWD", "1.001"),
            ("0.005", "USD", "0.01"),
            ("0.0049999", "USD", "0.00"),
        ],
    )
    def test_half_up_at_the_minor_unit(self, amount: str, currency: str, expected: str) -> None:
        assert Money.of(amount, currency).rounded() == Money.of(expected, currency)

    def test_rounded_keeps_the_minor_digits(self) -> None:
        assert str(Money.of("3", "EUR").rounded()) == "3.00 EUR"

    def test_a_fraction_rounds_by_the_same_rule(self) -> None:
        assert round_to_minor(Fraction(1, 8), "EUR") == Decimal("0.13")
        assert round_to_minor(Fraction(-1, 8), "EUR") == Decimal("-0.13")
        assert round_to_minor(Fraction(2, 3), "EUR") == Decimal("0.67")

    def test_is_rounded(self) -> None:
        assert eur("12.50").is_rounded
        assert not eur("12.505").is_rounded


class TestText:
    @pytest.mark.parametrize(
        ("money", "text"),
        [
            (Money.of("12.5", "EUR"), "12.50 EUR"),
            (Money.of(1250, "JPY"), "1250 JPY"),
            (Money.of("1234567.8", "USD"), "1234567.80 USD"),
            (Money.of("-3.1", "KWD"), "-3.100 KWD"),
            (Money.of("0.1234", "EUR"), "0.1234 EUR"),
            (Money(Decimal("1E+3"), "JPY"), "1000 JPY"),
        ],
    )
    def test_fixed_minor_digits_without_grouping(self, money: Money, text: str) -> None:
        assert str(money) == text


class TestArithmetic:
    def test_add_and_subtract(self) -> None:
        assert eur("12.50") + eur("0.75") == eur("13.25")
        assert eur("12.50") - eur("20") == eur("-7.50")

    def test_negate_and_absolute(self) -> None:
        assert -eur("12.50") == eur("-12.50")
        assert abs(eur("-12.50")) == eur("12.50")

    def test_multiply_by_an_integer_or_a_decimal_stays_exact_money(self) -> None:
        assert eur("12.50") * 3 == eur("37.50")
        assert 3 * eur("12.50") == eur("37.50")
        assert eur("12.50") * Decimal("0.333") == eur("4.16250")

    def test_multiply_by_a_fraction_is_exact_until_rounded(self) -> None:
        third = eur("10.00") * Fraction(1, 3)

        assert third == ExactMoney(Fraction(10, 3), "EUR")
        assert third.rounded() == eur("3.33")
        assert (third * 3).rounded() == eur("10.00")

    def test_divide_gives_exact_money(self) -> None:
        assert (eur("10.00") / 3).amount == Fraction(10, 3)

    def test_divide_by_zero_is_refused(self) -> None:
        with pytest.raises(InvalidAmount):
            eur("10.00") / 0

    @pytest.mark.parametrize("factor", [1.5, True])
    def test_multiply_by_a_float_or_bool_is_refused(self, factor: float) -> None:
        with pytest.raises(InvalidAmount):
            eur("10.00") * factor  # type: ignore[operator]

    def test_multiply_by_text_is_a_type_error(self) -> None:
        with pytest.raises(TypeError):
            eur("10.00") * "3"  # type: ignore[operator]

    def test_exact_money_adds_and_subtracts_money(self) -> None:
        third = eur("10.00") / 3

        assert (third + eur("1")).amount == Fraction(13, 3)
        assert (eur("1") + third).amount == Fraction(13, 3)
        assert (third - eur("1")).amount == Fraction(7, 3)
        assert (eur("1") - third).amount == Fraction(-7, 3)
        assert (third - third).is_zero

    def test_sum_of_amounts(self) -> None:
        assert Money.sum([eur("1.10"), eur("2.20"), eur("3.30")], "EUR") == eur("6.60")

    def test_sum_of_nothing_is_zero_in_the_currency(self) -> None:
        assert Money.sum([], "SEK") == Money.zero("SEK")

    def test_sum_refuses_another_currency(self) -> None:
        with pytest.raises(CurrencyMismatch):
            Money.sum([eur("1"), Money.of("1", "USD")], "EUR")


class TestCurrencies:
    def test_adding_another_currency_is_refused(self) -> None:
        with pytest.raises(CurrencyMismatch) as raised:
            eur("1") + Money.of("1", "USD")

        assert raised.value.code == "currency_mismatch"

    def test_exact_money_refuses_another_currency(self) -> None:
        with pytest.raises(CurrencyMismatch):
            (eur("1") / 3) + Money.of("1", "USD")

    def test_ordering_another_currency_is_refused(self) -> None:
        with pytest.raises(CurrencyMismatch):
            _ = eur("1") < Money.of("2", "USD")

    def test_ordering_something_that_is_not_money_is_a_type_error(self) -> None:
        with pytest.raises(TypeError):
            _ = eur("1") < 2  # type: ignore[operator]

    def test_equal_amounts_in_different_currencies_are_not_equal(self) -> None:
        assert eur("1") != Money.of("1", "USD")

    def test_same_currency_compares_by_amount(self) -> None:
        assert eur("1") < eur("1.01") <= eur("1.010") < eur("2")
        assert eur("2") > eur("1") >= eur("1.00")
        assert eur("12.5") == eur("12.50")
        assert hash(eur("12.5")) == hash(eur("12.50"))

    def test_zero_and_negative(self) -> None:
        assert eur("0.00").is_zero
        assert eur("-0.01").is_negative
        assert not eur("0").is_negative
