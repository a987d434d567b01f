"""Fixtures for the catalog tests: sandboxes we can change between imports, connections, huey inline."""

from __future__ import annotations

import copy
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from huey.contrib.djhuey import HUEY

from cspbroker.accounts.access import SYSTEM
from cspbroker.connections import services as connections
from cspbroker.connections.models import Connection
from cspbroker.sandbox.common.config import SandboxConfig
from cspbroker.sandbox.partnercenter.catalog_data import PRODUCTS
from tests.sandbox_servers import running_app

BASIC = "CFQ7TTC0LH18:0001:CFQ7TTC0K59S"  # Microsoft 365 Business Basic
E3 = "CFQ7TTC0LFLZ:0001:CFQ7TTC0K5NQ"  # Microsoft 365 E3 (has P3Y and triennial)


@dataclass
class PartnerCenter:
    url: str
    tenant_id: str
    client_id: str
    client_secret: str
    app: Any

    @property
    def token_url(self) -> str:
        return f"{self.url}/{{tenant}}/oauth2/token"

    def replace_catalog(self, products: list[dict[str, Any]]) -> None:
        """Change what the sandbox sells, as Microsoft does between two imports."""
        self.app.state.pc.catalog.__init__(products)

    def change(self, edit: Any) -> None:
        products = copy.deepcopy(PRODUCTS)
        edit(products)
        self.replace_catalog(products)


@pytest.fixture
def partner_center(tmp_path) -> Iterator[PartnerCenter]:
    from cspbroker.sandbox.partnercenter.app import create_app

    config = SandboxConfig(
        state_dir=tmp_path / "pc",
        client_id=str(uuid.uuid4()),
        client_secret="sandbox-" + uuid.uuid4().hex,
        partner_tenant_id=str(uuid.uuid4()),
    )
    config.state_dir.mkdir(parents=True)
    app = create_app(config)
    with running_app(app) as url:
        yield PartnerCenter(url, config.partner_tenant_id, config.client_id, config.client_secret, app)


@pytest.fixture
def pc_connection(demo, partner_center) -> Connection:
    """The operator's Partner Center connection, pointed at the sandbox."""
    return connections.create_connection(
        actor=SYSTEM,
        organization_id=demo.organizations["operator"].pk,
        kind="partner_center",
        name="Partner Center (sandbox)",
        base_url=partner_center.url,
        token_url=partner_center.token_url,
        tenant_id=partner_center.tenant_id,
        client_id=partner_center.client_id,
        client_secret=partner_center.client_secret,
    )


@pytest.fixture
def huey_inline() -> Iterator[None]:
    """Run huey tasks at once, in the test's thread (restored afterwards)."""
    previous = HUEY.immediate
    HUEY.immediate = True
    try:
        yield
    finally:
        HUEY.immediate = previous


def import_catalog(connection: Connection) -> Any:
    """Run an import of `connection` now, in this thread; returns the finished `CatalogImport`."""
    from cspbroker.catalog import services
    from cspbroker.catalog.jobs import imports
    from cspbroker.clock import platform_clock

    run = services.request_import(
        actor=SYSTEM, connection_id=connection.pk, clock=platform_clock, enqueue=False
    )
    return imports.run_import(import_id=run.pk, clock=platform_clock)


@pytest.fixture
def catalog(pc_connection) -> Connection:
    """The operator's Partner Center catalog, imported from the sandbox."""
    run = import_catalog(pc_connection)
    assert run.status == "succeeded", run.message
    return pc_connection
