"""An existing tenant (T3): linked by domain or id, its subscriptions, users and licences imported once."""

from __future__ import annotations

from cspbroker.catalog.models import Availability, Offer, Product, Sku
from cspbroker.subscriptions.models import LedgerEntry, Subscription, SubscriptionEvent
from cspbroker.sync.jobs import directory
from cspbroker.tenants.models import LicenceAssignment, Tenant, TenantUser
from tests.integration.tenants.conftest import NORTHWIND_DOMAIN

STANDARD = "f245ecc8-75af-4f8e-b61f-27d8114de5f3"
EXCHANGE = "4b9405b0-7788-4568-add1-99614e613b69"
POWER_BI = "f8a1db68-be16-40ed-86d5-cb42ce701560"


def counts() -> dict[str, int]:
    models = [
        Subscription,
        LedgerEntry,
        SubscriptionEvent,
        TenantUser,
        LicenceAssignment,
        Product,
    ]
    return {model.__name__: model.objects.count() for model in models}


def test_linking_imports_subscriptions_users_and_assignments(northwind):
    assert northwind.is_linked and northwind.domain == NORTHWIND_DOMAIN and northwind.last_synced_at
    subscriptions = {
        s.offer.availability.catalog_item_id: s
        for s in Subscription.objects.filter(tenant=northwind).select_related("offer__availability__sku")
    }
    assert {key: (s.quantity, s.term, s.billing_cycle, s.status) for key, s in subscriptions.items()} == {
        "CFQ7TTC0LDPB:0001:CFQ7TTC0K5BF": (10, "P1Y", "monthly", "active"),
        "CFQ7TTC0LH16:0001:CFQ7TTC0K5D1": (5, "P1M", "monthly", "active"),
        "CFQ7TTC0L3PB:0001:CFQ7TTC0KDSZ": (3, "P1Y", "annual", "active"),
    }
    standard = subscriptions["CFQ7TTC0LDPB:0001:CFQ7TTC0K5BF"]
    assert standard.offer.availability.sku.licence_sku_id == STANDARD
    # One purchase entry: billed from the import on, at the price its term locked when it started.
    entry = standard.ledger.get()
    assert (entry.kind, entry.quantity, entry.status, entry.source) == ("purchase", 10, "active", "import")
    assert entry.term_start == standard.term_start and entry.term_start <= entry.effective_at.date()
    [event] = standard.events.all()
    assert (event.kind, event.channel, event.actor_label) == ("imported", "import", "Partner Center")
    users = dict(
        TenantUser.objects.filter(tenant=northwind).values_list("user_principal_name", "usage_location")
    )
    assert len(users) == 6 and users["steven.buchanan@northwindtraders.onmicrosoft.com"] == "GB"
    assert "admin@northwindtraders.onmicrosoft.com" in users
    held = set(LicenceAssignment.objects.values_list("user__user_principal_name", "licence_sku_id"))
    assert held == {
        ("nancy.davolio@northwindtraders.onmicrosoft.com", STANDARD),
        ("nancy.davolio@northwindtraders.onmicrosoft.com", POWER_BI),
        ("andrew.fuller@northwindtraders.onmicrosoft.com", STANDARD),
        ("janet.leverling@northwindtraders.onmicrosoft.com", STANDARD),
        ("margaret.peacock@northwindtraders.onmicrosoft.com", EXCHANGE),
    }
    seats = {item["licence_sku_id"]: (item["total"], item["consumed"]) for item in northwind.subscribed_skus}
    assert seats == {STANDARD: (10, 3), EXCHANGE: (5, 1), POWER_BI: (3, 1)}


def test_missing_catalog_entries_are_created_minimally_and_marked(northwind):
    products = Product.objects.filter(connection=northwind.connection)
    assert products.count() == 3
    assert set(products.values_list("description", flat=True)) == {"created by tenant import"}
    assert set(Offer.objects.values_list("description", flat=True)) == {"created by tenant import"}
    assert not Availability.objects.filter(is_purchasable=True).exists()


