"""Errors the domain raises when a business rule is broken.

Every error carries a stable snake_case `code` that machines rely on (the API maps it into an
RFC 9457 problem+json `type`), a `message` a person understands, and optionally the `field` the
problem belongs to so pages can show it next to that field. Codes are part of the public
contract: rename a class if you must, never change a code.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A business rule was broken; `code` is stable, `message` is for people."""

    code: str = "domain_error"

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        if code is not None:
            self.code = code

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r}, field={self.field!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        # Background workers pickle exceptions; the keyword-only arguments would be lost otherwise.
        return (_rebuild, (type(self), self.message, self.field, self.code))


def _rebuild(cls: type[DomainError], message: str, field: str | None, code: str) -> DomainError:
    error = cls.__new__(cls)
    DomainError.__init__(error, message, field=field, code=code)
    return error


class UnknownCurrency(DomainError):
    """The currency is not an active ISO 4217 code with a minor unit."""

    code = "unknown_currency"


class CurrencyMismatch(DomainError):
    """Two amounts in different currencies were combined or compared."""

    code = "currency_mismatch"


class InvalidAmount(DomainError):
    """An amount cannot be represented exactly (a float, NaN, infinity) or is out of place."""

    code = "invalid_amount"


class InvalidAllocation(DomainError):
    """A total cannot be split over the given weights (none, negative, or all zero)."""

    code = "invalid_allocation"


class InvalidPeriod(DomainError):
    """A period is empty, reversed, or does not fit where it is used."""

    code = "invalid_period"


class InvalidFrequency(DomainError):
    """A billing frequency or term duration that the platform does not bill by."""

    code = "invalid_frequency"


class InvalidBillingDay(DomainError):
    """A reseller's billing day outside 1..31."""

    code = "invalid_billing_day"


class UnknownTimeZone(DomainError):
    """A time zone name that the IANA database does not know."""

    code = "unknown_time_zone"
