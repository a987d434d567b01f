"""Fixtures for the Partner Center contract and soak tests: the sandbox on a free loopback port and the
real client pointed at it, with a transport that records every exchange and a `sleep` that records
every wait instead of waiting.

Kept out of a conftest.py on purpose (the distributor and ESD tests share this folder): each module
takes its fixtures with `sandbox, wire, client = pc_fixtures()`.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from cspbroker.providers.partnercenter import PartnerCenterClient
from cspbroker.providers.partnercenter.models import (
    Address,
    CartLineItemRequest,
    NewCustomer,
    NewUser,
    Subscription,
)
from cspbroker.sandbox.common.config import SandboxConfig
from cspbroker.sandbox.partnercenter.app import create_app
from cspbroker.sandbox.partnercenter.state import PCState
from tests.sandbox_servers import running_app

CLIENT_ID = "3f1c9a4e-7b2d-4e8f-9a01-5c6d7e8f9a0b"
CLIENT_SECRET = "pc-sandbox-contract-secret-7"
PARTNER_TENANT_ID = "9b8a7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"

# Catalog items of the sandbox (sandbox/partnercenter/catalog_data.py), with their Entra SKU ids.
BASIC = "CFQ7TTC0LH18:0001:CFQ7TTC0K59S"
BASIC_AAD = "3b555118-da6a-4418-894f-7df1e2096870"
BASIC_TRIAL = "CFQ7TTC0LH18:0002:CFQ7TTC0K5DJ"
STANDARD = "CFQ7TTC0LDPB:0001:CFQ7TTC0K5BF"
STANDARD_AAD = "f245ecc8-75af-4f8e-b61f-27d8114de5f3"
EXCHANGE_PLAN_1 = "CFQ7TTC0LH16:0001:CFQ7TTC0K5D1"
EXCHANGE_PLAN_1_AAD = "4b9405b0-7788-4568-add1-99614e613b69"
TEAMS_PHONE = "CFQ7TTC0LH1G:0001:CFQ7TTC0K5G4"
OFFICE_LTSC = "DG7GMGF0D7FV:0002:DG7GMGF0F4MH"
SQL_SUBSCRIPTION = "DG7GMGF0FKZV:0001:DG7GMGF0G0QC"
NORTHWIND_DOMAIN = "northwindtraders.onmicrosoft.com"
# A password Entra's policy accepts for any of the users these tests create.
PASSWORD = "Qw7#kP2$mVx!"


@dataclass
class PcSandbox:
    """The running sandbox: its URL, its admin endpoints, and its state for direct reads."""

    url: str
    state: PCState

    def admin(self, method: str, path: str, json: Any = None) -> httpx.Response:
        """Call a `/_sandbox/...` admin endpoint (no token needed); fails the test on an error."""
        response = httpx.request(method, f"{self.url}{path}", json=json, timeout=10)
        assert response.status_code < 400, response.text
        return response

    def add_fault(self, **rule: Any) -> None:
        self.admin("POST", "/_sandbox/faults", rule)

    def faults(self) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = self.admin("GET", "/_sandbox/faults").json()["items"]
        return items

    def clear_faults(self) -> None:
        self.admin("DELETE", "/_sandbox/faults")

    def advance_clock(self, duration: str) -> None:
        self.admin("POST", "/_sandbox/clock", {"advance": duration})

    def set_clock(self, at: str) -> None:
        self.admin("POST", "/_sandbox/clock", {"set": at})

    def now(self) -> datetime:
        return datetime.fromisoformat(self.admin("GET", "/_sandbox/clock").json()["now"])

    def today(self) -> date:
        return self.now().astimezone(UTC).date()

    def settings(self, **changes: Any) -> dict[str, Any]:
        body: dict[str, Any] = self.admin("POST", "/_sandbox/settings", changes).json()
        return body

    def count(self, collection: str, parent: str | None = None) -> int:
        """Documents in the sandbox's own store, e.g. `count("orders", parent=customer_id)`."""
        return self.state.store.count(collection, parent=parent)


@dataclass(frozen=True)
class Exchange:
    """One HTTP attempt as it went over the wire."""

    method: str
    path: str
    query: str
    request_id: str | None
    correlation_id: str | None
    continuation: str | None
    status: int | None  # None: no response (connection dropped, timed out)
    echoed_request_id: str | None = None
    retry_after: str | None = None
    error: str | None = None


