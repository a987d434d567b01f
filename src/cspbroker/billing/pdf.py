"""Invoices and credit notes as PDF (fpdf2), amounts formatted with babel in the customer's locale.

Drawn from the document's own snapshot (an issued invoice) or from the bill (a draft, marked
DRAFT), so a reprint of an issued invoice is always the same document. Never cost or margin.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from babel.numbers import format_currency
from fpdf import FPDF

from cspbroker.billing.models import ChargeLine, ChargeType, CreditNote, Invoice, InvoiceStatus
from cspbroker.billing.services.invoices import line_snapshot, party_snapshot

# fontTools logs every glyph subset at INFO; nobody needs that in the log.
logging.getLogger("fontTools").setLevel(logging.WARNING)

_FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
_LOCALES = {"DE": "de_DE", "US": "en_US", "GB": "en_GB", "FR": "fr_FR", "JP": "ja_JP", "AT": "de_AT"}


def money_text(amount: Decimal | str, currency: str, country: str = "") -> str:
    return format_currency(Decimal(amount), currency, locale=_LOCALES.get(country, "en_US"))


class _Document(FPDF):
    def __init__(self) -> None:
        super().__init__(format="A4")
        self.set_auto_page_break(auto=True, margin=18)
        regular, bold = _FONT_DIR / "DejaVuSans.ttf", _FONT_DIR / "DejaVuSans-Bold.ttf"
        if regular.exists() and bold.exists():
            self.add_font("Body", "", str(regular))
            self.add_font("Body", "B", str(bold))
            self.family = "Body"
        else:  # pragma: no cover - Debian ships DejaVu; the core font lacks × and –
            self.family = "Helvetica"
        self.add_page()

    def font(self, size: float, bold: bool = False) -> None:
        self.set_font(self.family, "B" if bold else "", size)

    def party(self, title: str, party: dict[str, Any], x: float) -> None:
        self.set_xy(x, 40)
        self.font(8, True)
        self.cell(85, 5, title, new_x="LEFT", new_y="NEXT")
        self.font(9)
        lines = [party.get("legal_name", ""), party.get("address_line1", ""), party.get("address_line2", "")]
        lines.append(" ".join(p for p in (party.get("postal_code", ""), party.get("city", "")) if p))
        lines.append(party.get("country", ""))
        if party.get("tax_id"):
            lines.append(f"Tax id: {party['tax_id']}")
        for line in lines:
            if line:
                self.cell(85, 4.5, str(line), new_x="LEFT", new_y="NEXT")


def _header(
    pdf: _Document, title: str, facts: list[tuple[str, str]], issuer: dict[str, Any], customer: dict[str, Any]
) -> None:
    pdf.font(18, True)
    pdf.cell(0, 10, title, new_x="LMARGIN", new_y="NEXT")
    pdf.font(9)
    for label, value in facts:
        pdf.cell(35, 5, label)
        pdf.cell(0, 5, value, new_x="LMARGIN", new_y="NEXT")
    pdf.party("From", issuer, 10)
    pdf.party("Bill to", customer, 110)
    pdf.set_xy(10, 80)


def _lines_table(pdf: _Document, lines: list[dict[str, Any]], currency: str, country: str) -> None:
    pdf.font(8, True)
    widths = (74, 28, 18, 30, 40)
    for width, title in zip(
        widths, ("Product / charge", "Period", "Qty", "Unit price", "Amount"), strict=True
    ):
        pdf.cell(width, 6, title, border="B", align="R" if title in {"Qty", "Unit price", "Amount"} else "L")
    pdf.ln()
    for line in lines:
        pdf.font(8.5)
        charge = ChargeType(line["charge_type"]).label
        pdf.cell(widths[0], 5, f"{line['product'][:44]} ({charge})")
        # The charged days, first to last (the stored end is exclusive).
        first, last = date.fromisoformat(line["active_start"]), date.fromisoformat(line["active_end"])
        pdf.cell(widths[1], 5, f"{first:%d.%m.}–{last - timedelta(days=1):%d.%m.%y}")
        pdf.cell(widths[2], 5, str(line["quantity"]), align="R")
        pdf.cell(widths[3], 5, money_text(line["unit_price"], currency, country), align="R")
        pdf.cell(
            widths[4],
            5,
            money_text(line["amount"], currency, country),
            align="R",
            new_x="LMARGIN",
            new_y="NEXT",
        )
        pdf.font(7)
        pdf.set_text_color(90, 90, 90)
        pdf.multi_cell(0, 3.8, line["explanation"], new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0, 0, 0)
        pdf.ln(1)


def _total(pdf: _Document, label: str, amount: Decimal | str, currency: str, country: str) -> None:
    pdf.ln(3)
    pdf.font(11, True)
    pdf.cell(150, 7, label, align="R")
    pdf.cell(40, 7, money_text(amount, currency, country), align="R", new_x="LMARGIN", new_y="NEXT")


def invoice_pdf(invoice: Invoice) -> bytes:
    draft = invoice.status == InvoiceStatus.DRAFT
    bill = invoice.bill
    customer = party_snapshot(invoice.customer) if draft else invoice.customer_snapshot
    issuer = party_snapshot(invoice.issuer) if draft else invoice.issuer_snapshot
    if draft:
        rows = ChargeLine.objects.filter(bill=bill).order_by("subscription_id", "effective_on", "id")
        lines = [line_snapshot(line) for line in rows]
    else:
        lines = invoice.lines_snapshot
    total = bill.total if draft or invoice.total is None else invoice.total
    currency, country = bill.currency, str(customer.get("country", ""))
    pdf = _Document()
    status = {"draft": "DRAFT — not a valid invoice", "void": "VOID"}.get(invoice.status, invoice.status)
    facts = [
        ("Invoice number", invoice.number or "—"),
        ("Invoice date", invoice.issued_on.isoformat() if invoice.issued_on else "—"),
        (
            "Billing cycle",
            f"{bill.period_start} to {bill.period_end - timedelta(days=1)} (bill date {bill.bill_date})",
        ),
        ("Status", status),
    ]
    _header(pdf, "Invoice", facts, issuer, customer)
    _lines_table(pdf, lines, currency, country)
    _total(pdf, "Total", total, currency, country)
    return bytes(pdf.output())


def credit_note_pdf(note: CreditNote) -> bytes:
    pdf = _Document()
    country = str(note.customer_snapshot.get("country", ""))
    facts = [
        ("Credit note", note.number),
        ("Date", note.issued_on.isoformat()),
        ("Corrects invoice", note.invoice.number),
        ("Reason", note.reason),
    ]
    _header(pdf, "Credit note", facts, note.issuer_snapshot, note.customer_snapshot)
    _total(pdf, "Credited", note.amount, note.currency, country)
    return bytes(pdf.output())
