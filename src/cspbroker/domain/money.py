"""Money: an exact amount in one currency, rounded once per charge line.

`Money` holds a `Decimal` and never a float. Multiplying by an integer or a Decimal stays exact;
multiplying by a `Fraction` (a proration ratio) or dividing gives an `ExactMoney`, which keeps the
amount as a `Fraction` until the single call to `.rounded()` at the end of a charge line.
`round_to_minor` is the one place where the rounding rule lives: ROUND_HALF_UP (half away from
zero) at the currency's ISO 4217 minor unit, as Kill Bill and Lago do.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import MAX_EMAX, MAX_PREC, MIN_EMIN, Context, Decimal, DivisionByZero, Inexact, InvalidOperation
from decimal import Overflow as DecimalOverflow
from fractions import Fraction
from types import MappingProxyType
from typing import Final, overload

from cspbroker.domain.errors import CurrencyMismatch, InvalidAllocation, InvalidAmount, UnknownCurrency

# Active ISO 4217 codes (list one, 2025) by minor unit. Fund and metal codes without a minor unit
# (XAU, XDR…) are left out on purpose: nothing is sold in them.
_CODES_BY_MINOR_DIGITS: Final = {
    0: "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF",
    2: "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN BWP BYN "
    "BZD CAD CDF CHE CHF CHW CNY COP COU CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP "
    "GEL GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP "
    "LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR "
    "NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN "
    "SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD USN UYU UZS VED VES WST XCD XCG YER ZAR "
    "ZMW ZWG",
    3: "BHD IQD JOD KWD LYD OMR TND",
    4: "CLF UYW",
}
MINOR_UNITS: Final[Mapping[str, int]] = MappingProxyType(
    {code: digits for digits, codes in _CODES_BY_MINOR_DIGITS.items() for code in codes.split()}
)

# Sums and products of Decimals must never round silently: a context with unlimited precision
# that traps Inexact turns any accidental rounding into an error. We never divide Decimals.
_EXACT: Final = Context(
    prec=MAX_PREC,
    Emax=MAX_EMAX,
    Emin=MIN_EMIN,
    traps=[InvalidOperation, DivisionByZero, DecimalOverflow, Inexact],
)
# Amounts beyond these bounds are typing mistakes or attacks (10**999999999 would freeze a worker).
_MAX_ADJUSTED_EXPONENT: Final = 30
_MIN_EXPONENT: Final = -30

Factor = int | Decimal | Fraction


def currency_code(currency: object) -> str:
    """The upper-cased ISO 4217 code, or `UnknownCurrency`."""
    code = currency.strip().upper() if isinstance(currency, str) else None
    if code is None or code not in MINOR_UNITS:
        raise UnknownCurrency(f"{currency!r} is not an active ISO 4217 currency code.", field="currency")
    return code


def minor_digits(currency: str) -> int:
    """How many decimals the currency's minor unit has (EUR 2, JPY 0, KWD 3)."""
    return MINOR_UNITS[currency_code(currency)]


def round_to_minor(value: Fraction | Decimal, currency: str) -> Decimal:
    """Round to the currency's minor unit, half away from zero (Decimal's ROUND_HALF_UP).

    Integer arithmetic on the exact fraction: 0.125 EUR → 0.13, -0.125 EUR → -0.13, 0.5 JPY → 1.
    """
    digits = minor_digits(currency)
    scaled = Fraction(value) * Fraction(10) ** digits
    units, remainder = divmod(abs(scaled.numerator), scaled.denominator)
    if 2 * remainder >= scaled.denominator:
        units += 1
    return _from_minor_units(-units if scaled < 0 else units, digits)


def _from_minor_units(units: int, digits: int) -> Decimal:
    return Decimal(units).scaleb(-digits, context=_EXACT)


def _exact_decimal(value: object) -> Decimal:
    """A finite Decimal from a str, int or Decimal; floats and bools are refused, not converted."""
    if isinstance(value, bool | float):
        raise InvalidAmount(
            f"{value!r} is a {type(value).__name__}; give amounts as text, an integer or a Decimal.",
            field="amount",
        )
    if isinstance(value, Decimal):
        amount = value
    elif isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, str):
        try:
            amount = Decimal(value)
        except InvalidOperation:
            raise InvalidAmount(f"{value!r} is not a number.", field="amount") from None
    else:
        raise InvalidAmount(f"An amount cannot be a {type(value).__name__}.", field="amount")
    if not amount.is_finite():
        raise InvalidAmount(f"An amount must be a finite number, not {value!r}.", field="amount")
    if amount.adjusted() > _MAX_ADJUSTED_EXPONENT or _exponent(amount) < _MIN_EXPONENT:
        raise InvalidAmount(f"{value!r} is out of the range of amounts.", field="amount")
    return amount


