"""A billing world: the demo tree, one connection, tenants per customer, offers, and helpers to write
subscriptions with their ledger rows directly (no provider needed)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from cspbroker.billing.jobs.run import RunSummary, parse_cycle, run_billing
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
from cspbroker.domain.clock import FrozenClock
from cspbroker.domain.periods import billing_cycle
from cspbroker.subscriptions import ledger
from cspbroker.subscriptions.models import Subscription
from cspbroker.subscriptions.prices import lock_price
from cspbroker.tenants.models import Tenant, TenantStatus

TEST = ledger.Origin("backoffice", "test", "test")


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
        """A subscription bought on `start`; `price` is its own sales price from then on (C4), which its
        terms lock, else the price list's."""
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
        at = self._at(subscription, start)
        if price is not None:
            currency = currency or self.tenants[customer].customer.currency
            ledger.record_price(
                subscription,
                unit_price=Decimal(price),
                currency=currency,
                effective_from=start,
                origin=TEST,
                clock=FrozenClock(at),
            )
        ledger.record_purchase(
            subscription,
            effective_at=at,
            origin=TEST,
            price=lock_price(subscription, start),
            clock=FrozenClock(at),
        )
        return subscription

    def _at(self, subscription: Subscription, day: date) -> datetime:
        zone = ZoneInfo(subscription.tenant.customer.parent.time_zone)
        return datetime.combine(day, time(12), tzinfo=zone).astimezone(UTC)

    def _clock(self, subscription: Subscription, day: date, recorded: date | None) -> FrozenClock:
        return FrozenClock(self._at(subscription, recorded or day) + timedelta(minutes=1))

    def quantity(
        self,
        subscription: Subscription,
        day: date,
        quantity: int,
        *,
        refundable: bool = True,
        recorded: date | None = None,
    ) -> None:
        """The quantity became `quantity` on `day`, learned then (or on `recorded`: a late change)."""
        ledger.record_quantity(
            subscription,
            quantity=quantity,
            effective_at=self._at(subscription, day),
            origin=TEST,
            clock=self._clock(subscription, day, recorded),
            refundable=refundable,
        )

    def status(
        self,
        subscription: Subscription,
        day: date,
        status: str,
        *,
        refundable: bool = False,
        recorded: date | None = None,
    ) -> None:
        ledger.record_status(
            subscription,
            status=status,
            effective_at=self._at(subscription, day),
            origin=TEST,
            clock=self._clock(subscription, day, recorded),
            refundable=refundable,
        )

    def sale_price(
        self, subscription: Subscription, day: date, price: str, *, recorded: date | None = None
    ) -> None:
        ledger.record_price(
            subscription,
            unit_price=Decimal(price),
            currency=subscription.tenant.customer.currency,
            effective_from=day,
            origin=TEST,
            clock=self._clock(subscription, day, recorded),
        )

    def run(self, cycle: str, *, on: date | None = None, **options: Any) -> RunSummary:
        """The billing run of `cycle` as the job runs it: the day after the cycle ends (or on `on`)."""
        year, month = parse_cycle(cycle)
        day = on or billing_cycle(15, year, month).bill_date + timedelta(days=16)
        return run_billing(
            cycle=cycle, clock=FrozenClock(datetime.combine(day, time(6), tzinfo=UTC)), **options
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
