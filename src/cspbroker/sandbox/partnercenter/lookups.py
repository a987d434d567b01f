"""Finding resources (with Partner Center's not-found codes) and naming who acts."""

from __future__ import annotations

import secrets
import string
from typing import Any

from starlette.requests import Request

from ..common.errors import ApiError
from .state import Actor, PCState

PORTAL_APPLICATION_ID = "00000006-0000-0ff1-ce00-000000000000"  # Microsoft Office 365 portal


def api_actor(request: Request) -> Actor:
    return Actor(
        user_principal_name="",
        application_id=getattr(request.state, "client_id", ""),
        source="PartnerCenterApi",
    )


def portal_actor(customer: dict[str, Any] | None, source: str = "M365AdminCenter") -> Actor:
    domain = customer["companyProfile"]["domain"] if customer else "partner.onmicrosoft.com"
    return Actor(user_principal_name=f"admin@{domain}", application_id=PORTAL_APPLICATION_ID, source=source)


def customer_or_404(state: PCState, customer_id: str) -> dict[str, Any]:
    customer = state.store.get("customers", customer_id.lower())
    if customer is None:
        raise ApiError(404, 60003, f"A customer with the tenant Id {customer_id} was not found.")
    return customer


def subscription_or_404(state: PCState, customer_id: str, subscription_id: str) -> dict[str, Any]:
    subscription = state.store.get("subscriptions", subscription_id.lower())
    if subscription is None or subscription["customerId"] != customer_id.lower():
        raise ApiError(404, 20003, f"Subscription with ID {subscription_id} not found.")
    return subscription


def user_or_404(state: PCState, customer_id: str, user_id: str) -> dict[str, Any]:
    user = state.store.get("users", user_id.lower())
    if user is None or user["customerId"] != customer_id.lower():
        raise ApiError(404, 60002, f"User object ID {user_id} not found.")
    return user


def order_or_404(state: PCState, customer_id: str, order_id: str) -> dict[str, Any]:
    order = state.store.get("orders", order_id)
    if order is None or order["referenceCustomerId"] != customer_id.lower():
        raise ApiError(404, 20000, f"Order ID {order_id} not found.")
    return order


def generate_password(length: int = 16) -> str:
    """A password meeting Entra ID's policy: upper, lower, digits and symbols."""
    pools = [string.ascii_uppercase, string.ascii_lowercase, string.digits, "!#$%&*+-=?@^_"]
    chars = [secrets.choice(pool) for pool in pools]
    chars += [secrets.choice("".join(pools)) for _ in range(length - len(chars))]
    secrets.SystemRandom().shuffle(chars)
    return "".join(chars)


def password_problem(password: str, user_principal_name: str, names: list[str]) -> str | None:
    """Entra ID's rule: 8–256 characters, 3 of 4 character classes, not containing the account name."""
    if not 8 <= len(password) <= 256:
        return "The password must be between 8 and 256 characters long."
    classes = [
        any(c.isupper() for c in password),
        any(c.islower() for c in password),
        any(c.isdigit() for c in password),
        any(not c.isalnum() for c in password),
    ]
    if sum(classes) < 3:
        return "The password must contain three of: upper case, lower case, digits and symbols."
    alias = user_principal_name.split("@")[0].lower()
    parts = [alias, *(n.lower() for n in names if n and len(n) >= 3)]
    if any(part and len(part) >= 3 and part in password.lower() for part in parts):
        return "The password must not contain the user's account name or parts of their full name."
    return None