def _exponent(amount: Decimal) -> int:
    exponent = amount.as_tuple().exponent
    assert isinstance(exponent, int), "only finite Decimals reach here"
    return exponent


def _exact_factor(factor: object) -> Fraction | None:
    """A multiplier as an exact Fraction; None for types Money does not multiply by."""
    if isinstance(factor, bool | float):
        raise InvalidAmount(
            f"{factor!r} is a {type(factor).__name__}; money works with integers, Decimals and Fractions."
        )
    if isinstance(factor, Fraction | int):
        return Fraction(factor)
    if isinstance(factor, Decimal):
        return Fraction(_exact_decimal(factor))
    return None


def _same_currency(left: str, right: str) -> None:
    if left != right:
        raise CurrencyMismatch(f"Cannot combine an amount in {left} with one in {right}.", field="currency")


@dataclass(frozen=True, slots=True)
class Money:
    """An amount in one currency. Equal amounts in different currencies are simply not equal;
    ordering or adding them raises `CurrencyMismatch`."""

    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        amount = _exact_decimal(self.amount)
        # -0.00 would print as "-0.00 EUR" on an invoice.
        object.__setattr__(self, "amount", amount.copy_abs() if amount.is_zero() else amount)
        object.__setattr__(self, "currency", currency_code(self.currency))

    @classmethod
    def of(cls, amount: str | int | Decimal, currency: str) -> Money:
        """`Money.of("12.50", "EUR")`, `Money.of(12, "JPY")`; a float raises `InvalidAmount`."""
        return cls(_exact_decimal(amount), currency)

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(Decimal(0), currency)

    @classmethod
    def from_minor_units(cls, units: int, currency: str) -> Money:
        """`Money.from_minor_units(1250, "EUR")` is 12.50 EUR."""
        return cls(_from_minor_units(units, minor_digits(currency)), currency)

    @classmethod
    def sum(cls, amounts: Iterable[Money], currency: str) -> Money:
        """The total of `amounts`, zero in `currency` when there are none (builtin sum needs a start)."""
        total = cls.zero(currency)
        for amount in amounts:
            total = total + amount
        return total

    @property
    def minor_units(self) -> int:
        """The amount in cents (or the currency's minor unit); the amount must be rounded already."""
        scaled = Fraction(self.amount) * Fraction(10) ** minor_digits(self.currency)
        if scaled.denominator != 1:
            raise InvalidAmount(f"{self} has more decimals than {self.currency} allows; round it first.")
        return scaled.numerator

    @property
    def is_zero(self) -> bool:
        return self.amount.is_zero()

    @property
    def is_negative(self) -> bool:
        return self.amount < 0

    @property
    def is_rounded(self) -> bool:
        return self.amount == round_to_minor(self.amount, self.currency)

    def rounded(self) -> Money:
        return Money(round_to_minor(self.amount, self.currency), self.currency)

    def exact(self) -> ExactMoney:
        return ExactMoney(Fraction(self.amount), self.currency)

    def __add__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        _same_currency(self.currency, other.currency)
        return Money(_EXACT.add(self.amount, other.amount), self.currency)

    def __sub__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        _same_currency(self.currency, other.currency)
        return Money(_EXACT.subtract(self.amount, other.amount), self.currency)

    def __neg__(self) -> Money:
        return Money(_EXACT.minus(self.amount), self.currency)

    def __abs__(self) -> Money:
        return Money(_EXACT.abs(self.amount), self.currency)

    @overload
    def __mul__(self, factor: int | Decimal) -> Money: ...
    @overload
    def __mul__(self, factor: Fraction) -> ExactMoney: ...
    def __mul__(self, factor: Factor) -> Money | ExactMoney:
        if isinstance(factor, Fraction):
            return self.exact() * factor
        if _exact_factor(factor) is None:
            return NotImplemented
        return Money(_EXACT.multiply(self.amount, Decimal(factor)), self.currency)

    __rmul__ = __mul__

    def __truediv__(self, divisor: Factor) -> ExactMoney:
        return self.exact() / divisor

    # Ordering across currencies is a bug, not "False": it raises CurrencyMismatch.
    def __lt__(self, other: Money) -> bool:
        return self.amount < self._comparable(other).amount

    def __le__(self, other: Money) -> bool:
        return self.amount <= self._comparable(other).amount

    def __gt__(self, other: Money) -> bool:
        return self.amount > self._comparable(other).amount

    def __ge__(self, other: Money) -> bool:
        return self.amount >= self._comparable(other).amount

    def _comparable(self, other: object) -> Money:
        if not isinstance(other, Money):
            raise TypeError(f"Cannot order Money and {type(other).__name__}.")
        _same_currency(self.currency, other.currency)
        return other

    def __str__(self) -> str:
        """ "12.50 EUR", "1250 JPY"; an unrounded unit price keeps all its decimals ("0.1234 EUR")."""
        digits = minor_digits(self.currency)
        shown = self.amount
        if _exponent(shown) > -digits:
            shown = shown.quantize(Decimal(1).scaleb(-digits), context=_EXACT)
        return f"{shown:f} {self.currency}"


