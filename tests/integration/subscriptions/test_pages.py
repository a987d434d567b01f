"""Subscription pages: the add walk (S1), changes with their preview (S2, X6), disabled actions with the
rule's reason (S3), windows (X3), history, historic sales price (C4), list, filters and CSV (S5)."""

from __future__ import annotations

import csv
import io

import pytest

from cspbroker.provisioning.models import Order
from cspbroker.subscriptions.models import LedgerEntry, Subscription
from tests.integration.subscriptions.shop import (
    CUSTOMER,
    CUSTOMER_USER,
    RESELLER,
    committed,
    move_clocks,
    remote_subscriptions,
)

pytestmark = pytest.mark.django_db


def walk_query(shop, quantity=5):
    offer = shop.offer
    return (
        f"customer={shop.tenant.customer_id}&category=Microsoft+365&billing_cycle=monthly"
        f"&product={offer.availability.sku.product_id}&offer={offer.pk}&quantity={quantity}"
    )


def test_the_walk_narrows_choices_and_prices_the_quantity_live(shop, demo):
    client = demo.client_for(CUSTOMER)
    start = client.get("/store/subscriptions/new/").content.decode()
    assert 'name="category"' in start and 'name="quantity"' not in start  # no term chosen yet
    fragment = client.get(f"/store/subscriptions/new/?{walk_query(shop, 3)}", HTTP_HX_REQUEST="true")
    text = fragment.content.decode()
    assert "<html" not in text and "Microsoft 365 Business Standard" in text
    assert "37.50 EUR" in text and "Margin" not in text and "<dt>Cost</dt>" not in text
    assert "Microsoft Teams Phone Standard" not in text  # add-ons are bought from their base
    staff = (
        demo.client_for(RESELLER)
        .get(f"/backoffice/subscriptions/new/?{walk_query(shop, 3)}")
        .content.decode()
    )
    assert "37.50 EUR" in staff and "30.00 EUR" in staff and "7.50 EUR (20.00 %)" in staff


def test_create_subscription_from_the_walk(shop, demo):
    client = demo.client_for(CUSTOMER)
    data = dict(pair.split("=") for pair in walk_query(shop, 5).replace("+", " ").split("&"))
    with committed():
        response = client.post(
            "/store/subscriptions/new/", {**data, "tenant": shop.tenant.pk, "confirm": "1"}
        )
    order = Order.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/store/orders/{order.pk}/"
    assert (order.channel, order.state, order.quote["total"]) == ("storefront", "completed", "62.50")
    page = client.get(response["Location"]).content.decode()
    assert "Completed" in page and "62.50 EUR" in page
    assert len(remote_subscriptions(shop.world)) == 1


def test_change_quantity_page_previews_then_confirms(shop, demo):
    sub = shop.buy(5)
    client = demo.client_for(CUSTOMER)
    page = client.get(f"/store/subscriptions/{sub.pk}/change/quantity/").content.decode()
    assert 'hx-get="/store/subscriptions/' in page and "left to cancel" in page
    preview = client.get(f"/store/subscriptions/{sub.pk}/preview/?quantity=8").content.decode()
    assert "100.00 EUR" in preview and "37.50 EUR" in preview and "margin" not in preview.lower()
    with committed():
        response = client.post(f"/store/subscriptions/{sub.pk}/change/quantity/", {"quantity": "8"})
    assert response.status_code == 302
    sub.refresh_from_db()
    assert sub.quantity == 8
    detail = client.get(f"/store/subscriptions/{sub.pk}/").content.decode()
    assert "quantity 5 → 8" in detail and "Storefront" in detail and CUSTOMER in detail


def test_a_scheduled_change_is_announced_before_an_immediate_change(shop, demo):
    sub = shop.buy(5)
    Subscription.objects.filter(pk=sub.pk).update(scheduled_change={"quantity": 3})
    client = demo.client_for(RESELLER)
    page = client.get(f"/backoffice/subscriptions/{sub.pk}/change/quantity/").content.decode()
    assert "An immediate change deletes it" in page
    preview = client.get(f"/backoffice/subscriptions/{sub.pk}/preview/?quantity=6").content.decode()
    assert "This immediate change deletes the change scheduled for the renewal." in preview


def test_after_the_window_the_page_disables_the_actions_with_the_reason(shop, demo, monkeypatch):
    sub = shop.buy(5)
    move_clocks(shop.world, monkeypatch, days=8)
    client = demo.client_for(CUSTOMER)
    detail = client.get(f"/store/subscriptions/{sub.pk}/").content.decode()
    assert '<button type="button" disabled data-action="cancel">Cancel</button>' in detail
    assert "cancellation window closed" in detail.lower()
    assert "(only up:" in detail  # seats can still be added
    assert "Package migration</button>" in detail and "Partner Center has no package migration" in detail
    preview = client.get(f"/store/subscriptions/{sub.pk}/preview/?quantity=3").content.decode()
    assert 'id="refusal"' in preview
    response = client.post(f"/store/subscriptions/{sub.pk}/change/quantity/", {"quantity": "3"})
    assert response.status_code == 400 and 'id="change-error"' in response.content.decode()
    assert Order.objects.count() == 1
    cancel = client.get(f"/store/subscriptions/{sub.pk}/change/cancel/").content.decode()
    assert 'id="not-allowed"' in cancel


