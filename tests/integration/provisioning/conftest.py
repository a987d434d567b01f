"""A provisioning world: the demo tree, a Partner Center connection to the sandbox, a customer tenant
created at the sandbox, and one offer of its catalog. Data is committed (transactional tests) so
worker processes see it."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection as db

from cspbroker.accounts.access import SYSTEM
from cspbroker.catalog.models import Availability, Offer, Product, Sku
from cspbroker.connections import services as connections
from cspbroker.connections.clients import partner_center_client
from cspbroker.connections.models import Connection
from cspbroker.providers.partnercenter.customers import Address, NewCustomer
from cspbroker.tenants.models import Tenant, TenantStatus

STANDARD = ("CFQ7TTC0LDPB", "0001", "CFQ7TTC0K5BF")  # Microsoft 365 Business Standard in the sandbox


@dataclass
class World:
    connection: Connection
    tenant: Tenant
    offer: Offer
    sandbox_url: str


@pytest.fixture
def world(demo, pc_sandbox) -> World:
    connection = connections.create_connection(
        actor=SYSTEM,
        organization_id=demo.organizations["operator"].pk,
        kind="partner_center",
        name="PC",
        base_url=pc_sandbox.url,
        token_url=pc_sandbox.token_url,
        tenant_id=pc_sandbox.tenant_id,
        client_id=pc_sandbox.client_id,
        client_secret=pc_sandbox.client_secret,
    )
    client = partner_center_client(connection)
    customer = client.create_customer(
        NewCustomer(
            domain="adventureworkscycles.onmicrosoft.com",
            company_name="Adventure Works Cycles GmbH",
            email="it@adventureworks.example",
            address=Address(
                first_name="Anna",
                last_name="Berg",
                address_line1="Radweg 1",
                city="Berlin",
                state="BE",
                postal_code="10115",
                country="DE",
            ),
        )
    )
    client.close()
    tenant = Tenant.objects.create(
        customer=demo.organizations["adventureworks"],
        connection=connection,
        provider_tenant_id=customer.id,
        domain=customer.domain,
        status=TenantStatus.ACTIVE,
    )
    product = Product.objects.create(
        connection=connection,
        provider_product_id=STANDARD[0],
        title="Microsoft 365 Business Standard",
        category="Microsoft 365",
    )
    sku = Sku.objects.create(product=product, provider_sku_id=STANDARD[1], title=product.title)
    availability = Availability.objects.create(
        sku=sku, provider_availability_id=STANDARD[2], catalog_item_id=":".join(STANDARD)
    )
    offer = Offer.objects.create(availability=availability, term="P1Y", billing_cycle="monthly")
    return World(connection, tenant, offer, pc_sandbox.url)


def database_url() -> str:
    """The URL of the test database, for worker processes."""
    params = db.settings_dict
    if db.vendor == "sqlite":
        return f"sqlite:///{params['NAME']}"
    user = params.get("USER") or "postgres"
    host = params.get("HOST") or "127.0.0.1"
    port = params.get("PORT") or 5432
    return f"postgresql://{user}@{host}:{port}/{params['NAME']}"


def run_worker(
    code: str,
    *,
    crash_at: str | None = None,
    marker: Path | None = None,
    timeout: int = 60,
    lease_seconds: int = 1,
) -> subprocess.CompletedProcess[str]:
    """Run `code` in a separate worker process (`cspbroker shell -c`) against the test database."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "CSPB_VAR_DIR": str(settings.VAR_DIR),
        "CSPB_OPERATION_LEASE_SECONDS": str(lease_seconds),
        "CSPB_HUEY_IMMEDIATE": "1",
    }
    env.pop("CSPB_CRASH_AT", None)
    if crash_at:
        env["CSPB_CRASH_AT"] = f"{crash_at}:{marker}"
    return subprocess.run(
        [sys.executable, "-m", "cspbroker", "shell", "-c", code],
        env=env,
        text=True,
        capture_output=True,
        timeout=timeout,
    )
