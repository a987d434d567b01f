"""The catalog: views, products, SKUs, availabilities with terms, and the sandbox price sheet."""

from __future__ import annotations

from .conftest import BASIC_TRIAL, PC, TEAMS_PHONE


def products(pc: PC, view: str, country: str = "US") -> list[dict]:  # type: ignore[type-arg]
    response = pc.get("/products", params={"country": country, "targetView": view})
    assert response.status_code == 200
    return list(response.json()["items"])


def test_views_separate_online_services_from_software(pc: PC) -> None:
    online = {p["id"] for p in products(pc, "OnlineServices")}
    perpetual = {p["id"] for p in products(pc, "SoftwarePerpetual")}
    subscriptions = {p["id"] for p in products(pc, "SoftwareSubscriptions")}
    software = {p["id"] for p in products(pc, "Software")}

    assert len(online) >= 15 and all(pid.startswith("CFQ7TTC0") for pid in online)
    assert perpetual and all(pid.startswith("DG7GMGF0") for pid in perpetual)
    assert software == perpetual | subscriptions
    assert not online & software


def test_availability_carries_catalog_item_id_and_terms(pc: PC) -> None:
    availabilities = pc.get(
        "/products/CFQ7TTC0LH18/skus/0001/availabilities", params={"country": "US"}
    ).json()
    availability = availabilities["items"][0]

    assert availability["catalogItemId"] == "CFQ7TTC0LH18:0001:CFQ7TTC0K59S"
    assert availability["isPurchasable"] is True
    assert availability["attributes"]["objectType"] == "Availability"
    terms = {(t["duration"], t["billingCycle"]) for t in availability["terms"]}
    assert terms == {("P1M", "Monthly"), ("P1Y", "Monthly"), ("P1Y", "Annual")}
    term = availability["terms"][0]
    assert set(term) >= {"id", "duration", "description", "billingCycle", "cancellationPolicies"}
    assert availability["renewalInstructions"]
    single = pc.get(f"/products/CFQ7TTC0LH18/skus/0001/availabilities/{availability['id']}").json()
    assert single["catalogItemId"] == availability["catalogItemId"]


def test_three_year_terms_exist(pc: PC) -> None:
    availability = pc.get("/products/CFQ7TTC0LFLZ/skus/0001/availabilities").json()["items"][0]

    assert ("P3Y", "Triennial") in {(t["duration"], t["billingCycle"]) for t in availability["terms"]}


def test_trial_and_add_on_skus(pc: PC) -> None:
    product, sku, _ = BASIC_TRIAL.split(":")
    trial = pc.get(f"/products/{product}/skus/{sku}").json()
    product, sku, _ = TEAMS_PHONE.split(":")
    addon = pc.get(f"/products/{product}/skus/{sku}").json()

    assert trial["isTrial"] is True and trial["minimumQuantity"] == trial["maximumQuantity"] == 25
    assert addon["dynamicAttributes"]["isAddon"] is True
    assert "CFQ7TTC0LH18:0001" in addon["dynamicAttributes"]["prerequisiteSkus"]


def test_unknown_product_is_404(pc: PC) -> None:
    assert pc.get("/products/CFQ7TTC0XXXX").status_code == 404
    assert pc.get("/products", params={"country": "US"}).status_code == 400


def test_price_sheet_has_usd_and_eur_prices(pc: PC) -> None:
    usd = pc.get("/sandbox/pricesheet", params={"market": "US", "currency": "USD"}).json()["items"]
    eur = pc.get("/sandbox/pricesheet", params={"market": "DE", "currency": "EUR"}).json()["items"]

    basic = [row for row in usd if row["catalogItemId"] == "CFQ7TTC0LH18:0001:CFQ7TTC0K59S"]
    assert {(r["termDuration"], r["billingCycle"], r["unitPrice"]) for r in basic} == {
        ("P1M", "monthly", 7.2),
        ("P1Y", "monthly", 6),
        ("P1Y", "annual", 72),
    }
    assert len(usd) == len(eur) and {row["currency"] for row in eur} == {"EUR"}
    assert any(row["billingCycle"] == "one_time" for row in usd)


def test_customer_scoped_catalog(pc: PC, customer: dict) -> None:  # type: ignore[type-arg]
    response = pc.get(f"/customers/{customer['id']}/products", params={"targetView": "OnlineServices"})

    assert response.status_code == 200 and response.json()["totalCount"] >= 15
