"""Everything `cspbroker demo load` (and so `make run`) puts in place, in order, idempotently.

Provider work (the catalog import, linking the sandbox's existing Northwind tenant) is queued for the
worker, which runs it once `cspbroker up` has started the sandboxes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import transaction

from cspbroker.accounts import demo as accounts_demo
from cspbroker.accounts.access import SYSTEM
from cspbroker.accounts.models import Organization
from cspbroker.catalog.models import CatalogImport, MarkupRule
from cspbroker.catalog.services import imports as catalog_imports
from cspbroker.catalog.services import price_lists
from cspbroker.clock import platform_clock
from cspbroker.connections import demo as connections_demo
from cspbroker.connections.models import Connection, ProviderKind
from cspbroker.sync import services as sync
from cspbroker.tenants.models import Tenant

# Markup over cost where no price list says otherwise (C2): the resellers' and the operator's own.
MARKUPS = {
    "Alpine Cloud Distribution GmbH": "25",
    "Tailspin IT Services GmbH": "15",
    "Woodgrove Managed Services Inc.": "20",
}
EXISTING_TENANT = ("Northwind Traders GmbH", "northwindtraders.onmicrosoft.com")


@dataclass(frozen=True)
class DemoResult:
    logins: list[accounts_demo.DemoLogin]
    connections: list[Connection]
    queued: list[str] = field(default_factory=list)


def _markups() -> None:
    for name, percent in MARKUPS.items():
        owner = Organization.objects.get(legal_name=name)
        if not MarkupRule.objects.filter(owner=owner).exists():
            price_lists.create_markup_rule(
                actor=SYSTEM,
                owner_id=owner.pk,
                markup_percent=Decimal(percent),
                effective_from=date(2020, 1, 1),
            )


def _queue_provider_work(connections: list[Connection]) -> list[str]:
    queued = []
    for connection in connections:
        if (
            connection.kind == ProviderKind.ESD
            or CatalogImport.objects.filter(connection=connection).exists()
        ):
            continue
        catalog_imports.request_import(actor=SYSTEM, connection_id=connection.pk, clock=platform_clock)
        queued.append(f"catalog import of {connection.name}")
    customer = Organization.objects.get(legal_name=EXISTING_TENANT[0])
    if not Tenant.objects.filter(customer=customer).exists():
        partner_center = next(c for c in connections if c.kind == ProviderKind.PARTNER_CENTER)
        sync.link_tenant(
            actor=SYSTEM,
            customer_id=customer.pk,
            reference=EXISTING_TENANT[1],
            connection_id=partner_center.pk,
        )
        queued.append(f"linking {EXISTING_TENANT[1]} to {customer.legal_name}")
    return queued


@transaction.atomic
def load(*, provider_work: bool = True) -> DemoResult:
    logins = accounts_demo.load()
    operator = Organization.objects.get(kind="operator")
    connections = connections_demo.load(operator)
    _markups()
    queued = _queue_provider_work(connections) if provider_work else []
    return DemoResult(logins=logins, connections=connections, queued=queued)
