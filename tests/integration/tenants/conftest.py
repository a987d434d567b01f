"""Fixtures for tenants, users and licences: huey in immediate mode, a Partner Center connection to a
fresh sandbox, API helpers and the sandbox's own admin endpoints (out-of-band changes)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from django.test import Client
from huey.contrib.djhuey import HUEY

from cspbroker.accounts import services as accounts
from cspbroker.accounts.access import SYSTEM
from cspbroker.accounts.models import User
from cspbroker.connections import services as connections
from cspbroker.connections.models import Connection
from cspbroker.notifications import services as notifications
from cspbroker.tenants.models import Tenant

NORTHWIND_DOMAIN = "northwindtraders.onmicrosoft.com"


@pytest.fixture(autouse=True)
def immediate_huey() -> Iterator[None]:
    previous = HUEY.immediate
    HUEY.immediate = True
    yield
    HUEY.immediate = previous


@pytest.fixture(autouse=True)
def _templates(db) -> None:
    notifications.install_default_templates()


@pytest.fixture
def connection(demo, pc_sandbox) -> Connection:
    """The operator's Partner Center connection, at the sandbox; every customer's tenant uses it."""
    return connections.create_connection(
        actor=SYSTEM,
        organization_id=demo.organizations["operator"].pk,
        kind="partner_center",
        name="Partner Center (sandbox)",
        base_url=pc_sandbox.url,
        token_url=pc_sandbox.token_url,
        tenant_id=pc_sandbox.tenant_id,
        client_id=pc_sandbox.client_id,
        client_secret=pc_sandbox.client_secret,
    )


class Api:
    """A bearer-token API client for one person."""

    def __init__(self, email: str) -> None:
        user = User.objects.get(email=email)
        token = accounts.create_api_token(user_id=user.pk, name="tests").secret
        self.client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")

    def get(self, path: str, **params: Any):
        return self.client.get(f"/api/v1{path}", data=params)

    def post(self, path: str, body: Any = None):
        return self.client.post(f"/api/v1{path}", data=body or {}, content_type="application/json")

    def delete(self, path: str):
        return self.client.delete(f"/api/v1{path}")


@pytest.fixture
def api(demo):
    cache: dict[str, Api] = {}

    def for_email(email: str = "admin@tailspin.example") -> Api:
        if email not in cache:
            cache[email] = Api(email)
        return cache[email]

    return for_email


@dataclass
class SandboxAdmin:
    url: str

    def call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        response = httpx.request(method, f"{self.url}/_sandbox{path}", timeout=10, **kwargs)
        assert response.status_code < 400, response.text
        return response

    def customers(self) -> list[dict[str, Any]]:
        from cspbroker.connections.clients import partner_center_client

        client = partner_center_client(Connection.objects.get())
        try:
            return [{"id": c.id, "domain": c.domain} for c in client.list_customers()]
        finally:
            client.close()

    def fault(self, **rule: Any) -> None:
        self.call("POST", "/faults", json=rule)

    def clear_faults(self) -> None:
        self.call("DELETE", "/faults")


@pytest.fixture
def sandbox(pc_sandbox) -> SandboxAdmin:
    return SandboxAdmin(pc_sandbox.url)


def create_tenant(api_client: Api, customer_id: int, name: str, **extra: Any):
    return api_client.post(f"/customers/{customer_id}/tenants", {"name": name, **extra})


@pytest.fixture
def new_tenant(demo, connection, api, django_capture_on_commit_callbacks) -> Tenant:
    """Adventure Works' new tenant, created through the API and active."""
    with django_capture_on_commit_callbacks(execute=True):
        response = create_tenant(api(), demo.organizations["adventureworks"].pk, "adventureworks")
    assert response.status_code == 202, response.content
    tenant = Tenant.objects.get(pk=response.json()["id"])
    assert tenant.status == "active", (tenant.failure_code, tenant.failure_message)
    return tenant


@pytest.fixture
def northwind(demo, connection, api, django_capture_on_commit_callbacks) -> Tenant:
    """The sandbox's existing tenant, linked to the demo customer Northwind (under the operator)."""
    with django_capture_on_commit_callbacks(execute=True):
        response = api("admin@alpine-cloud.example").post(
            f"/customers/{demo.organizations['northwind'].pk}/tenants",
            {"name": NORTHWIND_DOMAIN, "existing": True},
        )
    assert response.status_code == 202, response.content
    tenant = Tenant.objects.get(pk=response.json()["id"])
    assert tenant.status == "active", (tenant.failure_code, tenant.failure_message)
    return tenant
