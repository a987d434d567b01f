"""Report, exports, invoices over the API and the pages; customers never see cost or margin."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from cspbroker.billing.models import Invoice

STAFF = "admin@tailspin.example"
CUSTOMER = "admin@adventureworks.example"


@pytest.fixture
def billed(bw):
    sub = bw.subscription("adventureworks", start=date(2026, 9, 1), quantity=3, price=None)
    bw.quantity(sub, date(2026, 10, 14), 5)
    bw.subscription("litware", start=date(2026, 10, 1), quantity=1, price="9.99")
    bw.run("2026-10")
    return bw


def _range(bw):
    return f"customer_id={bw.org('adventureworks').pk}&from=2026-09&to=2026-10"


def test_report_api_groups_cycle_subscription_lines_with_cost_for_staff(billed):
    body = billed.demo.client_for(STAFF).get(f"/api/v1/billing/report?{_range(billed)}").json()
    assert [c["cycle"] for c in body["cycles"]] == ["2026-09", "2026-10"]
    october = body["cycles"][1]
    assert (october["bill_date"], october["total"], october["cost"]) == ("2026-10-16", "52.02", "33.29")
    lines = october["subscriptions"][0]["lines"]
    assert [(line["charge_type"], line["amount"], line["cost"]) for line in lines] == [
        ("renew", "37.50", "24.00"),
        ("addQuantity", "14.52", "9.29"),
    ]
    assert lines[1]["explanation"] == "2 × 12.50 EUR × 18/31 days (added 14 Oct, period 1 Oct–31 Oct 2026)"


def test_customers_never_see_cost_or_margin(billed):
    client = billed.demo.client_for(CUSTOMER)
    invoice = Invoice.objects.get(customer=billed.org("adventureworks"))
    pages = [
        client.get(f"/api/v1/billing/report?{_range(billed)}").content,
        client.get(f"/api/v1/billing/report?{_range(billed)}&format=csv").content,
        client.get(f"/api/v1/invoices/{invoice.pk}").content,
        client.get("/api/v1/invoices").content,
        client.get(f"/api/v1/billing/preview?customer_id={billed.org('adventureworks').pk}").content,
        client.get("/store/billing/?range=custom&from=2026-09&to=2026-10").content,
        client.get(f"/store/billing/invoices/{invoice.pk}/").content,
    ]
    for content in pages:
        text = content.decode().lower()
        assert "cost" not in text and "margin" not in text, text[:300]
    xlsx = client.get("/store/billing/?range=custom&from=2026-09&to=2026-10&format=xlsx").content
    cells = [
        str(c.value).lower() for ws in load_workbook(io.BytesIO(xlsx)).worksheets for row in ws for c in row
    ]
    assert not any("cost" in c or "margin" in c for c in cells)


def test_xlsx_one_sheet_per_cycle_numbers_as_numbers(billed):
    response = billed.demo.client_for(STAFF).get(f"/api/v1/billing/report?{_range(billed)}&format=xlsx")
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["2026-09 EUR", "2026-10 EUR"]
    sheet = book["2026-10 EUR"]
    assert sheet["D1"].value == 52.02 and sheet["D1"].number_format == '#,##0.00 "EUR"'
    assert sheet["J3"].value == 37.5 and sheet["N3"].value == 24


def test_another_customers_report_and_invoice_are_404(billed):
    client = billed.demo.client_for(CUSTOMER)
    litware = billed.org("litware")
    assert client.get(f"/api/v1/billing/report?customer_id={litware.pk}").status_code == 404
    other = Invoice.objects.get(customer=litware)
    assert client.get(f"/api/v1/invoices/{other.pk}").status_code == 404
    assert client.get(f"/api/v1/invoices/{other.pk}/pdf").status_code == 404
    assert client.get(f"/store/billing/invoices/{other.pk}/").status_code == 404
    assert [i["customer_id"] for i in client.get("/api/v1/invoices").json()] == [
        billed.org("adventureworks").pk
    ]


def test_staff_issue_and_credit_over_the_api(billed):
    client = billed.demo.client_for(STAFF)
    invoice = Invoice.objects.get(customer=billed.org("adventureworks"))
    issued = client.post(f"/api/v1/invoices/{invoice.pk}/issue").json()
    assert issued["status"] == "issued" and issued["number"].startswith("INV-")
    again = client.post(f"/api/v1/invoices/{invoice.pk}/issue")
    assert again.status_code == 422 and again.json()["code"] == "invalid_invoice_transition"
    note = client.post(
        f"/api/v1/invoices/{invoice.pk}/credit-notes",
        {"reason": "Wrong seats", "amount": "5.00"},
        content_type="application/json",
    )
    assert note.status_code == 201 and note.json()["number"].startswith("CN-")
    pdf = client.get(f"/api/v1/invoices/{invoice.pk}/pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    customer = billed.demo.client_for(CUSTOMER)
    assert (
        customer.post(
            f"/api/v1/invoices/{invoice.pk}/credit-notes", {"reason": "x"}, content_type="application/json"
        ).status_code
        == 403
    )


def test_backoffice_pages_issue_and_credit(billed):
    client = billed.demo.client_for(STAFF)
    invoice = Invoice.objects.get(customer=billed.org("adventureworks"))
    page = client.get(
        f"/backoffice/billing/?customer={billed.org('adventureworks').pk}&range=custom&from=2026-10&to=2026-10"
    )
    assert page.status_code == 200 and b"margin" in page.content and b"52.02" in page.content
    assert client.post(f"/backoffice/billing/invoices/{invoice.pk}/issue/").status_code == 302
    client.post(f"/backoffice/billing/invoices/{invoice.pk}/credit/", {"reason": "Goodwill", "amount": ""})
    invoice.refresh_from_db()
    assert invoice.status == "issued" and invoice.credit_notes.get().amount == invoice.total
    assert client.get("/backoffice/billing/invoices/").status_code == 200
    assert billed.demo.client_for(CUSTOMER).get("/backoffice/billing/invoices/").status_code == 404


def test_runs_endpoint_queues_a_run_for_staff_only(billed, settings):
    response = billed.demo.client_for(STAFF).post(
        "/api/v1/billing/runs",
        {"cycle": "2026-10", "reseller_id": billed.org("tailspin").pk},
        content_type="application/json",
    )
    assert response.status_code == 202 and response.json()["status"] == "queued"
    denied = billed.demo.client_for(CUSTOMER).post(
        "/api/v1/billing/runs", {"cycle": "2026-10"}, content_type="application/json"
    )
    assert denied.status_code == 403