class RecordingTransport(httpx.HTTPTransport):
    """A real HTTP transport that also writes down every attempt (no mocking: it forwards)."""

    def __init__(self) -> None:
        super().__init__()
        self.exchanges: list[Exchange] = []
        self._lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        sent = (
            request.method,
            request.url.path,
            request.url.query.decode(),
            request.headers.get("MS-RequestId"),
            request.headers.get("MS-CorrelationId"),
            request.headers.get("MS-ContinuationToken"),
        )
        try:
            response = super().handle_request(request)
        except httpx.TransportError as error:
            self._note(Exchange(*sent, status=None, error=type(error).__name__))
            raise
        self._note(
            Exchange(
                *sent,
                status=response.status_code,
                echoed_request_id=response.headers.get("MS-RequestId"),
                retry_after=response.headers.get("Retry-After"),
            )
        )
        return response

    def _note(self, exchange: Exchange) -> None:
        with self._lock:
            self.exchanges.append(exchange)

    def api(self, method: str | None = None, path_contains: str = "") -> list[Exchange]:
        """The exchanges with the API (not the token endpoint), optionally of one method and path."""
        return [
            e
            for e in self.exchanges
            if e.path.startswith("/v1/")
            and (method is None or e.method == method)
            and path_contains in e.path
        ]


@dataclass
class Wire:
    """What the client did on the wire: every attempt, and every wait it asked for."""

    transport: RecordingTransport = field(default_factory=RecordingTransport)
    waits: list[float] = field(default_factory=list)

    def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)


def config_for(state_dir: Path, *, seed: int = 7) -> SandboxConfig:
    state_dir.mkdir(parents=True, exist_ok=True)
    return SandboxConfig(
        state_dir=state_dir,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        partner_tenant_id=PARTNER_TENANT_ID,
        seed=seed,
    )


def make_client(
    sandbox: PcSandbox,
    wire: Wire | None = None,
    *,
    secret: str = CLIENT_SECRET,
    max_attempts: int = 5,
    timeout: httpx.Timeout | None = None,
) -> PartnerCenterClient:
    """The production client, configured for the sandbox by URLs and credentials only."""
    wire = wire or Wire()
    return PartnerCenterClient(
        tenant_id=PARTNER_TENANT_ID,
        client_id=CLIENT_ID,
        client_secret=secret,
        base_url=sandbox.url,
        token_url=f"{sandbox.url}/{{tenant}}/oauth2/token",
        max_attempts=max_attempts,
        transport=wire.transport,
        sleep=wire.sleep,
        **({"timeout": timeout} if timeout is not None else {}),
    )


def pc_fixtures(*, seed: int = 7) -> tuple[Any, Any, Any]:
    """`sandbox` (fresh state and clock per test), `wire`, and `client` (the real client on both)."""

    @pytest.fixture
    def sandbox(tmp_path: Path) -> Iterator[PcSandbox]:
        app = create_app(config_for(tmp_path / "partnercenter", seed=seed))
        with running_app(app) as url:
            yield PcSandbox(url=url, state=app.state.pc)

    @pytest.fixture
    def wire() -> Wire:
        return Wire()

    @pytest.fixture
    def client(sandbox: PcSandbox, wire: Wire) -> Iterator[PartnerCenterClient]:
        with make_client(sandbox, wire) as partner_center:
            yield partner_center

    return sandbox, wire, client


# -- requests the tests build ---------------------------------------------------------------------


def an_address(country: str = "US", **changes: Any) -> Address:
    fields: dict[str, Any] = {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "address_line1": "1 Microsoft Way",
        "city": "Redmond",
        "state": "WA",
        "postal_code": "98052",
        "country": country,
    }
    fields.update(changes)
    return Address(**fields)


def a_new_customer(
    prefix: str | None = None, *, address: Address | None = None, **changes: Any
) -> NewCustomer:
    prefix = prefix or "c" + uuid.uuid4().hex[:14]
    fields: dict[str, Any] = {
        "domain": f"{prefix}.onmicrosoft.com",
        "company_name": f"{prefix.title()} Ltd",
        "email": f"billing@{prefix}.example",
        "address": address or an_address(),
    }
    fields.update(changes)
    return NewCustomer(**fields)


def a_new_user(domain: str, alias: str, *, usage_location: str = "US") -> NewUser:
    return NewUser(
        user_principal_name=f"{alias}@{domain}",
        first_name="Grace",
        last_name="Hopper",
        display_name=f"Grace Hopper ({alias})",
        usage_location=usage_location,
        password=PASSWORD,
    )


def a_line(
    catalog_item_id: str = BASIC,
    quantity: int = 5,
    *,
    term: str | None = "P1Y",
    cycle: str = "monthly",
    **extra: Any,
) -> CartLineItemRequest:
    return CartLineItemRequest(
        catalog_item_id=catalog_item_id, quantity=quantity, billing_cycle=cycle, term_duration=term, **extra
    )


def buy(client: PartnerCenterClient, customer_id: str, *lines: CartLineItemRequest) -> list[Subscription]:
    """Cart → checkout → the subscriptions the orders created (default: 5 × Business Basic P1Y monthly)."""
    cart = client.create_cart(customer_id, lines or (a_line(),))
    result = client.checkout_cart(customer_id, cart.id)
    assert result.order_errors == (), result.order_errors
    return [
        client.get_subscription(customer_id, item.subscription_id)
        for order in result.orders
        for item in order.line_items
        if item.subscription_id
    ]
