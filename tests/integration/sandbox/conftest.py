"""Fixtures for the Partner Center sandbox tests: a fresh server per test, driven over real HTTP."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from cspbroker.sandbox.common.config import SandboxConfig
from cspbroker.sandbox.partnercenter.app import create_app
from tests.sandbox_servers import running_app

FIXTURES = Path(__file__).parent / "fixtures"
CLIENT_SECRET = "Sandbox-Secret-For-Tests-1"
BASIC_MONTHLY = "CFQ7TTC0LH18:0001:CFQ7TTC0K59S"
STANDARD = "CFQ7TTC0LDPB:0001:CFQ7TTC0K5BF"
BASIC_TRIAL = "CFQ7TTC0LH18:0002:CFQ7TTC0K5DJ"
TEAMS_PHONE = "CFQ7TTC0LH1G:0001:CFQ7TTC0K5G4"
OFFICE_LTSC = "DG7GMGF0D7FV:0002:DG7GMGF0F4MH"
SQL_SUBSCRIPTION = "DG7GMGF0FKZV:0001:DG7GMGF0G0QC"


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def make_config(state_dir: Path) -> SandboxConfig:
    return SandboxConfig(
        state_dir=state_dir,
        client_id="0b6f5a8e-1c2d-4e3f-8a9b-0c1d2e3f4a5b",
        client_secret=CLIENT_SECRET,
        partner_tenant_id="7a1c2b3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
        software_id_delay=timedelta(minutes=10),
    )


class PC:
    """A raw httpx client with a token, plus a few shortcuts the tests share."""

    def __init__(self, url: str, config: SandboxConfig) -> None:
        self.url = url
        self.config = config
        self.http = httpx.Client(base_url=url, timeout=10)
        token = self.http.post(
            f"/{config.partner_tenant_id}/oauth2/token",
            data={
                "grant_type": "client_credentials",
                "client_id": config.client_id,
                "client_secret": config.client_secret,
                "resource": "https://api.partnercenter.microsoft.com",
            },
        ).json()["access_token"]
        self.auth = {"Authorization": f"Bearer {token}"}

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {**self.auth, **kwargs.pop("headers", {})}
        return self.http.request(method, f"/v1{path}", headers=headers, **kwargs)

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("PATCH", path, **kwargs)

    def admin(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return self.http.request(method, f"/_sandbox{path}", **kwargs)

    def advance(self, duration: str) -> None:
        assert self.admin("POST", "/clock", json={"advance": duration}).status_code == 200

    def create_customer(self, prefix: str | None = None, country: str = "US") -> dict[str, Any]:
        body = fixture("create_customer_request.json")
        body["companyProfile"]["domain"] = f"{prefix or 'c' + uuid.uuid4().hex[:12]}.onmicrosoft.com"
        if country != "US":
            body["billingProfile"]["defaultAddress"].update(country=country, state=None)
        response = self.post("/customers", json=body)
        assert response.status_code == 201, response.text
        return dict(response.json())

    def buy(
        self,
        customer_id: str,
        catalog_item_id: str = BASIC_MONTHLY,
        quantity: int = 5,
        term: str = "P1Y",
        cycle: str = "monthly",
        **extra: Any,
    ) -> dict[str, Any]:
        """Cart → checkout; returns the new (first) subscription."""
        line = {"catalogItemId": catalog_item_id, "quantity": quantity, "billingCycle": cycle, **extra}
        if term:
            line["termDuration"] = term
        cart = self.post(f"/customers/{customer_id}/carts", json={"lineItems": [line]})
        assert cart.status_code == 201, cart.text
        checkout = self.post(f"/customers/{customer_id}/carts/{cart.json()['id']}/checkout")
        assert checkout.status_code == 201, checkout.text
        assert checkout.json()["orderErrors"] == [], checkout.json()
        order = checkout.json()["orders"][0]
        subscription_id = order["lineItems"][0].get("subscriptionId")
        if subscription_id is None:
            return {"order": order}
        return dict(self.get(f"/customers/{customer_id}/subscriptions/{subscription_id}").json())

    def subscription(self, customer_id: str, subscription_id: str) -> dict[str, Any]:
        return dict(self.get(f"/customers/{customer_id}/subscriptions/{subscription_id}").json())

    def lines(self, period: str = "current", currency: str = "USD") -> list[dict[str, Any]]:
        response = self.get(
            "/invoices/unbilled/lineitems",
            params={
                "provider": "onetime",
                "invoicelineitemtype": "billinglineitems",
                "currencycode": currency,
                "period": period,
                "size": 2000,
            },
        )
        assert response.status_code == 200, response.text
        return list(response.json()["items"])

    def audit(self, **filters: str) -> list[dict[str, Any]]:
        params: dict[str, str] = {}
        if filters:
            field, value = next(iter(filters.items()))
            params["filter"] = json.dumps({"Field": field, "Value": value, "Operator": "equals"})
        return list(self.get("/auditrecords", params=params).json()["items"])


@pytest.fixture
def state_dir(tmp_path: Path) -> Path:
    return tmp_path / "sandbox"


@pytest.fixture
def pc(state_dir: Path) -> Iterator[PC]:
    config = make_config(state_dir)
    with running_app(create_app(config)) as url:
        client = PC(url, config)
        yield client
        client.http.close()


@pytest.fixture
def customer(pc: PC) -> dict[str, Any]:
    return pc.create_customer()
