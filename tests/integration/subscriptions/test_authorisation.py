"""Who may do what, on every page and endpoint of subscriptions, orders and approvals.

- a customer asking for another customer's subscription or order: 404 (never a 403 that confirms it);
- reseller staff of another reseller: 404;
- a customer user: reads, never changes (403);
- customers never reach the back office (404).
"""

from __future__ import annotations

import pytest
from django.test import Client

from cspbroker.provisioning.models import Order, OrderKind, OrderState
from tests.integration.subscriptions.shop import (
    CUSTOMER,
    CUSTOMER_USER,
    OTHER_CUSTOMER,
    OTHER_RESELLER,
    RESELLER,
    api,
    committed,
)

pytestmark = pytest.mark.django_db

API_READS = ["/api/v1/subscriptions/{sub}", "/api/v1/orders/{failed}"]
API_WRITES = [
    ("post", "/api/v1/subscriptions/{sub}/quantity", {"quantity": 6}),
    ("post", "/api/v1/subscriptions/{sub}/suspend", {}),
    ("post", "/api/v1/subscriptions/{sub}/reactivate", {}),
    ("post", "/api/v1/subscriptions/{sub}/cancel", {"billing_only": True}),
    ("post", "/api/v1/subscriptions/{sub}/auto-renew", {"auto_renew": False}),
    ("post", "/api/v1/subscriptions/{sub}/friendly-name", {"friendly_name": "x"}),
    ("put", "/api/v1/subscriptions/{sub}/sale-price", {"unit_price": "1", "effective_from": "2030-01-01"}),
    ("post", "/api/v1/orders", {"tenant_id": "{tenant}", "offer_id": "{offer}", "quantity": 1}),
    ("post", "/api/v1/orders/{failed}/retry", {"quantity": 2}),
    ("post", "/api/v1/approvals/{waiting}/approve", {}),
    ("post", "/api/v1/approvals/{waiting}/reject", {"reason": "no"}),
]
STORE_READS = [
    "/store/subscriptions/{sub}/",
    "/store/subscriptions/{sub}/change/quantity/",
    "/store/subscriptions/{sub}/preview/?quantity=6",
    "/store/subscriptions/{sub}/add-on/",
    "/store/orders/{failed}/",
]
STORE_WRITES = [
    "/store/subscriptions/{sub}/change/suspend/",
    "/store/subscriptions/{sub}/change/quantity/",
    "/store/subscriptions/{sub}/add-on/",
    "/store/orders/{failed}/retry/",
]
BACKOFFICE = [
    "/backoffice/subscriptions/",
    "/backoffice/subscriptions/{sub}/",
    "/backoffice/subscriptions/{sub}/change/cancel/",
    "/backoffice/subscriptions/{sub}/preview/?quantity=6",
    "/backoffice/subscriptions/{sub}/add-on/",
    "/backoffice/subscriptions/new/",
    "/backoffice/subscriptions/export.csv",
    "/backoffice/orders/",
    "/backoffice/orders/{failed}/",
    "/backoffice/approvals/",
    "/backoffice/approvals/settings/",
    "/backoffice/approvals/settings/{customer}/",
]
BACKOFFICE_WRITES = [
    "/backoffice/subscriptions/{sub}/sale-price/",
    "/backoffice/subscriptions/{sub}/change/suspend/",
    "/backoffice/orders/{failed}/retry/",
    "/backoffice/approvals/{waiting}/decide/",
]


@pytest.fixture
def ids(shop):
    sub = shop.buy(5)
    common = {"customer": shop.tenant.customer, "tenant": shop.tenant, "channel": "storefront"}
    failed = Order.objects.create(
        kind=OrderKind.NEW, state=OrderState.FAILED, offer=shop.offer, payload={"quantity": 1}, **common
    )
    waiting = Order.objects.create(
        kind=OrderKind.NEW,
        state=OrderState.AWAITING_APPROVAL,
        offer=shop.offer,
        payload={"quantity": 1},
        **common,
    )
    return {
        "sub": sub.pk,
        "failed": failed.pk,
        "waiting": waiting.pk,
        "tenant": shop.tenant.pk,
        "offer": shop.offer.pk,
        "addon": shop.addon.pk,
        "customer": shop.tenant.customer_id,
    }