def test_suspend_and_reactivate_from_the_back_office(shop, demo):
    sub = shop.buy(5)
    client = demo.client_for(RESELLER)
    with committed():
        client.post(f"/backoffice/subscriptions/{sub.pk}/change/suspend/")
    sub.refresh_from_db()
    assert sub.status == "suspended"
    with committed():
        client.post(f"/backoffice/subscriptions/{sub.pk}/change/reactivate/")
    sub.refresh_from_db()
    assert sub.status == "active"
    detail = client.get(f"/backoffice/subscriptions/{sub.pk}/").content.decode()
    assert "status suspended → active" in detail and "status active → suspended" in detail
    assert "Back office" in detail


def test_staff_set_the_sale_price_from_the_page(shop, demo):
    sub = shop.buy(5)
    client = demo.client_for(RESELLER)
    response = client.post(
        f"/backoffice/subscriptions/{sub.pk}/sale-price/",
        {"unit_price": "11,50", "effective_from": sub.start_date.isoformat()},
    )
    assert response.status_code == 302
    assert LedgerEntry.objects.get(subscription=sub, kind="price").unit_price == 11.5
    detail = client.get(f"/backoffice/subscriptions/{sub.pk}/").content.decode()
    assert "11.5 EUR" in detail and "Historic sales price" in detail
    assert "57.50 EUR" in detail  # 5 × 11.50 a month
    customer = demo.client_for(CUSTOMER)
    assert (
        customer.post(f"/backoffice/subscriptions/{sub.pk}/sale-price/", {"unit_price": "1"}).status_code
        == 404
    )


def test_add_on_page_offers_only_the_add_ons_the_catalog_allows(shop, demo):
    base = shop.buy(5)
    client = demo.client_for(CUSTOMER)
    page = client.get(f"/store/subscriptions/{base.pk}/add-on/").content.decode()
    assert "Microsoft Teams Phone Standard" in page and "Defender" not in page
    with committed():
        response = client.post(
            f"/store/subscriptions/{base.pk}/add-on/", {"offer": shop.addon.pk, "quantity": "2"}
        )
    assert response.status_code == 302
    addon = Subscription.objects.get(parent=base)
    assert addon.quantity == 2
    refused = client.post(
        f"/store/subscriptions/{base.pk}/add-on/", {"offer": shop.foreign_addon.pk, "quantity": "2"}
    )
    assert refused.status_code == 400 and "cannot be added" in refused.content.decode()
    assert Order.objects.count() == 2 and not Subscription.objects.filter(offer=shop.foreign_addon).exists()


def test_list_filters_sort_and_csv(shop, demo):
    first = shop.buy(5)
    second = shop.buy(2)
    client = demo.client_for(RESELLER)
    page = client.get("/backoffice/subscriptions/").content.decode()
    assert "Adventure Works Cycles GmbH" in page and "CFQ7TTC0LDPB:0001:CFQ7TTC0K5BF" in page
    rows = client.get("/backoffice/subscriptions/?sort=-quantity", HTTP_HX_REQUEST="true").content.decode()
    assert rows.index(f"/subscriptions/{first.pk}/") < rows.index(f"/subscriptions/{second.pk}/")
    assert (
        "No subscription matches"
        in client.get("/backoffice/subscriptions/?q=zzz", HTTP_HX_REQUEST="true").content.decode()
    )
    exported = client.get("/backoffice/subscriptions/export.csv?sort=quantity")
    assert exported["Content-Type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(exported.content.decode())))
    assert [r["subscription_id"] for r in table] == [str(second.pk), str(first.pk)]
    assert table[1]["sale_price"] == "12.5" and table[1]["monthly"] == "62.50" and table[1]["cost"] == "10"
    assert table[1]["margin"] == "2.5" and table[1]["assigned"] == "0" and table[1]["status"] == "active"
    customer_csv = demo.client_for(CUSTOMER).get("/store/subscriptions/export.csv").content.decode()
    header = customer_csv.splitlines()[0]
    assert "cost" not in header and "margin" not in header and customer_csv.count("\n") == 3


def test_no_customer_page_shows_cost_or_margin(shop, demo):
    sub = shop.buy(5)
    with committed():
        demo.client_for(RESELLER).post(
            f"/backoffice/subscriptions/{sub.pk}/change/quantity/", {"quantity": "6"}
        )
    client = demo.client_for(CUSTOMER)
    pages = [
        "/store/subscriptions/",
        f"/store/subscriptions/{sub.pk}/",
        f"/store/subscriptions/{sub.pk}/change/quantity/",
        f"/store/subscriptions/{sub.pk}/change/cancel/",
        f"/store/subscriptions/{sub.pk}/preview/?quantity=8",
        f"/store/subscriptions/{sub.pk}/add-on/",
        f"/store/subscriptions/new/?{walk_query(shop, 4)}",
        "/store/subscriptions/export.csv",
        "/store/orders/",
        *[f"/store/orders/{o.pk}/" for o in Order.objects.all()],
    ]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        text = response.content.decode()
        for word in (
            "margin",
            "Margin",
            "Cost ",
            ">Cost<",
            "Tailspin EUR",
            "10.00 EUR",
            "60.00 EUR",
            "40.00 EUR",
        ):
            assert word not in text, (path, word)


def test_a_customer_user_may_look_but_not_change(shop, demo):
    sub = shop.buy(5)
    client = demo.client_for(CUSTOMER_USER)
    detail = client.get(f"/store/subscriptions/{sub.pk}/").content.decode()
    assert "You can look but not change" in detail and f"/store/subscriptions/{sub.pk}/change/" not in detail
    response = client.post(f"/store/subscriptions/{sub.pk}/change/suspend/")
    assert response.status_code in (400, 403)
    assert Order.objects.count() == 1
