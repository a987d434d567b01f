"""Price lists and markup rules (C2): who may write them, what is valid, the API and the pages."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from cspbroker.accounts.access import SYSTEM, actor_for
from cspbroker.accounts.models import User
from cspbroker.accounts.services import PermissionDenied
from cspbroker.catalog import services
from cspbroker.catalog.models import MarkupRule, Offer, PriceList, PriceListEntry
from cspbroker.connections import services as connections
from tests.integration.catalog.conftest import BASIC

JSON = "application/json"


def as_actor(email: str):
    return actor_for(User.objects.get(email=email))


@pytest.fixture
def basic_annual(catalog) -> Offer:
    return Offer.objects.get(availability__catalog_item_id=BASIC, term="P1Y", billing_cycle="annual")


def create_list(demo, email: str, **body):
    return demo.client_for(email).post("/api/v1/price-lists", body, content_type=JSON)


def test_a_reseller_admin_creates_its_global_list_once_per_currency(demo):
    tailspin = demo.organizations["tailspin"].pk
    created = create_list(
        demo, "admin@tailspin.example", owner_id=tailspin, name="Tailspin EUR", currency="eur"
    )
    assert created.status_code == 201, created.content
    assert created.json()["is_global"] and created.json()["currency"] == "EUR"
    again = create_list(demo, "admin@tailspin.example", owner_id=tailspin, name="Second", currency="EUR")
    assert again.status_code == 422 and again.json()["field"] == "currency"
    usd = create_list(demo, "admin@tailspin.example", owner_id=tailspin, name="Tailspin USD", currency="USD")
    assert usd.status_code == 201
    unknown = create_list(demo, "admin@tailspin.example", owner_id=tailspin, name="X", currency="EUX")
    assert unknown.status_code == 422 and unknown.json()["code"] == "unknown_currency"


def test_customer_lists_belong_to_the_customers_own_reseller_and_currency(demo):
    operator, tailspin = demo.organizations["operator"].pk, demo.organizations["tailspin"].pk
    wingtip, adventure = demo.organizations["wingtip"].pk, demo.organizations["adventureworks"].pk
    foreign = create_list(
        demo, "admin@alpine-cloud.example", owner_id=tailspin, customer_id=wingtip, name="W", currency="USD"
    )
    assert foreign.status_code == 422 and foreign.json()["field"] == "customer_id"
    hidden = create_list(
        demo, "admin@tailspin.example", owner_id=tailspin, customer_id=wingtip, name="W", currency="USD"
    )
    assert hidden.status_code == 404  # Tailspin cannot see Woodgrove's customer at all
    wrong_currency = create_list(
        demo, "admin@tailspin.example", owner_id=tailspin, customer_id=adventure, name="AW", currency="USD"
    )
    assert wrong_currency.status_code == 422 and wrong_currency.json()["field"] == "currency"
    direct = create_list(
        demo,
        "admin@alpine-cloud.example",
        owner_id=operator,
        customer_id=demo.organizations["northwind"].pk,
        name="Northwind",
        currency="EUR",
    )
    assert direct.status_code == 201 and not direct.json()["is_global"]


def test_reseller_staff_keep_customer_lists_but_not_the_resellers_global_list(demo):
    tailspin, adventure = demo.organizations["tailspin"].pk, demo.organizations["adventureworks"].pk
    own = create_list(
        demo, "staff@tailspin.example", owner_id=tailspin, customer_id=adventure, name="AW", currency="EUR"
    )
    assert own.status_code == 201
    global_list = create_list(
        demo, "staff@tailspin.example", owner_id=tailspin, name="Global", currency="EUR"
    )
    assert global_list.status_code == 403 and global_list.json()["code"] == "permission_denied"


def test_customers_never_see_or_write_price_lists(demo, basic_annual):
    tailspin, adventure = demo.organizations["tailspin"], demo.organizations["adventureworks"]
    theirs = services.create_price_list(
        actor=SYSTEM, owner_id=tailspin.pk, customer_id=adventure.pk, name="AW", currency="EUR"
    )
    client = demo.client_for("admin@adventureworks.example")
    assert client.get("/api/v1/price-lists").json() == []
    assert client.get(f"/api/v1/price-lists/{theirs.pk}").status_code == 404  # not even their own
    assert client.get("/api/v1/price-lists/markup-rules").json() == []
    assert (
        create_list(
            demo, "admin@adventureworks.example", owner_id=tailspin.pk, name="X", currency="EUR"
        ).status_code
        == 404
    )
    with pytest.raises(PermissionDenied):
        services.set_price_entry(
            actor=as_actor("admin@adventureworks.example"),
            price_list_id=theirs.pk,
            offer_id=basic_annual.pk,
            effective_from=date(2026, 1, 1),
            sale_price=Decimal("1.00"),
        )
    assert client.get("/backoffice/price-lists/").status_code == 404


def test_another_resellers_list_is_a_404(demo):
    theirs = services.create_price_list(
        actor=SYSTEM, owner_id=demo.organizations["tailspin"].pk, name="Tailspin EUR", currency="EUR"
    )
    woodgrove = demo.client_for("admin@woodgrove.example")
    assert woodgrove.get(f"/api/v1/price-lists/{theirs.pk}").status_code == 404
    assert (
        woodgrove.patch(f"/api/v1/price-lists/{theirs.pk}", {"name": "Mine"}, content_type=JSON).status_code
        == 404
    )
    assert woodgrove.get(f"/backoffice/price-lists/{theirs.pk}/").status_code == 404
    assert PriceList.objects.get(pk=theirs.pk).name == "Tailspin EUR"


@pytest.fixture
def tailspin_list(demo) -> PriceList:
    return services.create_price_list(
        actor=SYSTEM, owner_id=demo.organizations["tailspin"].pk, name="Tailspin EUR", currency="EUR"
    )


def post_entry(demo, price_list, **body):
    client = demo.client_for("admin@tailspin.example")
    return client.post(f"/api/v1/price-lists/{price_list.pk}/entries", body, content_type=JSON)


def test_entries_hold_a_sale_price_or_a_markup_from_a_date_and_the_same_date_replaces(
    demo, tailspin_list, basic_annual
):
    created = post_entry(
        demo, tailspin_list, offer_id=basic_annual.pk, effective_from="2026-01-01", sale_price="79.00"
    )
    assert created.status_code == 201, created.content
    assert Decimal(created.json()["sale_price"]) == Decimal("79")
    assert created.json()["item_code"] == BASIC
    replaced = post_entry(
        demo, tailspin_list, offer_id=basic_annual.pk, effective_from="2026-01-01", markup_percent="12.5"
    )
    assert replaced.status_code == 201
    entry = PriceListEntry.objects.get()
    assert entry.sale_price is None and entry.markup_percent == Decimal("12.5")
    later = post_entry(
        demo, tailspin_list, offer_id=basic_annual.pk, effective_from="2027-01-01", sale_price="85"
    )
    assert later.status_code == 201 and PriceListEntry.objects.count() == 2
    detail = demo.client_for("staff@tailspin.example").get(f"/api/v1/price-lists/{tailspin_list.pk}").json()
    assert [e["effective_from"] for e in detail["entries"]] == ["2027-01-01", "2026-01-01"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"sale_price": "79", "markup_percent": "10"}, "sale_price"),
        ({}, "sale_price"),
        ({"sale_price": "-1"}, "sale_price"),
        ({"markup_percent": "-150"}, "markup_percent"),
        ({"sale_price": "1.1234567"}, "sale_price"),
    ],
)
def test_invalid_entries_are_refused_with_their_field_and_nothing_is_written(
    demo, tailspin_list, basic_annual, body, field
):
    response = post_entry(demo, tailspin_list, offer_id=basic_annual.pk, effective_from="2026-01-01", **body)
    assert response.status_code == 422, response.content
    assert response.json()["field"] == field
    assert not PriceListEntry.objects.exists()


def test_an_offer_outside_the_owners_catalog_cannot_be_priced(demo, tailspin_list, catalog, partner_center):
    from tests.integration.catalog.conftest import import_catalog

    woodgrove_pc = connections.create_connection(
        actor=SYSTEM,
        organization_id=demo.organizations["woodgrove"].pk,
        kind="partner_center",
        name="Woodgrove PC",
        base_url=partner_center.url,
        token_url=partner_center.token_url,
        tenant_id=partner_center.tenant_id,
        client_id=partner_center.client_id,
        client_secret=partner_center.client_secret,
    )
    assert import_catalog(woodgrove_pc).status == "succeeded"
    theirs = Offer.objects.filter(availability__sku__product__connection=woodgrove_pc).first()
    response = post_entry(
        demo, tailspin_list, offer_id=theirs.pk, effective_from="2026-01-01", sale_price="1"
    )
    assert response.status_code == 422 and response.json()["field"] == "offer_id"


def test_a_list_is_renamed_and_its_currency_changes_only_while_empty(demo, tailspin_list, basic_annual):
    client = demo.client_for("admin@tailspin.example")
    url = f"/api/v1/price-lists/{tailspin_list.pk}"
    assert client.patch(url, {"name": "Standard"}, content_type=JSON).json()["name"] == "Standard"
    assert client.patch(url, {"currency": "USD"}, content_type=JSON).json()["currency"] == "USD"
    client.patch(url, {"currency": "EUR"}, content_type=JSON)
    post_entry(demo, tailspin_list, offer_id=basic_annual.pk, effective_from="2026-01-01", sale_price="79")
    refused = client.patch(url, {"currency": "USD"}, content_type=JSON)
    assert refused.status_code == 422 and refused.json()["field"] == "currency"


def test_markup_rules_through_the_api(demo):
    client = demo.client_for("admin@tailspin.example")
    body = {
        "owner_id": demo.organizations["tailspin"].pk,
        "markup_percent": "15",
        "effective_from": "2026-01-01",
    }
    created = client.post("/api/v1/price-lists/markup-rules", body, content_type=JSON)
    assert created.status_code == 201 and created.json()["category"] == ""
    again = client.post("/api/v1/price-lists/markup-rules", body, content_type=JSON)
    assert again.status_code == 422 and again.json()["field"] == "effective_from"
    software = client.post(
        "/api/v1/price-lists/markup-rules", {**body, "category": "Software"}, content_type=JSON
    )
    assert software.status_code == 201
    assert len(client.get("/api/v1/price-lists/markup-rules").json()) == 2
    assert demo.client_for("admin@woodgrove.example").get("/api/v1/price-lists/markup-rules").json() == []
    assert client.delete(f"/api/v1/price-lists/markup-rules/{created.json()['id']}").status_code == 204
    assert MarkupRule.objects.count() == 1


# --- pages ---------------------------------------------------------------------------------------


def test_the_create_page_shows_the_error_next_to_the_field_and_writes_nothing(demo, tailspin_list):
    client = demo.client_for("admin@tailspin.example")
    tailspin = demo.organizations["tailspin"].pk
    page = client.post(
        "/backoffice/price-lists/", {"owner": tailspin, "name": "Tailspin EUR", "currency": "USD"}
    )
    assert page.status_code == 400
    assert (
        'id="name-error"' in page.content.decode()
        and "already has a price list named" in page.content.decode()
    )
    assert PriceList.objects.count() == 1
    created = client.post(
        "/backoffice/price-lists/", {"owner": tailspin, "name": "Tailspin USD", "currency": "USD"}
    )
    assert created.status_code == 302 and PriceList.objects.count() == 2


def test_the_list_page_sets_prices_and_shows_sale_price_cost_and_margin(demo, tailspin_list, basic_annual):
    client = demo.client_for("admin@tailspin.example")
    url = f"/backoffice/price-lists/{tailspin_list.pk}/"
    saved = client.post(
        url,
        {
            "action": "entry",
            "offer": basic_annual.pk,
            "effective_from": "2026-01-01",
            "kind": "sale_price",
            "amount": "79.00",
        },
    )
    assert saved.status_code == 302
    page = client.get(url).content.decode()
    assert "79.00 EUR" in page and "67.20 EUR" in page and "14.94 %" in page  # sale price, cost, margin %
    refused = client.post(
        url,
        {
            "action": "entry",
            "offer": basic_annual.pk,
            "effective_from": "2026-02-01",
            "kind": "sale_price",
            "amount": "-5",
        },
    )
    assert refused.status_code == 400 and 'id="amount-error"' in refused.content.decode()
    assert PriceListEntry.objects.count() == 1
    entry = PriceListEntry.objects.get()
    client.post(f"{url}entries/{entry.pk}/delete/")
    assert not PriceListEntry.objects.exists()


def test_staff_see_the_list_but_only_admins_may_change_a_global_one(demo, tailspin_list):
    page = demo.client_for("staff@tailspin.example").get(f"/backoffice/price-lists/{tailspin_list.pk}/")
    assert page.status_code == 200 and "Set a price" not in page.content.decode()


def test_the_markup_rules_page(demo, catalog):
    client = demo.client_for("admin@tailspin.example")
    tailspin = demo.organizations["tailspin"].pk
    page = client.get("/backoffice/price-lists/markup-rules/").content.decode()
    assert '<option value="Software">Software</option>' in page
    client.post(
        "/backoffice/price-lists/markup-rules/",
        {"owner": tailspin, "category": "Software", "markup_percent": "30", "effective_from": "2026-01-01"},
    )
    refused = client.post(
        "/backoffice/price-lists/markup-rules/",
        {"owner": tailspin, "category": "Software", "markup_percent": "25", "effective_from": "2026-01-01"},
    )
    assert refused.status_code == 400 and 'id="effective_from-error"' in refused.content.decode()
    rule = MarkupRule.objects.get()
    assert rule.markup_percent == Decimal("30")
    assert "30 %" in client.get("/backoffice/price-lists/markup-rules/").content.decode()
    client.post(f"/backoffice/price-lists/markup-rules/{rule.pk}/delete/")
    assert not MarkupRule.objects.exists()


def test_an_unknown_owner_is_a_404_not_a_leak(demo):
    body = {"owner_id": 999999, "name": "X", "currency": "EUR"}
    response = demo.client_for("admin@tailspin.example").post("/api/v1/price-lists", body, content_type=JSON)
    assert response.status_code == 404