def fill(template, ids):
    return template.format(**ids)


def body_of(body, ids):
    return {k: int(fill(v, ids)) if isinstance(v, str) and v.startswith("{") else v for k, v in body.items()}


def call(client: Client, method: str, path: str, body: dict):
    with committed():
        return getattr(client, method)(path, data=body, content_type="application/json")


def orders_and_state(ids):
    return Order.objects.count(), Order.objects.get(pk=ids["waiting"]).state


@pytest.mark.parametrize("email", [OTHER_CUSTOMER, OTHER_RESELLER])
def test_outsiders_get_404_from_the_api(ids, email):
    client = api(email)
    for path in API_READS:
        assert client.get(fill(path, ids)).status_code == 404, path
    before = orders_and_state(ids)
    for method, path, body in API_WRITES:
        response = call(client, method, fill(path, ids), body_of(body, ids))
        assert response.status_code == 404, (path, response.content)
    assert orders_and_state(ids) == before
    assert client.get("/api/v1/subscriptions").json() == []
    assert client.get("/api/v1/orders").json() == []
    assert client.get("/api/v1/approvals").json() == []


def test_a_customer_user_reads_but_never_changes_through_the_api(ids):
    client = api(CUSTOMER_USER)
    for path in API_READS:
        assert client.get(fill(path, ids)).status_code == 200, path
    assert len(client.get("/api/v1/subscriptions").json()) == 1
    before = orders_and_state(ids)
    for method, path, body in API_WRITES:
        response = call(client, method, fill(path, ids), body_of(body, ids))
        assert response.status_code == 403, (path, response.content)
    assert orders_and_state(ids) == before
    preview = call(client, "post", fill("/api/v1/subscriptions/{sub}/preview", ids), {"quantity": 6})
    assert preview.status_code == 200  # a preview changes nothing


def test_store_pages_of_another_customer_are_404(ids, demo):
    client = demo.client_for(OTHER_CUSTOMER)
    for path in STORE_READS:
        assert client.get(fill(path, ids)).status_code == 404, path
    for path in STORE_WRITES:
        assert client.post(fill(path, ids), {"quantity": "6"}).status_code == 404, path
    assert "Business Standard" not in client.get("/store/subscriptions/").content.decode()
    assert "Business Standard" not in client.get("/store/orders/").content.decode()


def test_a_customer_user_reads_store_pages_but_cannot_change(ids, demo):
    client = demo.client_for(CUSTOMER_USER)
    for path in STORE_READS:
        assert client.get(fill(path, ids)).status_code == 200, path
    before = orders_and_state(ids)
    for path in STORE_WRITES:
        with committed():
            response = client.post(fill(path, ids), {"quantity": "6", "offer": ids["addon"]})
        assert response.status_code == 403, path
    assert orders_and_state(ids) == before


@pytest.mark.parametrize("email", [CUSTOMER, CUSTOMER_USER, OTHER_CUSTOMER])
def test_customers_never_reach_the_back_office(ids, demo, email):
    client = demo.client_for(email)
    for path in BACKOFFICE + BACKOFFICE_WRITES:
        assert client.get(fill(path, ids)).status_code == 404, path
    for path in BACKOFFICE_WRITES:
        assert client.post(fill(path, ids), {"decision": "approve"}).status_code == 404, path


def test_staff_of_another_reseller_get_404_in_the_back_office(ids, demo):
    client = demo.client_for(OTHER_RESELLER)
    for path in BACKOFFICE:
        response = client.get(fill(path, ids))
        assert response.status_code in (200, 404), path
        if "{" in path:
            assert response.status_code == 404, path
    for path in BACKOFFICE_WRITES:
        assert client.post(fill(path, ids), {"decision": "approve", "unit_price": "1"}).status_code == 404, (
            path
        )
    listing = client.get("/backoffice/subscriptions/").content.decode()
    assert "Adventure Works" not in listing
    assert Order.objects.get(pk=ids["waiting"]).state == OrderState.AWAITING_APPROVAL


def test_the_customers_reseller_reaches_everything(ids, demo):
    client = demo.client_for(RESELLER)
    for path in BACKOFFICE:
        assert client.get(fill(path, ids)).status_code == 200, path