@dataclass(frozen=True, slots=True)
class ExactMoney:
    """An intermediate amount held as an exact Fraction (after proration or division).

    It is never stored or shown: round it once with `.rounded()` to get `Money`.
    """

    amount: Fraction
    currency: str

    def __post_init__(self) -> None:
        amount = _exact_factor(self.amount)
        if amount is None:
            raise InvalidAmount(f"An exact amount cannot be a {type(self.amount).__name__}.", field="amount")
        object.__setattr__(self, "amount", amount)
        object.__setattr__(self, "currency", currency_code(self.currency))

    @property
    def is_zero(self) -> bool:
        return self.amount == 0

    def rounded(self) -> Money:
        return Money(round_to_minor(self.amount, self.currency), self.currency)

    def __add__(self, other: ExactMoney | Money) -> ExactMoney:
        if not isinstance(other, ExactMoney | Money):
            return NotImplemented
        _same_currency(self.currency, other.currency)
        return ExactMoney(self.amount + Fraction(other.amount), self.currency)

    __radd__ = __add__

    def __sub__(self, other: ExactMoney | Money) -> ExactMoney:
        if not isinstance(other, ExactMoney | Money):
            return NotImplemented
        return self + -_as_exact(other)

    def __rsub__(self, other: Money) -> ExactMoney:
        if not isinstance(other, Money):
            return NotImplemented
        return other.exact() + -self

    def __neg__(self) -> ExactMoney:
        return ExactMoney(-self.amount, self.currency)

    def __abs__(self) -> ExactMoney:
        return ExactMoney(abs(self.amount), self.currency)

    def __mul__(self, factor: Factor) -> ExactMoney:
        exact_factor = _exact_factor(factor)
        if exact_factor is None:
            return NotImplemented
        return ExactMoney(self.amount * exact_factor, self.currency)

    __rmul__ = __mul__

    def __truediv__(self, divisor: Factor) -> ExactMoney:
        exact_divisor = _exact_factor(divisor)
        if exact_divisor is None:
            return NotImplemented
        if exact_divisor == 0:
            raise InvalidAmount("Cannot divide an amount by zero.")
        return ExactMoney(self.amount / exact_divisor, self.currency)


def _as_exact(value: ExactMoney | Money) -> ExactMoney:
    return value.exact() if isinstance(value, Money) else value


def allocate(total: Money, weights: Sequence[Factor]) -> list[Money]:
    """Split a rounded `total` over `weights` by largest remainder, in minor units.

    The parts always add up to `total` exactly. Each part gets the floor of its exact share; the
    leftover units go to the largest fractional remainders, the earlier index winning a tie, so the
    result never depends on anything but the inputs. A negative total is split like its absolute
    value and negated, so a refund mirrors its charge unit for unit.
    """
    shares = [_weight(weight) for weight in weights]
    weight_total = sum(shares, Fraction(0))
    if weight_total == 0:
        raise InvalidAllocation("Cannot split an amount without a weight above zero.", field="weights")
    units = total.minor_units
    exact_shares = [abs(units) * share / weight_total for share in shares]
    parts = [share.numerator // share.denominator for share in exact_shares]
    leftover = abs(units) - sum(parts)
    by_remainder = sorted(range(len(parts)), key=lambda index: (parts[index] - exact_shares[index], index))
    for index in by_remainder[:leftover]:
        parts[index] += 1
    sign = -1 if units < 0 else 1
    return [Money.from_minor_units(sign * part, total.currency) for part in parts]


def allocate_evenly(total: Money, parts: int) -> list[Money]:
    """Split `total` into `parts` shares that differ by at most one minor unit, earlier shares larger."""
    if isinstance(parts, bool) or not isinstance(parts, int) or parts < 1:
        raise InvalidAllocation(f"Cannot split an amount into {parts!r} parts.", field="parts")
    return allocate(total, [1] * parts)


def _weight(weight: object) -> Fraction:
    exact = _exact_factor(weight)
    if exact is None or exact < 0:
        raise InvalidAllocation(f"A weight must be zero or more, not {weight!r}.", field="weights")
    return exact
