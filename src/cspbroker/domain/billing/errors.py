"""Errors of the billing rules; their codes are part of the API contract, like every domain code."""

from __future__ import annotations

from cspbroker.domain.errors import DomainError


class InvalidBillingHistory(DomainError):
    """A subscription history that cannot be billed: out of order, negative, or inconsistent."""

    code = "invalid_billing_history"


class MissingPrice(DomainError):
    """No sale price is in force on a day something must be charged."""

    code = "missing_price"
