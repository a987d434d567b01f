"""A shop on top of the provisioning world: prices, add-ons, API tokens and a way to buy at once.

Shared by the subscription and order tests (their conftests import the fixtures from here).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.test import Client, TestCase
from huey.contrib.djhuey import HUEY

from cspbroker.accounts import services as accounts
from cspbroker.accounts.access import actor_for
from cspbroker.accounts.models import User
from cspbroker.catalog.models import (
    Availability,
    Offer,
    PriceList,
    PriceListEntry,
    Product,
    ProviderPrice,
    Sku,
)
from cspbroker.provisioning import ordering as services
from cspbroker.provisioning.models import ApprovalPolicy, Order
from cspbroker.subscriptions.models import Subscription
from tests.integration.provisioning.conftest import World

TEAMS_PHONE = ("CFQ7TTC0LH1G", "0001", "CFQ7TTC0K5G4")
DEFENDER = ("CFQ7TTC0LJ56", "0001", "CFQ7TTC0K5J9")
STANDARD_KEY = "CFQ7TTC0LDPB:0001"
CUSTOMER = "admin@adventureworks.example"
CUSTOMER_USER = "user@adventureworks.example"
RESELLER = "admin@tailspin.example"
RESELLER_STAFF = "staff@tailspin.example"
OTHER_RESELLER = "admin@woodgrove.example"
OTHER_CUSTOMER = "admin@litware.example"


@dataclass
class Shop:
    world: World
    addon: Offer  # allowed for Business Standard
    foreign_addon: Offer  # an add-on whose prerequisites exclude Business Standard
    price_list: PriceList

    @property
    def tenant(self):
        return self.world.tenant

    @property
    def offer(self) -> Offer:
        return self.world.offer

    def actor(self, email: str, via: str = "session"):
        return actor_for(User.objects.get(email=email), via=via)

    def request(self, email: str, channel: str = "storefront"):
        return services.Request(actor=self.actor(email), channel=channel)

    def buy(self, quantity: int = 5, email: str = RESELLER, channel: str = "backoffice") -> Subscription:
        """A completed purchase (the worker runs inline through the on-commit hook)."""
        with committed():
            order = services.buy(
                request=self.request(email, channel),
                tenant_id=self.tenant.pk,
                offer_id=self.offer.pk,
                quantity=quantity,
            )
        order.refresh_from_db()
        assert order.state == "completed", (order.state, order.failure_code, order.failure_message)
        return order.subscription

    def approval_on(self, organization_key: str = "adventureworks", **fields) -> ApprovalPolicy:
        org = self.world.tenant.customer if organization_key == "adventureworks" else None
        return ApprovalPolicy.objects.create(organization=org, is_enabled=True, **fields)


def bearer(email: str) -> dict[str, str]:
    user = User.objects.get(email=email)
    return {"HTTP_AUTHORIZATION": f"Bearer {accounts.create_api_token(user_id=user.pk, name='t').secret}"}


def api(email: str) -> Client:
    """A test client speaking to the API with a fresh token of `email`."""
    return Client(**bearer(email))


def _addon(world: World, ids: tuple[str, str, str], title: str, prerequisites: list[str]) -> Offer:
    product = Product.objects.create(
        connection=world.connection, provider_product_id=ids[0], title=title, category="Microsoft 365"
    )
    sku = Sku.objects.create(
        product=product, provider_sku_id=ids[1], title=title, is_addon=True, prerequisite_skus=prerequisites
    )
    availability = Availability.objects.create(
        sku=sku, provider_availability_id=ids[2], catalog_item_id=":".join(ids)
    )
    return Offer.objects.create(availability=availability, term="P1Y", billing_cycle="monthly")


@pytest.fixture
def shop(world, demo) -> Shop:
    tailspin = demo.organizations["tailspin"]
    Sku.objects.filter(pk=world.offer.availability.sku_id).update(
        licence_sku_id="f245ecc8-75af-4f8e-b61f-27d8114de5f3"
    )
    addon = _addon(world, TEAMS_PHONE, "Microsoft Teams Phone Standard", [STANDARD_KEY, "CFQ7TTC0LH18:0001"])
    foreign = _addon(world, DEFENDER, "Microsoft Defender for Business", ["CFQ7TTC0LH18:0001"])
    price_list = PriceList.objects.create(owner=tailspin, name="Tailspin EUR", currency="EUR")
    start = date(2020, 1, 1)
    for offer, cost, sale in (
        (world.offer, "10.00", "12.50"),
        (addon, "8.40", "9.90"),
        (foreign, "3.00", "4.00"),
    ):
        ProviderPrice.objects.create(
            offer=offer,
            currency="EUR",
            unit_price=Decimal(cost),
            effective_from=datetime(2020, 1, 1, tzinfo=UTC),
        )
        PriceListEntry.objects.create(
            price_list=price_list, offer=offer, sale_price=Decimal(sale), effective_from=start
        )
    return Shop(world, addon, foreign, price_list)


def committed():
    """Run the on-commit callbacks (the worker, the emails) at the end of the block, as a commit would."""
    return TestCase.captureOnCommitCallbacks(execute=True)


@pytest.fixture(autouse=True)
def inline_worker() -> Iterator[None]:
    """huey runs tasks at once, in the test's thread (restored afterwards)."""
    previous = HUEY.immediate
    HUEY.immediate = True
    try:
        yield
    finally:
        HUEY.immediate = previous


def later(days: float) -> datetime:
    return datetime.now(UTC) + timedelta(days=days)


def last_order() -> Order:
    return Order.objects.latest("id")


def remote_subscriptions(world: World):
    from cspbroker.connections.clients import partner_center_client

    client = partner_center_client(world.connection)
    try:
        return client.list_subscriptions(world.tenant.provider_tenant_id)
    finally:
        client.close()


def move_clocks(world: World, monkeypatch, days: float) -> None:
    """Move the sandbox's clock and the platform's clock forward together."""
    import httpx

    from cspbroker.clock import OFFSET_SECONDS_ENV

    httpx.post(f"{world.sandbox_url}/_sandbox/clock", json={"advance": int(days * 86400)}).raise_for_status()
    monkeypatch.setenv(OFFSET_SECONDS_ENV, str(int(days * 86400)))


def post(client: Client, path: str, body: dict | None = None, **headers):
    with committed():
        return client.post(path, data=body or {}, content_type="application/json", **headers)


def problem_of(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == code
    return body
