"""`catalog.pricing.resolve_price`: customer list → reseller's global list → markup rule → refusal."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from cspbroker.accounts.access import SYSTEM
from cspbroker.accounts.services import InvalidInput
from cspbroker.catalog import services
from cspbroker.catalog.models import Offer
from cspbroker.catalog.pricing import NoPrice, resolve_price, resolve_prices
from cspbroker.domain.money import Money
from tests.integration.catalog.conftest import BASIC, E3

TODAY = date(2026, 3, 2)
SINCE = date(2020, 1, 1)


def offer(item: str, term: str, cycle: str) -> Offer:
    return Offer.objects.get(availability__catalog_item_id=item, term=term, billing_cycle=cycle)


@pytest.fixture
def prices(demo, catalog):
    """Tailspin's prices: a global list, a list for Adventure Works, a markup rule (Software: its own)."""
    tailspin = demo.organizations["tailspin"].pk
    basic_annual = offer(BASIC, "P1Y", "annual")
    global_list = services.create_price_list(
        actor=SYSTEM, owner_id=tailspin, name="Tailspin EUR", currency="EUR"
    )
    services.set_price_entry(
        actor=SYSTEM,
        price_list_id=global_list.pk,
        offer_id=basic_annual.pk,
        effective_from=SINCE,
        sale_price=Decimal("79.00"),
    )
    adventure = services.create_price_list(
        actor=SYSTEM,
        owner_id=tailspin,
        customer_id=demo.organizations["adventureworks"].pk,
        name="Adventure Works",
        currency="EUR",
    )
    services.set_price_entry(
        actor=SYSTEM,
        price_list_id=adventure.pk,
        offer_id=basic_annual.pk,
        effective_from=SINCE,
        sale_price=Decimal("75.00"),
    )
    services.set_price_entry(
        actor=SYSTEM,
        price_list_id=adventure.pk,
        offer_id=offer(E3, "P1Y", "monthly").pk,
        effective_from=SINCE,
        markup_percent=Decimal("20"),
    )
    services.create_markup_rule(
        actor=SYSTEM, owner_id=tailspin, markup_percent=Decimal("15"), effective_from=SINCE
    )
    services.create_markup_rule(
        actor=SYSTEM,
        owner_id=tailspin,
        category="Software",
        markup_percent=Decimal("30"),
        effective_from=SINCE,
    )
    return {"global": global_list, "adventure": adventure}


def test_the_customers_own_list_wins(demo, prices):
    price = resolve_price(
        customer=demo.organizations["adventureworks"], offer=offer(BASIC, "P1Y", "annual"), on=TODAY
    )
    assert price.unit_price == Money.of("75.00", "EUR")
    assert (price.source.kind, price.source.name) == ("customer_list", "Adventure Works")
    assert price.cost == Money.of("67.20", "EUR") and price.margin == Money.of("7.80", "EUR")
    assert price.margin_percent == Decimal("10.40")


def test_without_a_customer_list_the_resellers_global_list_applies(demo, prices):
    price = resolve_price(
        customer=demo.organizations["litware"], offer=offer(BASIC, "P1Y", "annual"), on=TODAY
    )
    assert price.unit_price == Money.of("79.00", "EUR") and price.source.kind == "reseller_list"


def test_what_no_list_prices_gets_the_markup_rule_over_cost(demo, prices):
    price = resolve_price(
        customer=demo.organizations["litware"], offer=offer(BASIC, "P1M", "monthly"), on=TODAY
    )
    # 6.70 + 15 % = 7.705, rounded once, half up.
    assert (price.cost, price.unit_price) == (Money.of("6.70", "EUR"), Money.of("7.71", "EUR"))
    assert price.source.kind == "markup_rule" and price.margin_percent == Decimal("13.10")
    assert "cost 6.70 EUR + 15 % = 7.71 EUR" in price.explanation


def test_a_category_rule_wins_over_the_rule_for_everything(demo, prices):
    office = Offer.objects.get(availability__sku__product__provider_product_id="DG7GMGF0D7FV")
    price = resolve_price(customer=demo.organizations["litware"], offer=office, on=TODAY)
    assert price.unit_price == (price.cost.exact() * Decimal("1.3")).rounded()
    assert price.source.name == "Software markup"


def test_a_markup_entry_in_a_list_is_applied_to_the_cost(demo, prices):
    price = resolve_price(
        customer=demo.organizations["adventureworks"], offer=offer(E3, "P1Y", "monthly"), on=TODAY
    )
    assert (price.cost, price.unit_price) == (Money.of("33.70", "EUR"), Money.of("40.44", "EUR"))


def test_effective_dates_decide_which_entry_applies(demo, prices):
    services.set_price_entry(
        actor=SYSTEM,
        price_list_id=prices["adventure"].pk,
        offer_id=offer(BASIC, "P1Y", "annual").pk,
        effective_from=date(2030, 1, 1),
        sale_price=Decimal("80.00"),
    )
    customer, basic = demo.organizations["adventureworks"], offer(BASIC, "P1Y", "annual")
    assert resolve_price(customer=customer, offer=basic, on=TODAY).unit_price == Money.of("75.00", "EUR")
    later = resolve_price(customer=customer, offer=basic, on=date(2030, 6, 1))
    assert later.unit_price == Money.of("80.00", "EUR") and later.effective_from == date(2030, 1, 1)


