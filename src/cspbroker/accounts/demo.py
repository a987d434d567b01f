"""Demo data: an operator, two resellers, four customers and a login for every role.

Loading is idempotent: organisations are found by name, people by email; a second load changes
nothing and keeps whatever was added since.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction

from cspbroker.accounts import services
from cspbroker.accounts.demo_logins import LOGINS
from cspbroker.accounts.models import Organization, User
from cspbroker.domain.parties import OrganizationKind, Role


@dataclass(frozen=True)
class DemoLogin:
    email: str
    password: str
    role: Role
    organization: str
    new: bool


_ADDRESS_DE = {
    "address_line1": "Leopoldstraße 12",
    "city": "München",
    "postal_code": "80802",
    "country": "DE",
}

OPERATOR: dict[str, Any] = {
    "legal_name": "Alpine Cloud Distribution GmbH",
    "contact_name": "Ada Lindner",
    "contact_email": "billing@alpine-cloud.example",
    **_ADDRESS_DE,
    "state": "BY",
    "tax_id": "DE811111111",
    "currency": "EUR",
    "time_zone": "Europe/Berlin",
    "billing_day": 15,
}

# (key, kind, parent key, fields)
ORGANIZATIONS: list[tuple[str, OrganizationKind, str, dict[str, Any]]] = [
    (
        "tailspin",
        OrganizationKind.RESELLER,
        "operator",
        {
            "legal_name": "Tailspin IT Services GmbH",
            "contact_name": "Tobias Keller",
            "contact_email": "office@tailspin.example",
            "address_line1": "Hafenstraße 8",
            "city": "Hamburg",
            "postal_code": "20457",
            "state": "HH",
            "country": "DE",
            "tax_id": "DE822222222",
            "currency": "EUR",
            "time_zone": "Europe/Berlin",
            "billing_day": 15,
        },
    ),
    (
        "woodgrove",
        OrganizationKind.RESELLER,
        "operator",
        {
            "legal_name": "Woodgrove Managed Services Inc.",
            "contact_name": "Grace Woods",
            "contact_email": "office@woodgrove.example",
            "address_line1": "500 Pine Street",
            "city": "Seattle",
            "postal_code": "98101",
            "state": "WA",
            "country": "US",
            "tax_id": "US-91-1234567",
            "currency": "USD",
            "time_zone": "America/Los_Angeles",
            "billing_day": 31,
        },
    ),
    (
        "adventureworks",
        OrganizationKind.CUSTOMER,
        "tailspin",
        {
            "legal_name": "Adventure Works Cycles GmbH",
            "contact_name": "Anna Berg",
            "contact_email": "it@adventureworks.example",
            "address_line1": "Radweg 1",
            "city": "Berlin",
            "postal_code": "10115",
            "state": "BE",
            "country": "DE",
            "tax_id": "DE833333333",
            "currency": "EUR",
            "time_zone": "Europe/Berlin",
            "billing_day": 15,
        },
    ),
    (
        "litware",
        OrganizationKind.CUSTOMER,
        "tailspin",
        {
            "legal_name": "Litware Architects GmbH",
            "contact_name": "Lena Hofmann",
            "contact_email": "it@litware.example",
            "address_line1": "Bauhausplatz 3",
            "city": "Dessau",
            "postal_code": "06846",
            "state": "ST",
            "country": "DE",
            "currency": "EUR",
            "time_zone": "Europe/Berlin",
            "billing_day": 15,
        },
    ),
    (
        "wingtip",
        OrganizationKind.CUSTOMER,
        "woodgrove",
        {
            "legal_name": "Wingtip Toys Inc.",
            "contact_name": "Walter Tip",
            "contact_email": "it@wingtip.example",
            "address_line1": "42 Harbor Road",
            "city": "Portland",
            "postal_code": "97201",
            "state": "OR",
            "country": "US",
            "currency": "USD",
            "time_zone": "America/Los_Angeles",
            "billing_day": 31,
        },
    ),
    (
        "northwind",
        OrganizationKind.CUSTOMER,
        "operator",
        {
            "legal_name": "Northwind Traders GmbH",
            "contact_name": "Nora Wind",
            "contact_email": "it@northwind.example",
            "address_line1": "Marktplatz 5",
            "city": "Köln",
            "postal_code": "50667",
            "state": "NW",
            "country": "DE",
            "tax_id": "DE844444444",
            "currency": "EUR",
            "time_zone": "Europe/Berlin",
            "billing_day": 15,
        },
    ),
]


def _find_or_create(
    kind: OrganizationKind, parent: Organization | None, fields: dict[str, Any]
) -> Organization:
    existing = Organization.objects.filter(kind=kind.value, legal_name=fields["legal_name"]).first()
    if existing is not None:
        return existing
    return services.create_organization(kind=kind, parent_id=parent.pk if parent else None, **fields)


@transaction.atomic
def load() -> list[DemoLogin]:
    operator = Organization.objects.filter(kind=OrganizationKind.OPERATOR.value).first()
    if operator is None:
        operator = services.create_organization(kind=OrganizationKind.OPERATOR, parent_id=None, **OPERATOR)
    by_key: dict[str, Organization] = {"operator": operator}
    for key, kind, parent_key, fields in ORGANIZATIONS:
        by_key[key] = _find_or_create(kind, by_key[parent_key], fields)
    logins = []
    for email, full_name, role, org_key, password in LOGINS:
        new = not User.objects.filter(email=email).exists()
        services.add_member(
            organization_id=by_key[org_key].pk,
            email=email,
            role=role,
            full_name=full_name,
            password=password if new else None,
        )
        logins.append(DemoLogin(email, password, role, by_key[org_key].legal_name, new))
    return logins
