"""Validation of a customer's company and billing profiles, with Partner Center's error codes."""

from __future__ import annotations

import re
from typing import Any

from ..common.errors import ApiError
from .catalog_data import TAKEN_DOMAINS

DOMAIN_SUFFIX = ".onmicrosoft.com"
_PREFIX = re.compile(r"^[A-Za-z0-9]{1,27}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_CULTURE = re.compile(r"^[a-z]{2}-[A-Z]{2}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
# Countries where Microsoft requires an organisation registration number and a phone number.
REGISTRATION_COUNTRIES = frozenset({"AM", "AZ", "BY", "HU", "KZ", "KG", "MD", "RU", "TJ", "UZ", "UA"})
# Countries whose addresses carry a two-letter state or province code.
STATE_COUNTRIES = frozenset({"US", "CA", "AU", "BR", "MX", "IN"})


def invalid(field: str, problem: str) -> ApiError:
    return ApiError(400, 800002, f"Invalid request input: {field} {problem}.", [field])


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _length(data: dict[str, Any], key: str, path: str, low: int, high: int) -> str:
    value = data.get(key)
    if value is not None and not isinstance(value, str):
        raise invalid(f"{path}.{key}", "must be a string")
    text = _text(value)
    if low > 0 and not text:
        raise invalid(f"{path}.{key}", "is required")
    if not low <= len(text) <= high:
        raise invalid(f"{path}.{key}", f"must be between {low} and {high} characters long")
    return text


def domain_prefix_problem(domain: str) -> str | None:
    """Why `domain` cannot be a new tenant's initial domain, or None."""
    if not domain.lower().endswith(DOMAIN_SUFFIX):
        return f"must end with {DOMAIN_SUFFIX}"
    if not _PREFIX.match(domain[: -len(DOMAIN_SUFFIX)]):
        return "must be 1 to 27 letters and digits followed by .onmicrosoft.com"
    return None


def is_domain_taken(domain: str, customers: list[dict[str, Any]]) -> bool:
    wanted = domain.strip().lower()
    if wanted in TAKEN_DOMAINS:
        return True
    return any(
        wanted == str(c["companyProfile"]["domain"]).lower()
        or wanted in [d.lower() for d in c.get("customDomains", [])]
        for c in customers
    )


def validate_address(address: Any, path: str) -> dict[str, Any]:
    if not isinstance(address, dict):
        raise invalid(path, "is required")
    country = _text(address.get("country")).upper()
    if not _COUNTRY.match(country):
        raise invalid(f"{path}.country", "must be an ISO 3166 two-letter country code")
    clean = {
        "country": country,
        "region": _text(address.get("region")) or None,
        "city": _length(address, "city", path, 1, 100),
        "state": _text(address.get("state")) or None,
        "addressLine1": _length(address, "addressLine1", path, 1, 200),
        "addressLine2": _length(address, "addressLine2", path, 0, 200) or None,
        "addressLine3": _length(address, "addressLine3", path, 0, 200) or None,
        "postalCode": _length(address, "postalCode", path, 1, 20),
        "firstName": _length(address, "firstName", path, 1, 50),
        "middleName": _length(address, "middleName", path, 0, 50) or None,
        "lastName": _length(address, "lastName", path, 1, 50),
        "phoneNumber": _text(address.get("phoneNumber")) or None,
    }
    if country in STATE_COUNTRIES:
        state = _text(address.get("state")).upper()
        if not re.match(r"^[A-Z]{2}$", state):
            raise invalid(f"{path}.state", f"is required for {country} as a two-letter code")
        clean["state"] = state
    if country in REGISTRATION_COUNTRIES and not clean["phoneNumber"]:
        raise ApiError(
            400, 600051, f"A phone number is required for customers in {country}.", [f"{path}.phoneNumber"]
        )
    return clean


def validate_billing_profile(profile: Any) -> dict[str, Any]:
    path = "billingProfile"
    if not isinstance(profile, dict):
        raise invalid(path, "is required")
    email = _length(profile, "email", path, 1, 250)
    if not _EMAIL.match(email):
        raise invalid(f"{path}.email", "is not a valid email address")
    culture = _length(profile, "culture", path, 1, 10)
    if not _CULTURE.match(culture):
        raise invalid(f"{path}.culture", "must be a culture like en-US")
    language = _length(profile, "language", path, 1, 2)
    if not re.match(r"^[a-z]{2}$", language):
        raise invalid(f"{path}.language", "must be a two-letter language code")
    return {
        "email": email,
        "culture": culture,
        "language": language,
        "companyName": _length(profile, "companyName", path, 1, 200),
        "defaultAddress": validate_address(profile.get("defaultAddress"), f"{path}.defaultAddress"),
    }


def validate_company_profile(profile: Any, country: str, customers: list[dict[str, Any]]) -> dict[str, Any]:
    path = "companyProfile"
    if not isinstance(profile, dict):
        raise invalid(path, "is required")
    domain = _length(profile, "domain", path, 1, 300).lower()
    problem = domain_prefix_problem(domain)
    if problem:
        raise invalid(f"{path}.domain", problem)
    if is_domain_taken(domain, customers):
        raise ApiError(
            400, 800002, f"Invalid request input: the domain {domain} is not available.", [f"{path}.domain"]
        )
    registration = _text(profile.get("organizationRegistrationNumber"))
    if country in REGISTRATION_COUNTRIES:
        if not registration:
            raise ApiError(
                400,
                600049,
                f"An organization registration number is required for customers in {country}.",
                [f"{path}.organizationRegistrationNumber"],
            )
        if not re.match(r"^[A-Za-z0-9\-]{4,30}$", registration):
            raise ApiError(
                400,
                600050,
                "The organization registration number is not valid.",
                [f"{path}.organizationRegistrationNumber"],
            )
    return {"domain": domain, "organizationRegistrationNumber": registration or None}