def test_nothing_applies_before_the_first_date_and_the_refusal_names_the_offer(demo, prices):
    with pytest.raises(NoPrice) as refused:
        resolve_price(
            customer=demo.organizations["litware"], offer=offer(BASIC, "P1Y", "annual"), on=date(2019, 12, 31)
        )
    assert refused.value.code == "no_price"
    assert str(refused.value).startswith(
        "No price for Microsoft 365 Business Basic (P1Y, billed annual, item CFQ7TTC0LH18"
    )


def test_another_customers_list_never_applies_and_other_resellers_prices_neither(demo, prices):
    wingtip = demo.organizations["wingtip"]  # Woodgrove's customer, billed in USD
    with pytest.raises(NoPrice, match="no markup rule"):
        resolve_price(customer=wingtip, offer=offer(BASIC, "P1Y", "annual"), on=TODAY)
    services.create_markup_rule(
        actor=SYSTEM,
        owner_id=demo.organizations["woodgrove"].pk,
        markup_percent=Decimal("10"),
        effective_from=SINCE,
    )
    price = resolve_price(customer=wingtip, offer=offer(BASIC, "P1Y", "annual"), on=TODAY)
    assert (price.cost, price.unit_price) == (Money.of("72.00", "USD"), Money.of("79.20", "USD"))


def test_a_direct_customer_is_priced_by_the_operator(demo, prices):
    northwind = demo.organizations["northwind"]
    with pytest.raises(NoPrice):
        resolve_price(customer=northwind, offer=offer(BASIC, "P1Y", "annual"), on=TODAY)
    operator_list = services.create_price_list(
        actor=SYSTEM, owner_id=demo.organizations["operator"].pk, name="Alpine EUR", currency="EUR"
    )
    services.set_price_entry(
        actor=SYSTEM,
        price_list_id=operator_list.pk,
        offer_id=offer(BASIC, "P1Y", "annual").pk,
        effective_from=SINCE,
        sale_price=Decimal("77.00"),
    )
    assert resolve_price(
        customer=northwind, offer=offer(BASIC, "P1Y", "annual"), on=TODAY
    ).unit_price == Money.of("77.00", "EUR")


def test_the_subscriptions_own_historic_price_wins_when_given(demo, prices):
    history = [(date(2025, 1, 1), Money.of("70.00", "EUR"))]
    price = resolve_price(
        customer=demo.organizations["adventureworks"],
        offer=offer(BASIC, "P1Y", "annual"),
        on=TODAY,
        subscription_history=history,
        subscription_id="42",
    )
    assert price.unit_price == Money.of("70.00", "EUR") and price.source.kind == "subscription_price"


def test_what_a_customer_may_see_has_no_cost_or_margin(demo, prices):
    price = resolve_price(
        customer=demo.organizations["litware"], offer=offer(BASIC, "P1M", "monthly"), on=TODAY
    )
    shown = price.for_customer()
    assert shown.cost is None and shown.margin is None and shown.margin_percent is None
    assert "6.70" not in shown.explanation and "cost" not in shown.explanation


def test_prices_are_resolved_for_customers_only(demo, prices):
    with pytest.raises(InvalidInput):
        resolve_price(customer=demo.organizations["tailspin"], offer=offer(BASIC, "P1Y", "annual"), on=TODAY)


def test_resolution_takes_four_queries_for_one_offer_or_for_all(demo, prices, django_assert_num_queries):
    customer, basic = demo.organizations["adventureworks"], offer(BASIC, "P1Y", "annual")
    with django_assert_num_queries(4):
        resolve_price(customer=customer, offer=basic, on=TODAY)
    every_offer = list(Offer.objects.values_list("pk", flat=True))
    with django_assert_num_queries(4):
        results = resolve_prices(customer=customer, offers=every_offer, on=TODAY)
    assert len(results) == len(every_offer) == 74
    assert all(not isinstance(result, Exception) for result in results.values())  # the rule prices the rest


def test_the_price_api_shows_the_resolution_with_cost_to_staff_only(demo, prices):
    customer = demo.organizations["adventureworks"]
    basic = offer(BASIC, "P1Y", "annual").pk
    url = f"/api/v1/catalog/offers/{basic}/price?customer_id={customer.pk}&on=2026-03-02"
    staff = demo.client_for("staff@tailspin.example").get(url).json()
    assert staff["unit_price"] == "75.00" and staff["cost"] == "67.20" and staff["margin_percent"] == "10.40"
    assert staff["source_kind"] == "customer_list"
    own = demo.client_for("user@adventureworks.example").get(url)
    assert own.status_code == 200 and own.json()["unit_price"] == "75.00"
    assert not {"cost", "margin", "margin_percent", "source_kind"} & set(own.json())
    other = demo.client_for("admin@litware.example").get(url)
    assert other.status_code == 404  # another customer's price is not theirs to ask


def test_the_price_api_refuses_with_a_problem_when_nothing_prices_the_offer(demo, catalog):
    customer = demo.organizations["adventureworks"]
    url = f"/api/v1/catalog/offers/{offer(BASIC, 'P1Y', 'annual').pk}/price?customer_id={customer.pk}"
    response = demo.client_for("admin@tailspin.example").get(url)
    assert response.status_code == 422
    assert (
        response.json()["code"] == "no_price"
        and "No price for Microsoft 365 Business Basic" in response.json()["detail"]
    )
