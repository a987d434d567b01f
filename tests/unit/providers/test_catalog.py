"""Catalog: products by target view, SKUs, availabilities with terms, and the price sheet."""

from __future__ import annotations

from decimal import Decimal

from cspbroker.providers.partnercenter.models import BillingCycle, TargetView

from .support import BASE_URL, FakeProvider, collection, fixture_bytes, floats_in, make_client, respond


def test_products_are_asked_by_country_and_target_view() -> None:
    product = {
        "id": "CFQ7TTC0LH18",
        "title": "Microsoft 365 Business Basic",
        "productType": {"id": "OnlineServices", "displayName": "OnlineServices"},
        "isMicrosoftProduct": True,
    }
    fake = FakeProvider(respond(200, collection([product])))

    (parsed,) = make_client(fake).list_products(country="US", target_view=TargetView.ONLINE_SERVICES)

    assert str(fake.requests[0].url) == f"{BASE_URL}/v1/products?country=US&targetView=OnlineServices"
    assert (parsed.id, parsed.product_type_id, parsed.is_microsoft_product) == (
        "CFQ7TTC0LH18",
        "OnlineServices",
        True,
    )


def test_skus_read_addon_flag_billing_cycles_and_limits() -> None:
    sku = {
        "id": "0001",
        "productId": "CFQ7TTC0LH18",
        "title": "Basic",
        "minimumQuantity": 1,
        "maximumQuantity": 300,
        "isTrial": False,
        "supportedBillingCycles": ["annual", "monthly", "quarterly"],
        "dynamicAttributes": {"isAddon": True, "prerequisiteSkus": ["CFQ7TTC0LH16:0001"]},
        "attestationProperties": {"enforceAttestation": True},
    }
    fake = FakeProvider(respond(200, collection([sku])))

    (parsed,) = make_client(fake).list_skus("CFQ7TTC0LH18", country="US")

    assert fake.requests[0].url.path == "/v1/products/CFQ7TTC0LH18/skus"
    assert parsed.supported_billing_cycles == (
        BillingCycle.ANNUAL,
        BillingCycle.MONTHLY,
        BillingCycle.UNKNOWN,
    )
    assert (parsed.is_addon, parsed.maximum_quantity, parsed.enforce_attestation) == (True, 300, True)


def test_availabilities_carry_catalog_item_id_terms_and_billing_cycles() -> None:
    fake = FakeProvider(respond(200, fixture_bytes("availability.json")))

    (availability,) = make_client(fake).list_availabilities("CFQ7TTC0LH0R", "0002", country="US")

    assert fake.requests[0].url.path == "/v1/products/CFQ7TTC0LH0R/skus/0002/availabilities"
    assert availability.catalog_item_id == "CFQ7TTC0LH0R:0002:CFQ7TTC0K5RQ"
    assert availability.term_durations == ("P1Y", "P1M", "P3Y")
    assert availability.billing_cycles == (BillingCycle.ANNUAL, BillingCycle.MONTHLY, BillingCycle.UNKNOWN)
    assert availability.terms[2].billing_cycle_raw == "quarterly"
    assert availability.terms[0].refund_policies[0].expires_after == "P1D"
    assert availability.terms[1].renewal_term_durations == ("P1M",)


def test_catalog_item_id_is_composed_when_missing() -> None:
    body = {"items": [{"id": "AV1", "productId": "P1", "skuId": "0001", "terms": []}]}
    fake = FakeProvider(respond(200, body))

    (availability,) = make_client(fake).list_availabilities("P1", "0001", country="US")

    assert availability.catalog_item_id == "P1:0001:AV1"


def test_price_sheet_reads_sandbox_rows_as_decimal() -> None:
    rows = (
        b'{"totalCount":2,"items":['
        b'{"catalogItemId":"CFQ7TTC0LH18:0001:CFQ7TTC0K59S","termDuration":"P1Y","billingCycle":"monthly",'
        b'"currency":"USD","unitPrice":6.00},'
        b'{"productId":"DG7GMGF0DWTL","skuId":"0001","availabilityId":"DG7GMGF0DSFM","termDuration":"",'
        b'"billingCycle":"one_time","currency":"USD","unitPrice":"259.99"}]}'
    )
    fake = FakeProvider(respond(200, rows))

    first, second = make_client(fake).get_price_sheet(market="US", currency="USD")

    assert str(fake.requests[0].url) == f"{BASE_URL}/v1/sandbox/pricesheet?market=US&currency=USD"
    assert (first.product_id, first.sku_id, first.availability_id) == ("CFQ7TTC0LH18", "0001", "CFQ7TTC0K59S")
    assert first.unit_price == Decimal("6.00")
    assert second.catalog_item_id == "DG7GMGF0DWTL:0001:DG7GMGF0DSFM"
    assert second.billing_cycle is BillingCycle.ONE_TIME
    assert second.unit_price == Decimal("259.99")
    assert floats_in([first, second]) == []


def test_price_sheet_url_is_configurable() -> None:
    fake = FakeProvider(respond(200, {"items": []}))

    make_client(fake, price_sheet_url="https://prices.example.test/sheet").get_price_sheet(
        market="GB", currency="GBP"
    )

    assert str(fake.requests[0].url) == "https://prices.example.test/sheet?market=GB&currency=GBP"