def test_an_imported_subscription_uses_the_catalog_offer_when_it_exists(
    demo, connection, api, django_capture_on_commit_callbacks
):
    product = Product.objects.create(
        connection=connection, provider_product_id="CFQ7TTC0LDPB", title="M365 BS"
    )
    sku = Sku.objects.create(product=product, provider_sku_id="0001", title="Microsoft 365 Business Standard")
    availability = Availability.objects.create(
        sku=sku, provider_availability_id="CFQ7TTC0K5BF", catalog_item_id="CFQ7TTC0LDPB:0001:CFQ7TTC0K5BF"
    )
    offer = Offer.objects.create(availability=availability, term="P1Y", billing_cycle="monthly")
    with django_capture_on_commit_callbacks(execute=True):
        api("admin@alpine-cloud.example").post(
            f"/customers/{demo.organizations['northwind'].pk}/tenants",
            {"name": NORTHWIND_DOMAIN, "existing": True},
        )
    assert Subscription.objects.filter(offer=offer, quantity=10).exists()
    assert Product.objects.filter(provider_product_id="CFQ7TTC0LDPB").count() == 1


def test_syncing_again_creates_nothing(northwind, api, django_capture_on_commit_callbacks):
    before = counts()
    with django_capture_on_commit_callbacks(execute=True):
        response = api("admin@alpine-cloud.example").post(f"/tenants/{northwind.pk}/sync")
    assert response.status_code == 202
    assert directory.sync(northwind.pk)["ok"]
    assert counts() == before


def test_a_sync_picks_up_changes_made_at_the_provider(northwind, sandbox):
    new = sandbox.call(
        "POST",
        f"/customers/{northwind.provider_tenant_id}/users",
        json={
            "userPrincipalName": f"laura.callahan@{NORTHWIND_DOMAIN}",
            "displayName": "Laura Callahan",
            "firstName": "Laura",
            "lastName": "Callahan",
            "usageLocation": "US",
        },
    ).json()["user"]
    sandbox.call(
        "POST",
        f"/customers/{northwind.provider_tenant_id}/users/{new['id']}/licenses",
        json={"assign": [POWER_BI]},
    )
    andrew = TenantUser.objects.get(user_principal_name__startswith="andrew.fuller")
    sandbox.call("DELETE", f"/customers/{northwind.provider_tenant_id}/users/{andrew.provider_user_id}")
    assert directory.sync(northwind.pk)["ok"]
    laura = TenantUser.objects.get(user_principal_name__startswith="laura.callahan")
    assert list(laura.licences.values_list("licence_sku_id", flat=True)) == [POWER_BI]
    andrew.refresh_from_db()
    assert not andrew.is_active and not andrew.licences.exists()


def test_link_by_tenant_id(demo, connection, api, sandbox, django_capture_on_commit_callbacks):
    [customer] = [c for c in sandbox.customers() if c["domain"] == NORTHWIND_DOMAIN]
    with django_capture_on_commit_callbacks(execute=True):
        response = api("admin@alpine-cloud.example").post(
            f"/customers/{demo.organizations['northwind'].pk}/tenants",
            {"name": customer["id"].upper(), "existing": True},
        )
    tenant = Tenant.objects.get(pk=response.json()["id"])
    assert (tenant.status, tenant.provider_tenant_id, tenant.domain) == (
        "active",
        customer["id"],
        NORTHWIND_DOMAIN,
    )


def test_an_unknown_tenant_fails_with_a_reason_and_can_be_corrected(
    demo, connection, api, django_capture_on_commit_callbacks
):
    admin = api("admin@alpine-cloud.example")
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(
            f"/customers/{demo.organizations['northwind'].pk}/tenants",
            {"name": "northwind", "existing": True},
        )
    tenant = Tenant.objects.get(pk=response.json()["id"])
    assert tenant.status == "failed" and tenant.failure_code == "not_found"
    assert "No customer northwind.onmicrosoft.com is in this Partner Center account" in tenant.failure_message
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(f"/tenants/{tenant.pk}/retry", {"name": NORTHWIND_DOMAIN})
    tenant.refresh_from_db()
    assert tenant.status == "active" and TenantUser.objects.filter(tenant=tenant).count() == 6


def test_a_tenant_linked_to_one_customer_cannot_be_linked_to_another(northwind, demo, api):
    response = api("admin@alpine-cloud.example").post(
        f"/customers/{demo.organizations['adventureworks'].pk}/tenants",
        {"name": NORTHWIND_DOMAIN, "existing": True},
    )
    assert response.status_code == 422 and response.json()["code"] == "tenant_exists"


def test_a_reference_must_be_an_id_or_a_domain(demo, connection, api):
    response = api().post(
        f"/customers/{demo.organizations['adventureworks'].pk}/tenants",
        {"name": "not a domain", "existing": True},
    )
    assert response.status_code == 422 and response.json()["code"] == "invalid_tenant_reference"
