"""Browsing the catalog (seed 002) in the back office, the storefront and the API; C3: cost and margin
for staff, never for customers."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest

from cspbroker.accounts.access import SYSTEM
from cspbroker.catalog import services
from cspbroker.catalog.models import Offer, Product, ProviderPrice
from tests.integration.catalog.conftest import BASIC, E3

CUSTOMER_WORDS = re.compile(r"\b(costs?|margins?)\b", re.IGNORECASE)


@pytest.fixture
def priced(demo, catalog):
    """Tailspin sells at 15 % over cost, and Basic annual to Adventure Works at 75.00."""
    tailspin, adventure = demo.organizations["tailspin"].pk, demo.organizations["adventureworks"].pk
    basic = Offer.objects.get(availability__catalog_item_id=BASIC, term="P1Y", billing_cycle="annual")
    services.create_markup_rule(
        actor=SYSTEM, owner_id=tailspin, markup_percent=Decimal("15"), effective_from=date(2020, 1, 1)
    )
    own = services.create_price_list(
        actor=SYSTEM, owner_id=tailspin, customer_id=adventure, name="AW", currency="EUR"
    )
    services.set_price_entry(
        actor=SYSTEM,
        price_list_id=own.pk,
        offer_id=basic.pk,
        effective_from=date(2020, 1, 1),
        sale_price=Decimal("75.00"),
    )
    return demo


def page(client, url, **headers) -> str:
    response = client.get(url, **headers)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def test_the_picker_narrows_category_then_billing_cycle_then_product_group(priced):
    client = priced.client_for("admin@tailspin.example")
    everything = page(client, "/backoffice/catalog/")
    assert '<option value="Online services"' in everything and '<option value="Software"' in everything
    software = page(client, "/backoffice/catalog/?category=Software")
    cycles = re.search(r'<select id="billing_cycle".*?</select>', software, re.S).group(0)
    assert 'value="one_time"' in cycles and 'value="none"' not in cycles  # no trials among software
    perpetual = page(client, "/backoffice/catalog/?category=Software&billing_cycle=one_time")
    groups = re.search(r'<select id="product_group".*?</select>', perpetual, re.S).group(0)
    assert 'value="Perpetual"' in groups and 'value="Subscription"' not in groups
    assert "Office LTSC Standard 2024" in perpetual and "SQL Server Standard - 2 Core" not in perpetual


def test_htmx_asks_for_the_rows_and_the_narrowed_choices_only(priced):
    client = priced.client_for("admin@tailspin.example")
    fragment = page(client, "/backoffice/catalog/?category=Software", HTTP_HX_REQUEST="true")
    assert "<html" not in fragment and 'hx-swap-oob="true"' in fragment
    assert "Windows Server 2025 Standard" in fragment and "Microsoft 365 Business Basic" not in fragment


def test_search_by_name_hover_text_and_details(priced):
    store = page(priced.client_for("user@adventureworks.example"), "/store/catalog/?q=visio")
    assert "Visio Plan 2" in store and "Business Basic" not in store
    basic = page(priced.client_for("user@adventureworks.example"), "/store/catalog/?q=business+basic")
    description = Product.objects.get(provider_product_id="CFQ7TTC0LH18").description
    assert f'title="{description}"' in basic and 'aria-describedby="sku-' in basic  # hover and screen readers
    assert "Show details" in basic and f"<code>{BASIC}</code>" in basic
    assert "P1Y — One-Year commitment for monthly/yearly billing" in basic


def test_unavailable_offers_are_not_offered(priced):
    Offer.objects.filter(availability__catalog_item_id=E3, billing_cycle="triennial").update(
        is_available=False
    )
    Product.objects.filter(provider_product_id="CFQ7TTC0LF8Q").update(is_available=False)  # Office 365 E1
    client = priced.client_for("admin@adventureworks.example")
    triennial = page(client, "/store/catalog/?billing_cycle=triennial")
    assert ">Microsoft 365 E3</span>" not in triennial and ">Microsoft 365 E5</span>" in triennial
    assert ">Office 365 E1</span>" not in page(client, "/store/catalog/")
    products = client.get("/api/v1/catalog/products?q=365 E3").json()
    cycles = {o["billing_cycle"] for p in products for s in p["skus"] for o in s["offers"]}
    assert "triennial" not in cycles and "annual" in cycles


def test_the_storefront_shows_the_customers_own_price(priced):
    store = page(priced.client_for("user@adventureworks.example"), "/store/catalog/?q=business+basic")
    assert "75.00 EUR" in store  # Adventure Works' own list
    litware = page(priced.client_for("admin@litware.example"), "/store/catalog/?q=business+basic")
    assert "77.28 EUR" in litware and "75.00 EUR" not in litware  # 67.20 + 15 %


def test_the_back_office_shows_sale_price_cost_and_margin_for_a_chosen_customer(priced):
    customer = priced.organizations["adventureworks"].pk
    html = page(
        priced.client_for("staff@tailspin.example"),
        f"/backoffice/catalog/?customer={customer}&q=business+basic",
    )
    assert "Cost" in html and "Margin %" in html
    assert "75.00 EUR" in html and "67.20 EUR" in html and "7.80 EUR" in html and "10.40 %" in html
    product = Product.objects.get(provider_product_id="CFQ7TTC0LH18")
    detail = page(
        priced.client_for("staff@tailspin.example"),
        f"/backoffice/catalog/products/{product.pk}/?customer={customer}",
    )
    assert "Provider price history" in detail and "67.20 EUR" in detail and "current" in detail


def test_staff_get_cost_and_margin_from_the_api(priced):
    customer = priced.organizations["adventureworks"].pk
    products = (
        priced.client_for("admin@tailspin.example")
        .get(f"/api/v1/catalog/products?q=business basic&customer_id={customer}&billing_cycle=annual")
        .json()
    )
    offer = products[0]["skus"][0]["offers"][0]
    assert offer["price"]["unit_price"] == "75.00" and offer["price"]["cost"] == "67.20"
    assert (
        offer["price"]["margin"] == "7.80"
        and offer["price"]["margin_percent"] == "10.40"
        and offer["cost"] == "67.20"
    )


def _customer_responses(demo) -> list[tuple[str, str]]:
    """Every customer-facing catalog page and API response, as the customer receives it."""
    own = demo.organizations["adventureworks"].pk
    basic = Offer.objects.get(availability__catalog_item_id=BASIC, term="P1Y", billing_cycle="annual")
    product = basic.availability.sku.product
    unpriced_offer = Offer.objects.get(availability__catalog_item_id=E3, term="P1M")
    urls = [
        "/store/catalog/",
        "/store/catalog/?category=Online+services&billing_cycle=annual&product_group=Productivity",
        "/store/catalog/?category=Software&billing_cycle=one_time",
        "/store/catalog/?q=business",
        "/api/v1/catalog/products",
        "/api/v1/catalog/products?category=Software",
        "/api/v1/catalog/products?billing_cycle=monthly&q=365",
        f"/api/v1/catalog/products?customer_id={own}",
        f"/api/v1/catalog/products/{product.pk}",
        f"/api/v1/catalog/offers/{basic.pk}/price?customer_id={own}",
        f"/api/v1/catalog/offers/{unpriced_offer.pk}/price?customer_id={own}",
        "/api/v1/price-lists",
        "/api/v1/price-lists/markup-rules",
    ]
    responses = []
    for email in ("admin@adventureworks.example", "user@adventureworks.example"):
        client = demo.client_for(email)
        for url in urls:
            response = client.get(url)
            assert response.status_code in {200, 422}, (url, response.status_code)
            responses.append((url, response.content.decode()))
        fragment = client.get("/store/catalog/?category=Software", HTTP_HX_REQUEST="true")
        responses.append(("htmx /store/catalog/", fragment.content.decode()))
    return responses


def test_no_customer_page_or_api_response_reveals_cost_or_margin(priced):
    # Without a cost the markup rule cannot price this offer: a refusal is among the responses too.
    ProviderPrice.objects.filter(offer__availability__catalog_item_id=E3, offer__term="P1M").delete()
    responses = _customer_responses(priced)
    costs = {str(price.unit_money).split()[0] for price in ProviderPrice.objects.filter(currency="EUR")}
    sale_prices: set[str] = set()
    for _, body in responses:  # a cost that happens to equal some sale price proves nothing
        sale_prices |= set(re.findall(r'"unit_price": "(\d+\.\d+)"', body))
        sale_prices |= set(re.findall(r"(\d+\.\d\d) EUR", body))
    secret = costs - sale_prices
    assert {"67.20", "6.70"} <= secret  # what a leak would show
    for url, body in responses:
        assert not CUSTOMER_WORDS.search(body), (url, CUSTOMER_WORDS.search(body))
        for amount in secret:
            assert not re.search(rf"(?<![\d.]){re.escape(amount)}(?!\d)", body), (url, amount)


def test_staff_pages_do_show_cost_and_margin_where_customers_see_none(priced):
    customer = priced.organizations["adventureworks"].pk
    staff = page(priced.client_for("admin@tailspin.example"), f"/backoffice/catalog/?customer={customer}")
    assert CUSTOMER_WORDS.search(staff) and "6.70 EUR" in staff
    api = (
        priced.client_for("admin@tailspin.example")
        .get(f"/api/v1/catalog/products?customer_id={customer}")
        .content.decode()
    )
    assert '"cost": "6.70"' in api and '"margin_percent"' in api


def test_pages_and_api_take_a_fixed_number_of_queries(priced, django_assert_max_num_queries):
    customer = priced.client_for("admin@adventureworks.example")
    staff = priced.client_for("admin@tailspin.example")
    adventure = priced.organizations["adventureworks"].pk
    for client, url in [
        (customer, "/store/catalog/"),
        (customer, "/api/v1/catalog/products"),
        (staff, f"/backoffice/catalog/?customer={adventure}"),
        (staff, f"/api/v1/catalog/products?customer_id={adventure}"),
    ]:
        with django_assert_max_num_queries(20):  # 24 products, 74 offers, each priced
            assert client.get(url).status_code == 200
