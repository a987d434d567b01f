"""The order API: buy, add-ons, failures with the provider's code, retry with a corrected quantity,
and `Idempotency-Key` (S1, issue 5)."""

from __future__ import annotations

import pytest

from cspbroker.catalog.models import Sku
from cspbroker.notifications.models import OutboundEmail
from cspbroker.provisioning.models import IdempotencyRecord, Order, ProviderOperation
from cspbroker.subscriptions.models import Subscription
from tests.integration.subscriptions.shop import (
    CUSTOMER,
    RESELLER,
    api,
    bearer,
    post,
    problem_of,
    remote_subscriptions,
)

pytestmark = pytest.mark.django_db


def order_body(shop, quantity=5, **extra):
    return {"tenant_id": shop.tenant.pk, "offer_id": shop.offer.pk, "quantity": quantity, **extra}


def test_a_customer_buys_a_subscription_through_the_api(shop):
    response = post(api(CUSTOMER), "/api/v1/orders", order_body(shop, friendly_name="Office"))
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["kind"], body["state"], body["channel"], body["requested_by"]) == (
        "new",
        "approved",
        "api",
        CUSTOMER,
    )
    assert body["quote"] == {
        "currency": "EUR",
        "unit_price": "12.5",
        "quantity": 5,
        "total": "62.50",
        "monthly": "62.50",
    }
    order = api(CUSTOMER).get(f"/api/v1/orders/{body['id']}").json()
    assert order["state"] == "completed" and order["subscription_id"]
    sub = Subscription.objects.get(pk=order["subscription_id"])
    assert (sub.quantity, sub.friendly_name) == (5, "Office")
    assert [r.id for r in remote_subscriptions(shop.world)] == [sub.provider_subscription_id]
    listed = api(RESELLER).get("/api/v1/orders").json()
    assert [o["id"] for o in listed] == [body["id"]]


def test_add_ons_only_for_a_base_the_catalog_allows(shop):
    base = shop.buy(5)
    allowed = post(
        api(CUSTOMER),
        "/api/v1/orders",
        {**order_body(shop, 2), "offer_id": shop.addon.pk, "parent_subscription_id": base.pk},
    )
    assert allowed.status_code == 201, allowed.content
    addon = Subscription.objects.get(parent=base)
    assert addon.offer == shop.addon and addon.quantity == 2
    remote = {r.id: r for r in remote_subscriptions(shop.world)}
    assert remote[addon.provider_subscription_id].parent_subscription_id == base.provider_subscription_id
    refused = post(
        api(CUSTOMER),
        "/api/v1/orders",
        {**order_body(shop, 2), "offer_id": shop.foreign_addon.pk, "parent_subscription_id": base.pk},
    )
    problem_of(refused, 422, "addon_not_allowed")
    without_base = post(api(CUSTOMER), "/api/v1/orders", {**order_body(shop, 2), "offer_id": shop.addon.pk})
    assert problem_of(without_base, 422, "invalid_input")["field"] == "parent"


def test_a_quantity_outside_the_product_range_is_refused_before_any_call(shop):
    problem_of(post(api(CUSTOMER), "/api/v1/orders", order_body(shop, 0)), 422, "invalid_quantity")
    problem_of(post(api(CUSTOMER), "/api/v1/orders", order_body(shop, 10001)), 422, "quantity_out_of_range")
    assert not Order.objects.exists()


def test_a_provider_refusal_shows_its_code_and_a_corrected_retry_completes(shop):
    # Our copy of the SKU allows more than Partner Center does: the provider refuses the cart.
    Sku.objects.filter(pk=shop.offer.availability.sku_id).update(maximum_quantity=50000)
    response = post(api(RESELLER), "/api/v1/orders", order_body(shop, 20000))
    order = api(RESELLER).get(f"/api/v1/orders/{response.json()['id']}").json()
    assert (order["state"], order["failure_code"]) == ("failed", "800009")
    assert order["failure_message"] == "Error in Cart item(s)"
    failure_email = OutboundEmail.objects.get(template_key="provisioning_failed")
    assert RESELLER in failure_email.to and failure_email.subject.startswith("Provisioning failed")
    retried = post(api(RESELLER), f"/api/v1/orders/{order['id']}/retry", {"quantity": 20})
    assert retried.status_code == 201, retried.content
    order = api(RESELLER).get(f"/api/v1/orders/{order['id']}").json()
    assert (order["state"], order["payload"]["quantity"], order["failure_code"]) == ("completed", 20, "")
    assert ProviderOperation.objects.filter(order_id=order["id"]).count() == 2  # a new request id
    assert [r.quantity for r in remote_subscriptions(shop.world)] == [20]
    problem_of(post(api(RESELLER), f"/api/v1/orders/{order['id']}/retry", {}), 422, "not_failed")


def test_the_same_idempotency_key_and_body_returns_the_first_answer(shop):
    client = api(CUSTOMER)
    first = post(client, "/api/v1/orders", order_body(shop), HTTP_IDEMPOTENCY_KEY="order-1")
    second = post(client, "/api/v1/orders", order_body(shop), HTTP_IDEMPOTENCY_KEY="order-1")
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json() and second["Idempotent-Replayed"] == "true"
    assert Order.objects.count() == 1 and len(remote_subscriptions(shop.world)) == 1
    record = IdempotencyRecord.objects.get(key="order-1")
    assert record.actor_ref.startswith("token:") and record.status_code == 201
    reused = post(client, "/api/v1/orders", order_body(shop, 6), HTTP_IDEMPOTENCY_KEY="order-1")
    assert problem_of(reused, 422, "idempotency_key_reused")["field"] == "Idempotency-Key"
    assert Order.objects.count() == 1


def test_idempotency_keys_are_per_actor_and_refusals_replay_too(shop):
    mine = post(api(CUSTOMER), "/api/v1/orders", order_body(shop), HTTP_IDEMPOTENCY_KEY="k")
    theirs = post(api(RESELLER), "/api/v1/orders", order_body(shop), HTTP_IDEMPOTENCY_KEY="k")
    assert mine.status_code == theirs.status_code == 201 and mine.json()["id"] != theirs.json()["id"]
    client = api(CUSTOMER)
    refused = post(client, "/api/v1/orders", order_body(shop, 0), HTTP_IDEMPOTENCY_KEY="zero")
    again = post(client, "/api/v1/orders", order_body(shop, 0), HTTP_IDEMPOTENCY_KEY="zero")
    problem_of(refused, 422, "invalid_quantity")
    assert problem_of(again, 422, "invalid_quantity") == refused.json()
    problem_of(
        post(client, "/api/v1/orders", order_body(shop), HTTP_IDEMPOTENCY_KEY=" "),
        422,
        "invalid_idempotency_key",
    )


def test_idempotency_on_subscription_changes(shop):
    sub = shop.buy(5)
    headers = bearer(RESELLER)
    from django.test import Client

    client = Client(**headers)
    first = post(
        client, f"/api/v1/subscriptions/{sub.pk}/quantity", {"quantity": 9}, HTTP_IDEMPOTENCY_KEY="q9"
    )
    second = post(
        client, f"/api/v1/subscriptions/{sub.pk}/quantity", {"quantity": 9}, HTTP_IDEMPOTENCY_KEY="q9"
    )
    assert first.json()["id"] == second.json()["id"]
    assert Order.objects.filter(kind="change_quantity").count() == 1
    sub.refresh_from_db()
    assert sub.quantity == 9
