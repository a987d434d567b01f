"""Invoices, recon line items (onetime vs one_time), entitlements and audit records."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from cspbroker.providers.partnercenter.models import AuditFilter

from .support import (
    BASE_URL,
    FakeProvider,
    collection,
    fixture,
    fixture_bytes,
    floats_in,
    make_client,
    respond,
)

CID = "0c39d6d5-c70d-4c55-bc02-f620844f3fd1"


def test_unbilled_lines_query_says_onetime_and_json_says_one_time() -> None:
    fake = FakeProvider(respond(200, fixture_bytes("unbilled_recon_page.json")))

    (line,) = make_client(fake).list_unbilled_line_items(currency="USD", period="current")

    assert str(fake.requests[0].url) == (
        f"{BASE_URL}/v1/invoices/unbilled/lineitems?provider=onetime&invoicelineitemtype=billinglineitems"
        "&currencycode=USD&period=current&size=2000"
    )
    assert line.billing_provider == "one_time"
    assert line.invoice_number == ""


def test_recon_amounts_given_as_strings_are_exact_decimals() -> None:
    fake = FakeProvider(respond(200, fixture_bytes("unbilled_recon_page.json")))

    (line,) = make_client(fake).list_unbilled_line_items(currency="USD")

    assert (line.unit_price, line.effective_unit_price) == (Decimal("16"), Decimal("14.4"))
    assert (line.quantity, line.billable_quantity, line.subtotal) == (
        Decimal("50"),
        Decimal("50"),
        Decimal("720"),
    )
    assert line.effective_unit_price is not None and line.billable_quantity is not None
    assert line.effective_unit_price * line.billable_quantity == line.subtotal
    for amount in (
        line.unit_price,
        line.effective_unit_price,
        line.subtotal,
        line.tax_total,
        line.total_for_customer,
        line.pc_to_bc_exchange_rate,
    ):
        assert type(amount) is Decimal
    assert floats_in(line) == []
    assert line.catalog_item_id == "CFQ7TTC0LH18:0001:CFQ7TTC0K59S"
    assert line.charge_start_date == datetime(2024, 5, 1, tzinfo=UTC)


def test_billed_lines_follow_the_seek_link_with_its_continuation_token() -> None:
    item = fixture("unbilled_recon_page.json")["items"][0]  # amounts are strings: no Decimal to re-encode
    next_uri = (
        "/invoices/G016907411/lineitems?provider=onetime&invoicelineitemtype=billinglineitems"
        "&size=1&seekOperation=Next"
    )
    fake = FakeProvider(
        respond(200, collection([item], next_uri, "AQAAAA==")),
        respond(200, collection([{**item, "invoiceNumber": "G016907411", "unitPrice": "12.5"}])),
    )

    lines = list(make_client(fake).list_billed_line_items("G016907411", page_size=1))

    assert [line.unit_price for line in lines] == [Decimal("16"), Decimal("12.5")]
    assert fake.requests[0].url.path == "/v1/invoices/G016907411/lineitems"
    assert fake.requests[0].url.params["provider"] == "onetime"
    assert fake.requests[1].url.path == "/v1/invoices/G016907411/lineitems"
    assert fake.requests[1].url.params["seekOperation"] == "Next"
    assert fake.requests[1].headers["MS-ContinuationToken"] == "AQAAAA=="


def test_usage_lines_use_usagelineitems() -> None:
    usage = {
        "customerId": CID,
        "productId": "DZH318Z0BQ3Q",
        "skuId": "0001",
        "availabilityId": "A1",
        "usageDate": "2024-05-02T00:00:00Z",
        "meterName": "D2 v3",
        "quantity": "24",
        "unitPrice": "0.096",
        "billingPreTaxTotal": "2.304",
        "billingCurrency": "USD",
        "chargeType": "",
    }
    fake = FakeProvider(respond(200, collection([usage])))

    (line,) = make_client(fake).list_unbilled_usage_line_items(currency="USD", period="previous")

    assert fake.requests[0].url.params["invoicelineitemtype"] == "usagelineitems"
    assert fake.requests[0].url.params["period"] == "previous"
    assert (line.quantity, line.unit_price, line.billing_pre_tax_total) == (
        Decimal("24"),
        Decimal("0.096"),
        Decimal("2.304"),
    )


def test_invoices_are_offset_paged_and_parse_decimal_totals() -> None:
    fake = FakeProvider(respond(200, b'{"totalCount":1,"items":[' + fixture_bytes("invoice.json") + b"]}"))

    (invoice,) = list(make_client(fake).list_invoices(page_size=200))

    assert str(fake.requests[0].url) == f"{BASE_URL}/v1/invoices?size=200&offset=0"
    assert invoice.total_charges == Decimal("1234.56")
    assert type(invoice.paid_amount) is Decimal
    assert invoice.billing_providers == ("one_time",)
    assert floats_in(invoice) == []


def test_entitlements_ask_for_expiry_and_parse_the_reference_item() -> None:
    fake = FakeProvider(respond(200, collection([fixture("entitlement.json")])))

    (entitlement,) = make_client(fake).list_entitlements(CID, entitlement_type="software")

    assert str(fake.requests[0].url).endswith(
        f"/v1/customers/{CID}/entitlements?entitlementType=software&showExpiry=true"
    )
    assert entitlement.expiry_date == datetime(2022, 1, 28, tzinfo=UTC)
    assert entitlement.reference_order_id == "4teYMtWY…"
    assert entitlement.quantity_details == ((1, "Fulfilled"),)
    assert entitlement.included_entitlements[0].product_id == "DG7GMGF0DWBR"


def test_audit_records_by_day_with_a_filter() -> None:
    fake = FakeProvider(respond(200, collection([fixture("audit_record.json")])))

    records = list(
        make_client(fake).list_audit_records(
            start_date=date(2024, 5, 2),
            end_date=date(2024, 5, 3),
            filter=AuditFilter("ResourceType", "subscription"),
        )
    )

    params = fake.requests[0].url.params
    assert fake.requests[0].url.path == "/v1/auditrecords"
    assert (params["startDate"], params["endDate"], params["size"]) == ("2024-05-02", "2024-05-03", "500")
    assert params["filter"] == '{"Field": "ResourceType", "Value": "subscription", "Operator": "equals"}'
    (record,) = records
    assert record.operation_type == "update_subscription"
    assert record.old_value() == {"Id": "a4c1340d", "Quantity": 10}
    assert record.new_value() == {"Id": "a4c1340d", "Quantity": 12}
    assert record.customized_data == {"SubscriptionId": "a4c1340d-6911-4758-bba3-0c4c6007d161"}
