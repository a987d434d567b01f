"""Contract of the distributor client against the distributor sandbox, over real HTTP on loopback."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import httpx
import pytest

from cspbroker.providers.distributor import CreatedDistributorTenant, DistributorClient
from cspbroker.providers.errors import ProviderAuthError, ProviderRejected
from cspbroker.providers.partnercenter.models import Address
from cspbroker.providers.ports import (
    DistributorTenantsPort,
    NewDistributorTenant,
    OrderType,
    UsagePort,
    UsageRecord,
)
from cspbroker.sandbox.distributor import create_app
from tests.integration.providers._distributor_fixtures import (
    CLIENT_ID,
    CLIENT_SECRET,
    Sandbox,
    config_for,
    sandbox_fixture,
)
from tests.sandbox_servers import running_app

sandbox = sandbox_fixture(create_app)

CONTOSO = "1a1a7978-9abc-4c08-8666-0386af41a786"
FABRIKAM = "8a7b67bf-20c8-4fda-9ec3-92a22993c50d"
CONTOSO_BUSINESS_STANDARD = "207ee6e0-bff5-41f1-92d7-d9eb0363e3f0"
BUSINESS_BASIC = "5f93532b-1b18-4087-9f0d-a72e5171c491"
BUSINESS_PREMIUM = "a9d9de1f-3e0f-48b1-96a0-54f401faeb79"
# 2025-03-01..07: Contoso's Azure plan has 3 meters, Fabrikam's 4 → 7 records a day.
WEEK = (date(2025, 3, 1), date(2025, 3, 7))
RECORDS_IN_WEEK = 49


def make_client(sandbox: Sandbox, *, secret: str = CLIENT_SECRET) -> DistributorClient:
    return DistributorClient(
        sandbox.url,
        f"{sandbox.url}/core/connect/token",
        CLIENT_ID,
        secret,
        backoff_base=0.01,
        timeout=httpx.Timeout(10.0),
    )


@pytest.fixture
def client(sandbox: Sandbox) -> Iterator[DistributorClient]:
    with make_client(sandbox) as distributor:
        yield distributor


def a_new_tenant(prefix: str) -> NewDistributorTenant:
    return NewDistributorTenant(
        domain=f"{prefix}.onmicrosoft.com",
        company_name="Acme Widgets Pty Ltd",
        email="it@acme.example",
        address=Address(
            first_name="Ada",
            last_name="Lovelace",
            address_line1="1 George Street",
            city="Sydney",
            state="NSW",
            postal_code="2000",
            country="AU",
        ),
    )


# -- token --------------------------------------------------------------------------------------


def test_token_with_good_credentials_is_issued_for_scope_rhipeapi(sandbox: Sandbox) -> None:
    response = httpx.post(
        f"{sandbox.url}/core/connect/token",
        data={
            "grant_type": "client_credentials",
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "scope": "rhipeapi",
        },
    )

    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    me = httpx.get(f"{sandbox.url}/api/v1/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200


def test_bad_credentials_are_refused_with_401(sandbox: Sandbox) -> None:
    form = {
        "grant_type": "client_credentials",
        "client_id": CLIENT_ID,
        "client_secret": "wrong",
        "scope": "rhipeapi",
    }

    assert httpx.post(f"{sandbox.url}/core/connect/token", data=form).status_code == 401
    assert httpx.get(f"{sandbox.url}/api/v2/microsoftcsp/tenants").status_code == 401
    with make_client(sandbox, secret="wrong") as client, pytest.raises(ProviderAuthError):
        client.me()


# -- tenants ------------------------------------------------------------------------------------


def test_tenants_list_and_get_with_subscriptions_and_raw_statuses(client: DistributorClient) -> None:
    tenants = {tenant.tenant_id: tenant for tenant in client.list_tenants()}

    assert {CONTOSO, FABRIKAM} <= set(tenants)
    fabrikam = client.get_tenant(FABRIKAM)
    assert fabrikam == tenants[FABRIKAM]
    assert fabrikam.customer_name == "Fabrikam Retail Ltd"
    assert fabrikam.domain == "fabrikamretail.onmicrosoft.com"
    statuses = {sub.product_name: sub.status for sub in fabrikam.subscriptions}
    # Statuses a client might not know are kept as the distributor wrote them.
    assert statuses["Microsoft 365 Business Basic (Trial)"] == "Expired"
    assert statuses["Microsoft Teams Essentials"] == "Suspended"
    premium = next(sub for sub in fabrikam.subscriptions if sub.product_id == BUSINESS_PREMIUM)
    assert (premium.quantity, premium.billing_cycle) == (10, "Annual")


def test_unknown_tenant_is_rejected_as_not_found(client: DistributorClient) -> None:
    with pytest.raises(ProviderRejected) as refused:
        client.get_tenant(str(uuid.uuid4()))

    assert (refused.value.status, refused.value.code) == (404, "TenantNotFound")


def test_create_tenant_then_its_domain_is_taken(client: DistributorClient) -> None:
    assert client.is_domain_available("acmewidgets.onmicrosoft.com") is True
    request_id = str(uuid.uuid4())

    created = client.create_tenant(a_new_tenant("acmewidgets"), request_id=request_id)

    assert isinstance(created, CreatedDistributorTenant)
    assert created.domain == "acmewidgets.onmicrosoft.com"
    assert created.admin_username == "admin@acmewidgets.onmicrosoft.com"
    assert created.admin_password
    assert client.get_tenant(created.tenant_id).customer_name == "Acme Widgets Pty Ltd"
    assert client.is_domain_available("acmewidgets") is False
    # A retry with the same request id is the same tenant, not a conflict.
    assert (
        client.create_tenant(a_new_tenant("acmewidgets"), request_id=request_id).tenant_id
        == created.tenant_id
    )
    with pytest.raises(ProviderRejected) as refused:
        client.create_tenant(a_new_tenant("acmewidgets"))
    assert (refused.value.status, refused.value.code) == (409, "DomainAlreadyExists")


def test_create_tenant_without_an_address_says_what_is_missing(
    sandbox: Sandbox, client: DistributorClient
) -> None:
    with pytest.raises(ProviderRejected) as refused:
        client.http.post(
            "/api/v2/microsoftcsp/tenants", json={"DomainPrefix": "noaddress", "CustomerName": "X"}
        )

    assert (refused.value.status, refused.value.code) == (400, "MissingFields")
    assert "Address.City" in refused.value.description


# -- subscriptions ------------------------------------------------------------------------------


def test_subscription_add_change_cancel(client: DistributorClient) -> None:
    added = client.create_subscription(CONTOSO, BUSINESS_BASIC, 5, billing_cycle="Monthly")
    assert (added.status, added.quantity, added.product_name) == ("Active", 5, "Microsoft 365 Business Basic")

    changed = client.set_subscription_quantity(added.subscription_id, 8)
    assert changed.quantity == 8
    assert client.get_subscription(added.subscription_id).quantity == 8
    assert client.suspend_subscription(added.subscription_id).status == "Suspended"
    assert client.reactivate_subscription(added.subscription_id).status == "Active"

    cancelled = client.cancel_subscription(added.subscription_id)
    assert cancelled.status == "Cancelled"
    with pytest.raises(ProviderRejected) as refused:
        client.set_subscription_quantity(added.subscription_id, 9)
    assert (refused.value.status, refused.value.code) == (400, "SubscriptionNotModifiable")
    assert added.subscription_id in {s.subscription_id for s in client.get_tenant(CONTOSO).subscriptions}


def test_quantity_outside_the_product_limits_is_a_final_rejection(client: DistributorClient) -> None:
    with pytest.raises(ProviderRejected) as refused:
        client.set_subscription_quantity(CONTOSO_BUSINESS_STANDARD, 301)

    assert (refused.value.status, refused.value.code) == (400, "QuantityOutOfRange")
    assert "between 1 and 300" in refused.value.description


def test_mid_cycle_package_migration_is_not_supported(client: DistributorClient) -> None:
    assert not client.capabilities.supports(OrderType.MID_CYCLE_PACKAGE_MIGRATION)
    assert "package migration" in (client.capabilities.reason(OrderType.MID_CYCLE_PACKAGE_MIGRATION) or "")
    path = f"/api/v2/microsoftcsp/subscriptions/{CONTOSO_BUSINESS_STANDARD}"

    with pytest.raises(ProviderRejected) as endpoint:
        client.http.post(f"{path}/migrate", json={"ProductId": BUSINESS_PREMIUM})
    with pytest.raises(ProviderRejected) as patch:
        client.http.patch(path, json={"ProductId": BUSINESS_PREMIUM})

    assert (endpoint.value.status, endpoint.value.code) == (405, "PackageMigrationNotSupported")
    assert (patch.value.status, patch.value.code) == (400, "PackageMigrationNotSupported")
    assert "not supported" in endpoint.value.description
    assert client.get_subscription(CONTOSO_BUSINESS_STANDARD).product_id != BUSINESS_PREMIUM


def test_price_list_has_product_guids_and_decimal_prices_effective_on_the_date(
    client: DistributorClient,
) -> None:
    contract = client.me().contract_agreement_ids[0]

    before = {item.product_id: item for item in client.get_price_list(contract, date(2025, 3, 31))}
    after = {item.product_id: item for item in client.get_price_list(contract, date(2025, 4, 1))}

    assert (before[BUSINESS_BASIC].unit_price, after[BUSINESS_BASIC].unit_price) == (
        Decimal("7.20"),
        Decimal("8.10"),
    )
    assert after[BUSINESS_BASIC].retail_unit_price == Decimal("9.00")
    assert after[BUSINESS_BASIC].billing_cycle_options == ("Monthly", "Annual")
    assert after[BUSINESS_BASIC].currency == "AUD"
    assert all(isinstance(item.unit_price, Decimal) for item in after.values())


# -- usage --------------------------------------------------------------------------------------


def test_usage_feed_pages_with_continuation_tokens(sandbox: Sandbox, client: DistributorClient) -> None:
    start, end = WEEK
    first = client.http.get(
        "/api/v2/microsoftcsp/usage",
        params={"startDate": start.isoformat(), "endDate": end.isoformat(), "pageSize": 10},
    ).object()
    assert (len(first["Items"]), first["TotalCount"]) == (10, RECORDS_IN_WEEK)
    assert first["ContinuationToken"]

    records = list(client.list_usage(period_start=start, period_end=end, page_size=10))

    assert len(records) == RECORDS_IN_WEEK
    assert len({record.record_id for record in records}) == RECORDS_IN_WEEK
    assert {record.tenant_id for record in records} == {CONTOSO, FABRIKAM}
    assert all(start <= record.usage_date <= end for record in records)


def test_refetching_a_period_returns_identical_records(client: DistributorClient) -> None:
    start, end = WEEK

    first = list(client.list_usage(period_start=start, period_end=end, page_size=7))
    second = list(client.list_usage(period_start=start, period_end=end, page_size=50))

    assert first == second


def test_usage_amounts_are_exact_decimals(client: DistributorClient) -> None:
    records = list(client.list_usage(period_start=WEEK[0], period_end=WEEK[1]))

    for record in records:
        assert isinstance(record, UsageRecord)
        for amount in (record.units, record.unit_rate, record.carrier_charge, record.billable_ratio):
            assert isinstance(amount, Decimal)
        assert record.carrier_charge == (record.unit_rate * record.units).quantize(
            Decimal("0.01"), ROUND_HALF_UP
        )
        assert record.currency == "AUD"
    storage = [r for r in records if r.product_name == "Storage - Standard LRS Data Stored"]
    assert {r.unit_rate for r in storage} == {Decimal("0.0310")}
    assert {r.billable_ratio for r in storage} == {Decimal("1.20")}


def test_unknown_tenants_and_products_appear_when_configured(
    sandbox: Sandbox, client: DistributorClient
) -> None:
    known_products = {item.product_id for item in client.get_price_list(70001, WEEK[1])}
    known_tenants = {tenant.tenant_id for tenant in client.list_tenants()}
    before = list(client.list_usage(period_start=WEEK[0], period_end=WEEK[1]))

    sandbox.admin("POST", "/_sandbox/usage/config", {"unknownTenantRate": 0.5, "unknownProductRate": 0.5})
    during = list(client.list_usage(period_start=WEEK[0], period_end=WEEK[1]))

    unknown_tenant = [r for r in during if r.tenant_id not in known_tenants]
    unknown_product = [r for r in during if r.product_id not in known_products]
    assert unknown_tenant
    assert unknown_product
    assert len(during) == len(before) + len(unknown_tenant) + len(unknown_product)
    # Turning the knob on adds records; it never changes the ones already fetched.
    assert set(before) <= set(during)
    sandbox.admin("POST", "/_sandbox/usage/config", {"unknownTenantRate": 0, "unknownProductRate": 0})
    assert list(client.list_usage(period_start=WEEK[0], period_end=WEEK[1])) == before


def test_explicit_usage_records_are_served_with_the_generated_ones(
    sandbox: Sandbox, client: DistributorClient
) -> None:
    sandbox.admin(
        "POST",
        "/_sandbox/usage/records",
        {
            "Records": [
                {
                    "UsageRecordId": "explicit-1",
                    "TenantId": CONTOSO,
                    "ProductId": "00000000-0000-4000-8000-000000000001",
                    "UsageDate": "2025-03-03",
                    "Units": "2.5",
                    "UnitRate": "1.1000",
                    "BillableRatio": "1.30",
                }
            ]
        },
    )

    records = {r.record_id: r for r in client.list_usage(period_start=WEEK[0], period_end=WEEK[1])}

    assert len(records) == RECORDS_IN_WEEK + 1
    explicit = records["explicit-1"]
    assert (explicit.carrier_charge, explicit.billable_ratio) == (Decimal("2.75"), Decimal("1.30"))


def test_usage_of_the_current_day_is_not_published_yet(client: DistributorClient) -> None:
    today = datetime.now(UTC).date()

    assert list(client.list_usage(period_start=today, period_end=today)) == []


def test_the_client_implements_the_ports(client: DistributorClient) -> None:
    tenants: DistributorTenantsPort = client
    usage: UsagePort = client

    assert tenants is usage


# -- faults -------------------------------------------------------------------------------------


def test_429_with_retry_after_is_waited_for_then_succeeds(
    sandbox: Sandbox, client: DistributorClient
) -> None:
    sandbox.add_fault(kind="429", path_pattern="/microsoftcsp/tenants$", next_n=1, retry_after=1)
    started = time.monotonic()

    tenants = list(client.list_tenants())

    assert len(tenants) == 3
    assert time.monotonic() - started >= 1.0
    assert sandbox.faults() == []


def test_503_twice_then_success(sandbox: Sandbox, client: DistributorClient) -> None:
    sandbox.add_fault(kind="503", path_pattern="/microsoftcsp/usage", next_n=2, retry_after=1)

    records = list(client.list_usage(period_start=WEEK[0], period_end=WEEK[0]))

    assert len(records) == 7
    assert sandbox.faults() == []


def test_a_500_on_create_is_retried_and_the_subscription_created_once(
    sandbox: Sandbox, client: DistributorClient
) -> None:
    sandbox.add_fault(kind="500", path_pattern="/tenants/.+/subscriptions$", next_n=1)
    before = len(client.get_tenant(CONTOSO).subscriptions)

    client.create_subscription(CONTOSO, BUSINESS_BASIC, 2, request_id=str(uuid.uuid4()))

    assert len(client.get_tenant(CONTOSO).subscriptions) == before + 1


def test_a_final_400_is_rejected_without_retrying(sandbox: Sandbox, client: DistributorClient) -> None:
    with pytest.raises(ProviderRejected) as refused:
        client.create_subscription(CONTOSO, "not-a-product", 1)

    assert (refused.value.status, refused.value.code) == (400, "InvalidProduct")
    assert refused.value.request_id


# -- state --------------------------------------------------------------------------------------


def test_state_survives_a_restart_and_reset_restores_the_demo_data(tmp_path: Path) -> None:
    with running_app(create_app(config_for(tmp_path))) as url, make_client(Sandbox(url, tmp_path)) as client:
        created = client.create_tenant(a_new_tenant("persisted"))

    with running_app(create_app(config_for(tmp_path))) as url:
        restarted = Sandbox(url, tmp_path)
        with make_client(restarted) as client:
            assert client.get_tenant(created.tenant_id).domain == "persisted.onmicrosoft.com"
            restarted.admin("POST", "/_sandbox/reset")
            assert {tenant.tenant_id for tenant in client.list_tenants()} == {
                CONTOSO,
                FABRIKAM,
                "e56b3f0a-9f87-4a15-99f2-5eccf11d0b78",
            }
