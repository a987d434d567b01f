"""Catalog import (C1) from the Partner Center sandbox over HTTP: what lands, idempotence, price history."""

from __future__ import annotations

from decimal import Decimal

from django.forms.models import model_to_dict

from cspbroker.catalog.models import Availability, Offer, Product, ProviderPrice, Sku
from tests.integration.catalog.conftest import BASIC, E3, import_catalog


def _rows() -> dict[str, list[dict]]:
    """Every catalog row as plain values (last_seen_at aside: it records that the import looked)."""
    return {
        model.__name__: [
            {k: v for k, v in model_to_dict(row).items() if k != "last_seen_at"}
            for row in model.objects.order_by("pk")
        ]
        for model in (Product, Sku, Availability, Offer, ProviderPrice)
    }


def test_the_first_import_brings_products_skus_offers_and_prices(catalog):
    assert Product.objects.filter(connection=catalog).count() == 24
    basic = Product.objects.get(provider_product_id="CFQ7TTC0LH18")
    assert (basic.category, basic.product_group, basic.target_view) == (
        "Online services",
        "Productivity",
        "OnlineServices",
    )
    assert basic.description.startswith("Web and mobile Office apps")
    offers = Offer.objects.filter(availability__catalog_item_id=BASIC)
    assert {(o.term, o.billing_cycle) for o in offers} == {
        ("P1M", "monthly"),
        ("P1Y", "monthly"),
        ("P1Y", "annual"),
    }
    assert offers.get(term="P1Y", billing_cycle="annual").cancellation_window == "P7D"
    annual = ProviderPrice.objects.filter(
        offer__availability__catalog_item_id=BASIC, offer__billing_cycle="annual"
    )
    # The owner is the operator (DE, EUR): the price sheet in EUR and in USD.
    assert {(p.currency, p.unit_price) for p in annual} == {
        ("EUR", Decimal("67.20")),
        ("USD", Decimal("72.00")),
    }
    assert set(
        Offer.objects.filter(availability__catalog_item_id=E3).values_list("billing_cycle", flat=True)
    ) == {"monthly", "annual", "triennial"}


def test_add_ons_trials_and_perpetual_software_keep_what_makes_them_special(catalog):
    phone = Sku.objects.get(product__provider_product_id="CFQ7TTC0LH1G")
    assert phone.is_addon and "CFQ7TTC0LH18:0001" in phone.prerequisite_skus
    trial = Sku.objects.get(product__provider_product_id="CFQ7TTC0LH18", provider_sku_id="0002")
    assert trial.is_trial and trial.minimum_quantity == 25
    assert Offer.objects.get(availability__sku=trial).billing_cycle == "none"
    office = Product.objects.get(provider_product_id="DG7GMGF0D7FV")
    assert (office.category, office.target_view) == (
        "Software",
        "SoftwarePerpetual",
    )  # the most specific view
    perpetual = Offer.objects.get(availability__sku__product=office)
    assert (perpetual.term, perpetual.billing_cycle) == ("", "one_time")


def test_a_second_import_changes_nothing(catalog):
    before = _rows()
    run = import_catalog(catalog)
    assert run.status == "succeeded"
    assert run.summary["created"] == run.summary["updated"] == run.summary["unavailable"] == 0
    assert run.summary["prices_created"] == run.summary["price_changes"] == 0
    assert _rows() == before


def test_a_changed_provider_price_becomes_a_new_version_and_the_old_one_is_kept(catalog, partner_center):
    def raise_basic(products):
        basic = next(p for p in products if p["id"] == "CFQ7TTC0LH18")
        basic["skus"][0]["terms"][2] = ["P1Y", "annual", "75.00", "70.80"]

    partner_center.change(raise_basic)
    run = import_catalog(catalog)
    assert run.summary["price_changes"] == 2  # EUR and USD
    assert run.summary["created"] == run.summary["updated"] == 0
    history = ProviderPrice.objects.filter(
        offer__availability__catalog_item_id=BASIC, offer__billing_cycle="annual", currency="EUR"
    ).order_by("effective_from", "pk")
    old, new = history
    assert (old.unit_price, new.unit_price) == (Decimal("67.20"), Decimal("70.80"))
    assert old.superseded_at == new.effective_from and new.superseded_at is None
    # Importing the same prices again changes nothing more.
    assert import_catalog(catalog).summary["price_changes"] == 0


def test_what_vanishes_is_marked_unavailable_never_deleted_and_comes_back(catalog, partner_center):
    def drop(products):
        products[:] = [p for p in products if p["id"] != "CFQ7TTC0LF8Q"]  # Office 365 E1 is withdrawn
        e3 = next(p for p in products if p["id"] == "CFQ7TTC0LFLZ")
        e3["skus"][0]["terms"] = [t for t in e3["skus"][0]["terms"] if t[1] != "triennial"]

    partner_center.change(drop)
    run = import_catalog(catalog)
    levels = run.summary["levels"]
    assert levels["products"]["unavailable"] == 1 and levels["skus"]["unavailable"] == 1
    assert levels["offers"]["unavailable"] == 3 + 1  # E1's three offers and E3's triennial one
    e1 = Product.objects.get(provider_product_id="CFQ7TTC0LF8Q")
    assert (
        not e1.is_available
        and not Offer.objects.filter(availability__sku__product=e1, is_available=True).exists()
    )
    assert not Offer.objects.get(availability__catalog_item_id=E3, billing_cycle="triennial").is_available
    assert ProviderPrice.objects.filter(offer__availability__sku__product=e1).count() == 6  # history stays

    partner_center.change(lambda products: None)  # Microsoft sells them again
    back = import_catalog(catalog)
    assert back.summary["levels"]["products"]["updated"] == 1
    assert Product.objects.get(provider_product_id="CFQ7TTC0LF8Q").is_available
    assert Offer.objects.get(availability__catalog_item_id=E3, billing_cycle="triennial").is_available
    assert back.summary["price_changes"] == back.summary["prices_created"] == 0


def test_a_changed_description_updates_the_row_in_place(catalog, partner_center):
    def reword(products):
        next(p for p in products if p["id"] == "CFQ7TTC0LH18")["description"] = "Email, Teams and web apps."

    before = Product.objects.get(provider_product_id="CFQ7TTC0LH18")
    partner_center.change(reword)
    run = import_catalog(catalog)
    assert run.summary["levels"]["products"] == {"created": 0, "updated": 1, "unavailable": 0}
    after = Product.objects.get(provider_product_id="CFQ7TTC0LH18")
    assert after.pk == before.pk and after.description == "Email, Teams and web apps."


def test_a_refused_connection_fails_the_import_clearly_and_writes_nothing(pc_connection):
    from cspbroker.accounts.access import SYSTEM
    from cspbroker.connections import services as connections

    connections.update_connection(actor=SYSTEM, connection_id=pc_connection.pk, client_secret="wrong")
    run = import_catalog(pc_connection)
    assert run.status == "failed"
    assert run.message.startswith("The provider refused")
    assert run.finished_at is not None
    assert not Product.objects.exists()
