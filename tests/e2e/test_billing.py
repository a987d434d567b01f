"""End to end (B3, B4, X1): staff issue last month's invoice and credit part of it; the customer opens
last month's billing report, expands the subscription, exports it as XLSX and downloads the invoice PDF.

The platform runs for real (gunicorn on a temporary database, the demo loaded); its data is made with
`cspbroker shell` (one subscription with a ledger, see _billing_setup.py) and `cspbroker billing run`
for last month's cycle, the way an operator would, before the browser ever opens a page.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from cspbroker.accounts.demo import LOGINS
from tests.e2e._billing_setup import FRIENDLY_NAME, PRODUCT, Plan
from tests.e2e.conftest import _database_for, _drop, serve_web

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]
PASSWORDS = {email: password for email, _, _, _, password in LOGINS}
CUSTOMER = "admin@adventureworks.example"
RESELLER = "admin@tailspin.example"
CUSTOMER_NAME = "Adventure Works Cycles GmbH"
BERLIN = ZoneInfo("Europe/Berlin")  # the customer's and Tailspin's time zone: the platform's "today"


@dataclass
class BilledPlatform:
    url: str
    plan: Plan
    subscription_id: int


def _cspbroker(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "cspbroker", *args], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    return done.stdout


@pytest.fixture(scope="module")
def billed_platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BilledPlatform]:
    tmp = tmp_path_factory.mktemp("billing-e2e")
    database_url, dropped = _database_for(tmp)
    env = {
        **os.environ,
        "CSPB_VAR_DIR": str(tmp / "var"),
        "DATABASE_URL": database_url,
        "EMAIL_URL": f"file://{tmp / 'mail'}",
    }
    plan = Plan(datetime.now(BERLIN).date())
    try:
        _cspbroker(env, "migrate", "--noinput", "-v", "0")
        _cspbroker(env, "demo", "load", "--no-provider-work")
        created = _cspbroker(env, "shell", "--no-imports", "-c", plan.script())
        subscription_id = json.loads(created.strip().splitlines()[-1])["subscription"]
        summary = _cspbroker(env, "billing", "run", "--cycle", plan.cycle)
        assert re.search(r"Lines created\s*│\s*2\b", summary), summary
        assert f"{plan.total} EUR" in summary, summary
        with serve_web(env, tmp / "web.log") as url:
            yield BilledPlatform(url, plan, subscription_id)
    finally:
        if dropped:
            _drop(dropped)


def log_in(browser, url: str, email: str):
    page = browser.new_context(accept_downloads=True).new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{url}/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORDS[email])
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda address: address.endswith(("/backoffice/", "/store/")))
    return page


def pdf_text(path: Path) -> str:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(path))
    try:
        text = "\n".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()
    return re.sub(r"[ \xa0\u202f]+", " ", text.replace("\r", ""))


def render_first_page(pdf: Path, png: Path) -> None:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(pdf))
    try:
        document[0].render(scale=2).to_pil().save(png)
    finally:
        document.close()


def test_staff_invoice_and_credit_then_customer_reports_exports_and_downloads(
    billed_platform, browser, tmp_path
):
    url, plan = billed_platform.url, billed_platform.plan
    year = datetime.now(BERLIN).year
    number, credit_number = f"INV-{year}-00001", f"CN-{year}-00001"
    total = f"{plan.total} EUR"  # 3 × 12.00 + 2 × 12.00 × 22/31 = 36.00 + 17.03 = 53.03 EUR in Oct 2026
    renewal_text, addition_text = plan.explanations

    # (1) The reseller's staff find the draft invoice of last month's bill and issue it.
    staff = log_in(browser, url, RESELLER)
    staff.get_by_role("link", name="Billing & invoices").click()
    staff.get_by_role("link", name="Invoices and billing runs").click()
    row = staff.get_by_role("row").filter(has_text=CUSTOMER_NAME)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Draft")
    expect(row).to_contain_text(total)
    row.get_by_role("link", name="Draft").click()
    expect(staff.get_by_role("heading", level=1)).to_have_text("Invoice (draft)")
    expect(staff.get_by_role("row").filter(has_text=renewal_text)).to_have_count(1)
    expect(staff.get_by_role("row").filter(has_text=addition_text)).to_have_count(1)
    staff.get_by_role("button", name="Issue invoice").click()
    expect(staff.get_by_role("status")).to_contain_text(f"Invoice {number} is issued.")
    expect(staff.get_by_role("heading", level=1)).to_have_text(f"Invoice {number}")
    expect(staff.get_by_role("button", name="Issue invoice")).to_have_count(0)
    expect(staff.locator("tfoot")).to_contain_text(total)

    # A credit for more than the invoice is refused; a part of it is credited with its own number.
    staff.get_by_label("Reason").fill("Two seats were never used")
    staff.get_by_label("Amount").fill("60.00")
    staff.get_by_role("button", name="Issue credit note").click()
    expect(staff.get_by_role("status")).to_contain_text(
        f"A credit is more than zero and at most the {total} not yet credited."
    )
    staff.get_by_label("Reason").fill("Two seats were never used")
    staff.get_by_label("Amount").fill("10.00")
    staff.get_by_role("button", name="Issue credit note").click()
    expect(staff.get_by_role("status")).to_contain_text(f"Credit note {credit_number} is issued.")
    credit_link = staff.get_by_role("link", name=credit_number)
    expect(staff.get_by_role("listitem").filter(has=credit_link)).to_have_text(
        f"{credit_number}: 10.00 EUR — Two seats were never used"
    )
    staff.screenshot(path=str(tmp_path / "backoffice-invoice.png"), full_page=True)

    # (2) The customer opens last month's billing report and expands the subscription.
    customer = log_in(browser, url, CUSTOMER)
    customer.get_by_role("link", name="Billing report").click()
    customer.get_by_label("Date range").select_option(label="Last month")
    customer.get_by_role("button", name="Show").click()
    expect(customer.get_by_role("heading", name="Billing report")).to_be_visible()
    bill = customer.locator("details.bill")
    expect(bill).to_have_count(1)
    bill_summary = bill.locator("> summary")
    expect(bill_summary).to_contain_text(
        f"Bill {plan.bill_date.day} {plan.bill_date:%b %Y} — cycle 16 {plan.start.replace(day=16):%b}"
        f"–15 {plan.last_month:%b %Y}: {total}"
    )
    expect(bill_summary.get_by_role("link", name=f"invoice {number}")).to_be_visible()
    subscription = bill.locator("details.subscription")
    lines = subscription.get_by_role("row")
    expect(lines.first).to_be_hidden()  # collapsed until the customer opens it
    subscription.locator("> summary").click()
    expect(subscription.locator("> summary")).to_have_text(
        f"{FRIENDLY_NAME} (#{billed_platform.subscription_id}): {total}"
    )
    expect(lines).to_have_count(3)
    expect(lines.nth(0)).to_have_text(re.compile(r"Charge\s*Period\s*Quantity\s*Unit price\s*Amount\s*How"))
    period = f"1 {plan.last_month:%b}–{plan.period_last_day.day} {plan.last_month:%b %Y}"
    expect(lines.nth(1)).to_contain_text(f"Renewal{period}3")
    expect(lines.nth(1)).to_contain_text(f"{plan.renewal} EUR{renewal_text} (historic sales price)")
    expect(lines.nth(2)).to_contain_text(f"Added quantity{period}2")
    expect(lines.nth(2)).to_contain_text(f"{plan.addition} EUR{addition_text} (historic sales price)")
    text = customer.locator("main").inner_text().lower()
    assert "cost" not in text and "margin" not in text, text
    customer.screenshot(path=str(tmp_path / "store-billing-report.png"), full_page=True)

    # The XLSX export has the same lines, amounts as numbers, and no cost or margin.
    with customer.expect_download() as download_info:
        customer.get_by_role("link", name="XLSX").click()
    download = download_info.value
    assert download.suggested_filename == "billing-report.xlsx"
    xlsx = tmp_path / "billing-report.xlsx"
    download.save_as(xlsx)
    book = load_workbook(xlsx)
    assert book.sheetnames == [plan.cycle]
    rows = [list(row) for row in book[plan.cycle].iter_rows(values_only=True)]
    assert rows[0][0] == "Bill" and rows[0][1].date() == plan.bill_date
    assert rows[0][2:5] == ["Total", pytest.approx(float(plan.total)), "EUR"]
    assert rows[0][5:] == [None] * 8  # the sheet is 13 columns wide: no cost or margin columns
    assert rows[1] == [
        "Bill date", "Cycle", "Subscription", "Product", "Charge", "Period from", "Period to",
        "Quantity", "Unit price", "Amount", "Currency", "Price source", "Explanation",
    ]  # fmt: skip
    assert len(rows) == 4
    expected = [
        ("Renewal", 3, plan.renewal, renewal_text),
        ("Added quantity", 2, plan.addition, addition_text),
    ]
    for row, (label, quantity, amount, explanation) in zip(rows[2:], expected, strict=True):
        assert row[1:5] == [plan.cycle, billed_platform.subscription_id, FRIENDLY_NAME, label]
        assert row[5].date() == plan.last_month and row[6].date() == plan.period_last_day
        assert row[7] == quantity
        assert isinstance(row[8], int | float) and Decimal(str(row[8])) == Decimal("12.00")
        assert isinstance(row[9], int | float) and Decimal(str(row[9])) == amount
        assert row[10:] == ["EUR", "historic sales price", explanation]
    assert sum(Decimal(str(row[9])) for row in rows[2:]) == plan.total

    # The invoice: issued, with the credit note, and as a PDF with its number and total.
    bill_summary.get_by_role("link", name=f"invoice {number}").click()
    expect(customer.get_by_role("heading", level=1)).to_have_text(f"Invoice {number}")
    expect(customer.get_by_role("main")).to_contain_text("Issued")
    expect(customer.get_by_role("link", name=credit_number)).to_be_visible()
    expect(customer.get_by_role("button", name="Issue credit note")).to_have_count(0)
    with customer.expect_download() as download_info:
        customer.get_by_role("link", name="Download PDF").click()
    download = download_info.value
    assert download.suggested_filename == f"{number}.pdf"
    pdf = tmp_path / f"{number}.pdf"
    download.save_as(pdf)
    text = pdf_text(pdf)
    assert number in text, text
    german_total = f"{plan.total}".replace(".", ",") + " €"  # the customer is in Germany: de_DE
    assert re.search(rf"Total\s*{re.escape(german_total)}", text), text
    assert CUSTOMER_NAME in text and "Tailspin IT Services GmbH" in text
    assert PRODUCT in text and renewal_text in text.replace("\n", " ")
    assert "cost" not in text.lower() and "margin" not in text.lower()
    render_first_page(pdf, tmp_path / "invoice-page-1.png")
    assert (tmp_path / "invoice-page-1.png").stat().st_size > 10_000


def test_the_invoice_page_states_the_cycle_and_amounts_like_the_report(billed_platform, browser):
    url, plan = billed_platform.url, billed_platform.plan
    customer = log_in(browser, url, CUSTOMER)
    customer.goto(f"{url}/store/billing/invoices/")
    customer.get_by_role("row").filter(has_text=CUSTOMER_NAME).get_by_role("link").first.click()
    expect(customer.get_by_role("heading", level=1)).to_contain_text("Invoice")
    cycle = f"cycle 16 {plan.start:%b}–15 {plan.last_month:%b %Y}"
    expect(customer.get_by_role("main")).to_contain_text(cycle, timeout=2_000)
    expect(customer.get_by_role("row").filter(has_text="Microsoft 365").first).to_contain_text(
        f"12.00 EUR{plan.renewal} EUR", timeout=2_000
    )
