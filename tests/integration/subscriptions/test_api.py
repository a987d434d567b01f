"""The subscription API: list, detail with windows and history, changes, preview, sale price (S2–S5, C4)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest

from cspbroker.clock import platform_clock
from cspbroker.provisioning.models import Order, ProviderOperation
from cspbroker.subscriptions import ledger
from cspbroker.subscriptions.models import LedgerEntry, SubscriptionEvent
from tests.integration.subscriptions.shop import (
    CUSTOMER,
    RESELLER,
    api,
    move_clocks,
    post,
    problem_of,
    remote_subscriptions,
)

pytestmark = pytest.mark.django_db


def test_list_shows_offer_price_quantity_assigned_status_renewal_and_window(shop):
    sub = shop.buy(5)
    body = api(CUSTOMER).get("/api/v1/subscriptions").json()
    assert len(body) == 1
    row = body[0]
    assert row["offer_id"] == "CFQ7TTC0LDPB:0001:CFQ7TTC0K5BF"
    assert row["product"] == "Microsoft 365 Business Standard"
    assert row["sale_price"] == {
        "currency": "EUR",
        "unit_price": "12.5",
        "monthly": "62.50",
        "source": f"12.50 EUR per unit, price locked for the term from {sub.term_start.isoformat()}",
        "error": "",
    }
    assert (row["quantity"], row["assigned"], row["status"]) == (5, 0, "active")
    assert row["renewal_date"] == sub.commitment_end_date.isoformat()
    assert row["window"]["can_cancel"] is True
    assert row["window"]["lots"][0]["quantity"] == 5
    assert row["window"]["text"].endswith(
        "left to cancel; 5 seats reducible until " + row["window"]["text"][-16:]
    )
    assert "staff" not in row


def test_list_filters_and_sorts(shop):
    first = shop.buy(5)
    second = shop.buy(2)
    client = api(RESELLER)
    post(client, f"/api/v1/subscriptions/{second.pk}/suspend")
    assert [r["id"] for r in client.get("/api/v1/subscriptions?status=suspended").json()] == [second.pk]
    assert [r["id"] for r in client.get("/api/v1/subscriptions?sort=quantity").json()] == [
        second.pk,
        first.pk,
    ]
    by_quantity = client.get("/api/v1/subscriptions?sort=quantity&descending=true").json()
    assert [r["id"] for r in by_quantity] == [first.pk, second.pk]
    assert client.get("/api/v1/subscriptions?search=business+standard").json()
    assert client.get("/api/v1/subscriptions?search=nothing-like-this").json() == []
    other = shop.world.tenant.customer_id + 1000
    assert client.get(f"/api/v1/subscriptions?customer_id={other}").json() == []
    closing = client.get("/api/v1/subscriptions?closing_within_hours=24").json()
    assert closing == []  # the windows close in 7 days


def test_detail_has_windows_actions_and_history(shop):
    sub = shop.buy(5, email=CUSTOMER, channel="storefront")
    body = api(CUSTOMER).get(f"/api/v1/subscriptions/{sub.pk}").json()
    actions = {a["key"]: a for a in body["actions"]}
    assert actions["add_quantity"]["allowed"] and actions["cancel"]["allowed"]
    assert actions["reactivate"] == {
        "key": "reactivate",
        "label": "Reactivate",
        "allowed": False,
        "reason": "Only a suspended subscription can be reactivated; this one is active.",
        "code": "not_suspended",
    }
    migration = actions["mid_cycle_package_migration"]
    assert not migration["allowed"] and migration["code"] == "order_type_unsupported"
    assert migration["reason"].startswith("Partner Center has no package migration")
    [event] = body["history"]
    assert (event["who"], event["channel"], event["kind"]) == (CUSTOMER, "storefront", "new")
    assert event["text"] == "bought 5 seat(s)" and event["order_id"] == sub.orders.get().pk


def test_raising_the_quantity_is_previewed_then_provisioned_with_history(shop):
    sub = shop.buy(5)
    client = api(CUSTOMER)
    preview = post(client, f"/api/v1/subscriptions/{sub.pk}/preview", {"quantity": 8})
    assert preview.status_code == 200
    figures = preview.json()
    assert (figures["quantity_before"], figures["quantity_after"]) == (5, 8)
    assert (figures["monthly_before"], figures["monthly_after"], figures["monthly_difference"]) == (
        "62.50",
        "100.00",
        "37.50",
    )
    assert figures["next_bill_charge"] == "37.50" and figures["clears_scheduled_change"] is False
    assert Order.objects.count() == 1  # the preview ordered nothing
    response = post(client, f"/api/v1/subscriptions/{sub.pk}/quantity", {"quantity": 8})
    assert response.status_code == 201, response.content
    order = response.json()
    assert order["kind"] == "change_quantity" and order["channel"] == "api"
    assert order["quote"]["monthly_after"] == "100.00" and order["quote"]["total"] == "37.50"
    assert Order.objects.get(pk=order["id"]).state == "completed"
    sub.refresh_from_db()
    assert sub.quantity == 8 and remote_subscriptions(shop.world)[0].quantity == 8
    quantities = LedgerEntry.objects.filter(subscription=sub, kind__in=["purchase", "quantity"]).order_by(
        "id"
    )
    assert [q.quantity for q in quantities] == [5, 8]
    event = SubscriptionEvent.objects.filter(subscription=sub, kind="change_quantity").get()
    token_ref = event.actor_ref
    assert token_ref.startswith("token:") and event.actor_label == CUSTOMER and event.channel == "api"
    history = client.get(f"/api/v1/subscriptions/{sub.pk}").json()["history"]
    assert history[0]["text"] == "quantity 5 → 8"


def test_a_decrease_after_the_window_is_refused_before_any_provider_call(shop, monkeypatch):
    sub = shop.buy(5)
    move_clocks(shop.world, monkeypatch, days=8)
    client = api(CUSTOMER)
    preview = post(client, f"/api/v1/subscriptions/{sub.pk}/preview", {"quantity": 3})
    problem_of(preview, 422, "decrease_outside_window")
    body = problem_of(
        post(client, f"/api/v1/subscriptions/{sub.pk}/quantity", {"quantity": 3}),
        422,
        "decrease_outside_window",
    )
    assert body["field"] == "quantity" and "window" in body["detail"]
    assert Order.objects.count() == 1 and ProviderOperation.objects.count() == 1  # only the purchase
    assert remote_subscriptions(shop.world)[0].quantity == 5
    detail = client.get(f"/api/v1/subscriptions/{sub.pk}").json()
    actions = {a["key"]: a for a in detail["actions"]}
    assert not actions["remove_quantity"]["allowed"] and actions["remove_quantity"]["code"]
    assert not actions["cancel"]["allowed"] and actions["cancel"]["code"] == "cancel_outside_window"
    assert detail["window"]["can_cancel"] is False and detail["window"]["lots"] == []


def test_suspend_reactivate_auto_renew_rename_and_cancel(shop):
    sub = shop.buy(5)
    client = api(RESELLER)
    for path, body in [
        ("suspend", {}),
        ("reactivate", {}),
        ("auto-renew", {"auto_renew": False}),
        ("friendly-name", {"friendly_name": "Sales team"}),
        ("cancel", {"billing_only": False}),
    ]:
        response = post(client, f"/api/v1/subscriptions/{sub.pk}/{path}", body)
        assert response.status_code == 201, (path, response.content)
        assert Order.objects.get(pk=response.json()["id"]).state == "completed", path
    sub.refresh_from_db()
    assert (sub.status, sub.auto_renew, sub.friendly_name) == ("cancelled", False, "Sales team")
    statuses = LedgerEntry.objects.filter(subscription=sub, kind__in=["purchase", "status"]).order_by("id")
    assert [s.status for s in statuses] == [
        "active",
        "suspended",
        "active",
        "cancelled",
    ]
    texts = [e["text"] for e in client.get(f"/api/v1/subscriptions/{sub.pk}").json()["history"]]
    assert texts[:5] == [
        "status active → cancelled",
        "name “Microsoft 365 Business Standard” → “Sales team”",
        "auto-renew on → off",
        "status suspended → active",
        "status active → suspended",
    ]
    problem_of(post(client, f"/api/v1/subscriptions/{sub.pk}/suspend"), 422, "subscription_cancelled")


def test_cancel_billing_only_stops_billing_and_leaves_the_provider_alone(shop):
    sub = shop.buy(5)
    response = post(api(RESELLER), f"/api/v1/subscriptions/{sub.pk}/cancel", {"billing_only": True})
    assert response.status_code == 201 and response.json()["state"] == "completed"
    sub.refresh_from_db()
    assert sub.billing_cancelled_on is not None and sub.status == "active"
    assert remote_subscriptions(shop.world)[0].status.value == "active"
    assert LedgerEntry.objects.filter(subscription=sub, kind="status", status="billing_cancelled").exists()


def test_staff_set_a_historic_sale_price_from_a_date(shop):
    sub = shop.buy(5)
    later = sub.start_date + timedelta(days=1)
    client = api(RESELLER)
    response = client.put(
        f"/api/v1/subscriptions/{sub.pk}/sale-price",
        data={"unit_price": "11.00", "effective_from": later.isoformat()},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["unit_price"] == "11"
    again = client.put(
        f"/api/v1/subscriptions/{sub.pk}/sale-price",
        data={"unit_price": "10.50", "effective_from": later.isoformat()},
        content_type="application/json",
    )
    assert again.status_code == 200
    prices = LedgerEntry.objects.filter(subscription=sub, kind="price").order_by("id")
    assert [(p.price_from, p.unit_price) for p in prices] == [
        (later, Decimal("11")),
        (later, Decimal("10.5")),
    ]
    events = SubscriptionEvent.objects.filter(subscription=sub, kind="sale_price").order_by("id")
    assert [(e.old_value, e.new_value) for e in events] == [
        (None, f"11 EUR from {later.isoformat()}"),
        ("11 EUR", f"10.5 EUR from {later.isoformat()}"),
    ]
    detail = client.get(f"/api/v1/subscriptions/{sub.pk}").json()
    assert detail["sale_prices"][0]["unit_price"] == "10.5"
    assert detail["sale_price"]["unit_price"] == "12.5"  # today is still before the new price
    early = client.put(
        f"/api/v1/subscriptions/{sub.pk}/sale-price",
        data={"unit_price": "1", "effective_from": (sub.start_date - timedelta(days=1)).isoformat()},
        content_type="application/json",
    )
    problem_of(early, 422, "before_start")
    refused = api(CUSTOMER).put(
        f"/api/v1/subscriptions/{sub.pk}/sale-price",
        data={"unit_price": "1", "effective_from": date.today().isoformat()},
        content_type="application/json",
    )
    problem_of(refused, 403, "permission_denied")


def test_the_historic_price_applies_from_its_date_in_list_and_preview(shop):
    sub = shop.buy(5)
    ledger.record_price(
        sub,
        unit_price=Decimal("11.00"),
        currency="EUR",
        effective_from=sub.start_date,
        origin=ledger.Origin("backoffice", "user:1", "staff"),
        clock=platform_clock,
    )
    row = api(RESELLER).get("/api/v1/subscriptions").json()[0]
    assert row["sale_price"]["unit_price"] == "11" and row["sale_price"]["monthly"] == "55.00"
    assert row["staff"] == {
        "cost": "10",
        "margin": "1",
        "margin_percent": "9.09",
        "price_source": "historic sales price",
    }
    preview = post(api(CUSTOMER), f"/api/v1/subscriptions/{sub.pk}/preview", {"quantity": 6}).json()
    assert preview["monthly_after"] == "66.00"


def test_no_customer_response_carries_cost_or_margin(shop):
    sub = shop.buy(5)
    client = api(CUSTOMER)
    responses = [
        client.get("/api/v1/subscriptions"),
        client.get(f"/api/v1/subscriptions/{sub.pk}"),
        post(client, f"/api/v1/subscriptions/{sub.pk}/preview", {"quantity": 7}),
        post(client, f"/api/v1/subscriptions/{sub.pk}/quantity", {"quantity": 7}),
        client.get("/api/v1/orders"),
        client.get(f"/api/v1/orders/{sub.orders.first().pk}"),
    ]
    for response in responses:
        assert response.status_code in (200, 201), response.content
        text = json.dumps(response.json())
        for word in ("cost", "margin", "staff", "10.00 EUR", "Tailspin EUR"):
            assert word not in text, (word, response.request["PATH_INFO"], text)
    staff = api(RESELLER).get(f"/api/v1/subscriptions/{sub.pk}").json()
    assert staff["staff"]["cost"] == "10" and staff["staff"]["margin"] == "2.5"


def test_a_distributor_subscription_disables_what_the_distributor_cannot_do(shop):
    from cspbroker.connections.models import Connection

    sub = shop.buy(5)
    Connection.objects.filter(pk=shop.world.connection.pk).update(kind="distributor")
    client = api(RESELLER)
    actions = {a["key"]: a for a in client.get(f"/api/v1/subscriptions/{sub.pk}").json()["actions"]}
    assert not actions["cancel"]["allowed"] and actions["cancel"]["code"] == "order_type_unsupported"
    assert actions["cancel"]["reason"].startswith("The cancellation only cancels the billing")
    assert actions["billing_only_cancel"]["allowed"]
    assert actions["mid_cycle_package_migration"]["reason"] == (
        "Mid-cycle package migrations are not supported by the Rhipe platform."
    )
    problem_of(
        post(client, f"/api/v1/subscriptions/{sub.pk}/cancel", {"billing_only": False}),
        422,
        "order_type_unsupported",
    )
    assert Order.objects.count() == 1


def test_a_price_beyond_the_columns_bounds_is_refused_and_writes_nothing(shop):
    sub = shop.buy(5)
    client = api(RESELLER)
    for price in ("1e20", "1000000000", "-1", "0.0000001"):
        response = client.put(
            f"/api/v1/subscriptions/{sub.pk}/sale-price",
            data={"unit_price": price, "effective_from": sub.start_date.isoformat()},
            content_type="application/json",
        )
        problem = problem_of(response, 422, "invalid_price")
        assert problem["field"] == "unit_price", price
    assert not LedgerEntry.objects.filter(subscription=sub, kind="price").exists()
    assert client.get(f"/api/v1/subscriptions/{sub.pk}").status_code == 200
