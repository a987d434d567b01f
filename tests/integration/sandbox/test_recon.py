"""Reconciliation line items computed from purchases, changes and the clock; invoices."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from .conftest import PC

QUERY = {"provider": "onetime", "invoicelineitemtype": "billinglineitems"}


def day(text: str) -> date:
    return date.fromisoformat(text[:10])


def lines_for(pc: PC, subscription_id: str, currency: str = "USD") -> list[dict[str, Any]]:
    found = pc.lines("previous", currency) + pc.lines("current", currency)
    return [line for line in found if line["subscriptionId"] == subscription_id]


def test_new_and_prorated_add_quantity_lines(pc: PC, customer: dict[str, Any]) -> None:
    sub = pc.buy(customer["id"], quantity=5)
    pc.advance("P10D")
    pc.patch(f"/customers/{customer['id']}/subscriptions/{sub['id']}", json={"quantity": 8})

    new, added = lines_for(pc, sub["id"])

    assert (new["chargeType"], new["unitPrice"], new["quantity"], new["subtotal"]) == (
        "new",
        "6.00",
        "5",
        "30.00",
    )
    assert new["invoiceNumber"] == "" and new["billingProvider"] == "one_time"
    assert new["invoiceLineItemType"] == "billing_line_items"
    assert new["attributes"]["objectType"] == "OneTimeInvoiceLineItem"
    assert new["orderId"] == sub["orderId"] and new["customerId"] == customer["id"]
    assert (new["productId"], new["skuId"], new["availabilityId"]) == ("CFQ7TTC0LH18", "0001", "CFQ7TTC0K59S")
    cycle_days = (day(new["chargeEndDate"]) - day(new["chargeStartDate"])).days + 1
    days = (day(added["chargeEndDate"]) - day(added["chargeStartDate"])).days + 1
    assert added["chargeType"] == "addQuantity" and added["quantity"] == "3"
    assert added["chargeEndDate"] == new["chargeEndDate"]
    expected = (Decimal("6.00") * 3 * days / cycle_days).quantize(Decimal("0.01"), ROUND_HALF_UP)
    assert Decimal(added["subtotal"]) == expected
    assert Decimal(added["billableQuantity"]) == (Decimal(3) * days / cycle_days).quantize(
        Decimal("0.000001")
    )


def test_refunds_are_negative_lines(pc: PC, customer: dict[str, Any]) -> None:
    reduced = pc.buy(customer["id"], quantity=5)
    cancelled = pc.buy(customer["id"], quantity=2, cycle="annual")
    pc.advance("P3D")
    pc.patch(f"/customers/{customer['id']}/subscriptions/{reduced['id']}", json={"quantity": 3})
    pc.patch(f"/customers/{customer['id']}/subscriptions/{cancelled['id']}", json={"status": "deleted"})

    remove = lines_for(pc, reduced["id"])[-1]
    cancel = lines_for(pc, cancelled["id"])

    assert remove["chargeType"] == "removeQuantity" and remove["quantity"] == "-2"
    assert Decimal(remove["subtotal"]) < 0
    assert [line["chargeType"] for line in cancel] == ["new", "cancel"]
    assert cancel[0]["subtotal"] == "144.00"
    assert Decimal("-144.00") < Decimal(cancel[1]["subtotal"]) < Decimal("-130.00")


def test_monthly_billing_of_an_annual_term_makes_cycle_charges(pc: PC, customer: dict[str, Any]) -> None:
    sub = pc.buy(customer["id"], quantity=4)
    pc.advance("P65D")

    charges = [(line["chargeType"], line["subtotal"]) for line in lines_for(pc, sub["id"])]

    assert charges == [("new", "24.00"), ("cycleCharge", "24.00"), ("cycleCharge", "24.00")]


def test_euro_customer_is_billed_in_eur(pc: PC) -> None:
    customer = pc.create_customer(country="DE")
    sub = pc.buy(customer["id"], quantity=1, currencyCode="EUR")

    (line,) = lines_for(pc, sub["id"], "EUR")
    assert (line["currency"], line["unitPrice"], line["customerCountry"]) == ("EUR", "5.60", "DE")
    assert lines_for(pc, sub["id"], "USD") == []


def test_provider_must_be_onetime(pc: PC) -> None:
    wrong = pc.get(
        "/invoices/unbilled/lineitems",
        params={**QUERY, "provider": "one_time", "currencycode": "USD", "period": "current"},
    )
    no_period = pc.get("/invoices/unbilled/lineitems", params={**QUERY, "currencycode": "USD"})

    assert wrong.status_code == 400 and wrong.json()["description"] == "The request is invalid."
    assert no_period.status_code == 400


def test_unbilled_lines_are_seek_paged(pc: PC, customer: dict[str, Any]) -> None:
    for _ in range(3):
        pc.buy(customer["id"], quantity=1)
    params = {**QUERY, "currencycode": "USD", "period": "current", "size": 2}

    first = pc.get("/invoices/unbilled/lineitems", params=params).json()
    next_link = first["links"]["next"]
    second = pc.get(next_link["uri"], headers={h["key"]: h["value"] for h in next_link["headers"]}).json()

    assert first["totalCount"] == 2 and second["totalCount"] >= 1
    assert "seekOperation=Next" in next_link["uri"]


def test_closing_the_period_bills_the_lines_into_an_invoice(pc: PC, customer: dict[str, Any]) -> None:
    sub = pc.buy(customer["id"], quantity=2)

    closed = pc.admin("POST", "/invoices/close").json()["invoices"]
    invoice_id = closed[0]["id"]
    invoice = pc.get(f"/invoices/{invoice_id}").json()
    billed = pc.get(f"/invoices/{invoice_id}/lineitems", params=QUERY).json()["items"]

    assert invoice_id.startswith("G") and invoice["currencyCode"] == "USD"
    assert invoice["invoiceDetails"][0]["billingProvider"] == "one_time"
    assert [line["subscriptionId"] for line in billed] == [sub["id"]]
    assert billed[0]["invoiceNumber"] == invoice_id
    assert invoice["totalCharges"] == 12
    assert lines_for(pc, sub["id"]) == []
    assert [i["id"] for i in pc.get("/invoices").json()["items"]] == [invoice_id]
    assert (
        pc.get(f"/invoices/{invoice_id}/lineitems", params={**QUERY, "provider": "one_time"}).status_code
        == 400
    )
