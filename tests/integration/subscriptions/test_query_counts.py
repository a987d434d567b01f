"""The subscription list costs the same number of queries for 2 subscriptions as for 20 (no N+1)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cspbroker.domain.clock import FrozenClock
from cspbroker.subscriptions import ledger
from cspbroker.subscriptions.models import Subscription
from cspbroker.tenants.models import LicenceAssignment, TenantUser
from tests.integration.subscriptions.shop import CUSTOMER, RESELLER, api

pytestmark = pytest.mark.django_db


def add_subscriptions(shop, count: int, start: int) -> None:
    sku = shop.offer.availability.sku
    sku.refresh_from_db()
    for n in range(start, start + count):
        sub = Subscription.objects.create(
            tenant=shop.tenant,
            offer=shop.offer if n % 2 else shop.addon,
            provider_subscription_id=f"sub-{n}",
            quantity=n + 1,
            status="active",
            term="P1Y",
            billing_cycle="monthly",
            start_date=date(2026, 1, 1),
            cancellation_allowed_until=timezone.now() + timedelta(days=2),
            refundable_lots=[
                {"quantity": 1, "allowed_until": (timezone.now() + timedelta(days=2)).isoformat()}
            ],
        )
        if n % 3 == 0:
            ledger.record_price(
                sub,
                unit_price=Decimal("11"),
                currency="EUR",
                effective_from=date(2026, 1, 1),
                origin=ledger.Origin("backoffice", "user:1", "staff"),
                clock=FrozenClock(datetime(2026, 1, 1, 12, tzinfo=UTC)),
            )
        user = TenantUser.objects.create(
            tenant=shop.tenant, user_principal_name=f"u{n}@x.example", display_name="U"
        )
        LicenceAssignment.objects.create(user=user, licence_sku_id=sku.licence_sku_id)


def queries(fetch) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = fetch()
        assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    ("email", "path"),
    [
        (RESELLER, "/api/v1/subscriptions"),
        (CUSTOMER, "/api/v1/subscriptions"),
        (RESELLER, "/backoffice/subscriptions/"),
        (CUSTOMER, "/store/subscriptions/"),
        (RESELLER, "/backoffice/subscriptions/export.csv"),
    ],
)
def test_the_list_does_not_grow_with_the_subscriptions(shop, demo, email, path):
    client = api(email) if path.startswith("/api/") else demo.client_for(email)
    add_subscriptions(shop, 2, 0)
    client.get(path)  # warm caches (content types, sessions) once
    few = queries(lambda: client.get(path))
    add_subscriptions(shop, 18, 2)
    many = queries(lambda: client.get(path))
    assert many == few, (few, many)
    if path.startswith("/api/"):
        rows = client.get(path).json()
        assert len(rows) == 20
        assert {row["assigned"] for row in rows if row["offer_id"].startswith("CFQ7TTC0LDPB")} == {20}
    print(f"{path} as {email}: {few} queries for 2 subscriptions, {many} for 20")
