"""A billing world: the demo tree, one connection, tenants per customer, offers, and helpers to write
subscriptions with their ledger rows directly (no provider needed)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from cspbroker.catalog.models import (
    Availability,
    Offer,
    PriceList,
    PriceListEntry,
    Product,
    ProviderPrice,
    Sku,
)
from cspbroker.connections.models import Connection
from cspbroker.subscriptions.models import QuantityChange, SalePrice, StatusChange, Subscription
from cspbroker.tenants.models import Tenant, TenantStatus


@dataclass
class BillingWorld:
    demo: object
    connection: Connection
    tenants: dict[str, Tenant]
    offers: dict[str, Offer]

    def org(self, key: str):  # type: ignore[no-untyped-def]
        return self.demo.organizations[key]  # type: ignore[attr-defined]

    def subscription(
        self,
        customer: str,
        offer: str = "monthly",
        *,
        start: date,
        quantity: int,
        price: str | None = "10.00",
        currency: str | None = None,
        is_trial: bool = False,
    ) -> Subscription:
        offer_row = self.offers[offer]
        subscription = Subscription.objects.create(
            tenant=self.tenants[customer],
            offer=offer_row,
            quantity=quantity,
            status="active",
            term=offer_row.term,
            billing_cycle=offer_row.billing_cycle,
            start_date=start,
            is_trial=is_trial,
        )
        self.quantity(subscription, start, quantity)
        if price is not None:
            SalePrice.objects.create(
                subscription=subscription,
                effective_from=start,
                unit_price=Decimal(price),
                currency=currency or self.tenants[customer].customer.currency,
                set_by="test",
            )
        return subscription

    def _at(self, subscription: Subscription, day: date) -> datetime:
        zone = ZoneInfo(subscription.tenant.customer.parent.time_zone)
        return datetime.combine(day, time(12), tzinfo=zone).astimezone(UTC)

    def quantity(
        self, subscription: Subscription, day: date, quantity: int, *, refundable: bool = True
    ) -> None:
        QuantityChange.objects.create(
            subscription=subscription,
            effective_at=self._at(subscription, day),
            quantity=quantity,
            refundable=refundable,
            channel="backoffice",
        )

    def status(self, subscription: Subscription, day: date, status: str, *, refundable: bool = False) -> None:
        StatusChange.objects.create(
            subscription=subscription,
            effective_at=self._at(subscription, day),
            status=status,
            refundable=refundable,
            channel="backoffice",
        )

    def sale_price(self, subscription: Subscription, day: date, price: str) -> None:
        SalePrice.objects.create(
            subscription=subscription,
            effective_from=day,
            unit_price=Decimal(price),
            currency=subscription.tenant.customer.currency,
            set_by="test",
        )


@pytest.fixture
def bw(demo) -> BillingWorld:
    operator = demo.organizations["operator"]
    connection = Connection.objects.create(
        organization=operator,
        kind="partner_center",
        name="PC",
        base_url="https://api.partnercenter.example",
        token_url="https://login.example/{tenant}/oauth2/token",
        client_id="00000000-0000-0000-0000-000000000001",
        client_secret="secret",
    )
    tenants = {
        key: Tenant.objects.create(
            customer=demo.organizations[key],
            connection=connection,
            provider_tenant_id=f"tenant-{key}",
            domain=f"{key}.onmicrosoft.com",
            status=TenantStatus.ACTIVE,
        )
        for key in ("adventureworks", "litware", "wingtip", "northwind")
    }
    product = Product.objects.create(
        connection=connection, provider_product_id="CFQ7TTC0LDPB", title="Microsoft 365 Business Standard"
    )
    sku = Sku.objects.create(product=product, provider_sku_id="0001", title="Microsoft 365 Business Standard")
    availability = Availability.objects.create(
        sku=sku, provider_availability_id="CFQ7TTC0K5BF", catalog_item_id="CFQ7TTC0LDPB:0001:CFQ7TTC0K5BF"
    )
    offers = {
        "monthly": Offer.objects.create(availability=availability, term="P1M", billing_cycle="monthly"),
        "annual_monthly": Offer.objects.create(
            availability=availability, term="P1Y", billing_cycle="monthly"
        ),
        "annual": Offer.objects.create(availability=availability, term="P1Y", billing_cycle="annual"),
    }
    for offer in offers.values():
        for currency, cost in (("EUR", "8.00"), ("USD", "9.00"), ("JPY", "1000")):
            ProviderPrice.objects.create(
                offer=offer,
                currency=currency,
                unit_price=Decimal(cost),
                effective_from=datetime(2020, 1, 1, tzinfo=UTC),
            )
    price_list = PriceList.objects.create(
        owner=demo.organizations["tailspin"], name="Tailspin EUR", currency="EUR"
    )
    PriceListEntry.objects.create(
        price_list=price_list,
        offer=offers["monthly"],
        sale_price=Decimal("12.50"),
        effective_from=date(2020, 1, 1),
    )
    return BillingWorld(demo, connection, tenants, offers)
