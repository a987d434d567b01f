"""Domain errors carry a stable code, a sentence for people, and the field at fault."""

from __future__ import annotations

import pickle

import pytest

from cspbroker.domain.errors import (
    CurrencyMismatch,
    DomainError,
    InvalidAllocation,
    InvalidAmount,
    InvalidBillingDay,
    InvalidFrequency,
    InvalidPeriod,
    UnknownCurrency,
    UnknownTimeZone,
)


def test_a_domain_error_shows_its_message() -> None:
    error = InvalidAmount("0.1 is a float.", field="amount")

    assert str(error) == "0.1 is a float."
    assert error.message == "0.1 is a float."
    assert error.field == "amount"
    assert error.code == "invalid_amount"


def test_the_field_is_optional() -> None:
    assert CurrencyMismatch("EUR and USD.").field is None


def test_a_code_can_be_made_more_specific_for_one_error() -> None:
    error = DomainError("Reseller needs an operator.", code="parent_required")

    assert error.code == "parent_required"
    assert DomainError.code == "domain_error"


@pytest.mark.parametrize(
    ("error_class", "code"),
    [
        (DomainError, "domain_error"),
        (UnknownCurrency, "unknown_currency"),
        (CurrencyMismatch, "currency_mismatch"),
        (InvalidAmount, "invalid_amount"),
        (InvalidAllocation, "invalid_allocation"),
        (InvalidPeriod, "invalid_period"),
        (InvalidFrequency, "invalid_frequency"),
        (InvalidBillingDay, "invalid_billing_day"),
        (UnknownTimeZone, "unknown_time_zone"),
    ],
)
def test_codes_are_stable_snake_case(error_class: type[DomainError], code: str) -> None:
    assert error_class("anything").code == code


def test_an_error_survives_pickling_for_background_workers() -> None:
    error = CurrencyMismatch("EUR and USD.", field="currency", code="currency_mismatch_on_invoice")

    copy = pickle.loads(pickle.dumps(error))

    assert type(copy) is CurrencyMismatch
    assert (copy.message, copy.field, copy.code) == (
        "EUR and USD.",
        "currency",
        "currency_mismatch_on_invoice",
    )
