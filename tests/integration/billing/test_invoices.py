"""Invoices: issue numbers gap-free and freezes; credit notes correct; PDFs read back."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pypdfium2 as pdfium
import pytest

from cspbroker.accounts.access import actor_for
from cspbroker.accounts.models import User
from cspbroker.accounts.services import PermissionDenied
from cspbroker.billing.models import CreditNote, DocumentFrozen, Invoice
from cspbroker.billing.pdf import credit_note_pdf, invoice_pdf
from cspbroker.billing.services.credit_notes import InvalidCredit, create_credit_note
from cspbroker.billing.services.invoices import InvalidTransition, issue_invoice, mark_paid
from cspbroker.domain.clock import FrozenClock

CLOCK = FrozenClock(datetime(2026, 10, 20, 9, tzinfo=UTC))


def _actor(email):
    return actor_for(User.objects.get(email=email))


@pytest.fixture
def drafts(bw):
    bw.subscription("adventureworks", start=date(2026, 10, 1), quantity=3, price="10.00")
    bw.subscription("litware", start=date(2026, 10, 2), quantity=2, price="7.25")
    bw.run("2026-10")
    return {i.customer.legal_name.split()[0].lower(): i for i in Invoice.objects.select_related("customer")}


def test_issue_numbers_without_gaps_and_snapshots(drafts):
    staff = _actor("admin@tailspin.example")
    first = issue_invoice(invoice_id=drafts["adventure"].pk, actor=staff, clock=CLOCK)
    second = issue_invoice(invoice_id=drafts["litware"].pk, actor=staff, clock=CLOCK)
    assert (first.number, second.number) == ("INV-2026-00001", "INV-2026-00002")
    assert first.total == Decimal("30.000000") and first.issued_on == date(2026, 10, 20)
    assert first.customer_snapshot["tax_id"] == "DE833333333"
    assert first.issuer_snapshot["legal_name"] == "Tailspin IT Services GmbH"
    assert first.lines_snapshot[0]["explanation"].startswith("3 × 10.00 EUR")
    assert "cost" not in str(first.lines_snapshot)


def test_issued_invoice_never_changes(drafts):
    invoice = issue_invoice(
        invoice_id=drafts["adventure"].pk, actor=_actor("admin@tailspin.example"), clock=CLOCK
    )
    invoice.total = Decimal("1.00")
    with pytest.raises(DocumentFrozen):
        invoice.save()
    fresh = Invoice.objects.get(pk=invoice.pk)
    fresh.customer_snapshot = {"legal_name": "Someone else"}
    with pytest.raises(DocumentFrozen):
        fresh.save()
    with pytest.raises(DocumentFrozen):
        fresh.delete()
    with pytest.raises(InvalidTransition):
        issue_invoice(invoice_id=invoice.pk, actor=_actor("admin@tailspin.example"), clock=CLOCK)
    assert (
        mark_paid(invoice_id=invoice.pk, actor=_actor("admin@tailspin.example"), clock=CLOCK).status == "paid"
    )


def test_customers_cannot_issue(drafts):
    with pytest.raises(PermissionDenied):
        issue_invoice(
            invoice_id=drafts["adventure"].pk, actor=_actor("admin@adventureworks.example"), clock=CLOCK
        )
    assert Invoice.objects.get(pk=drafts["adventure"].pk).number == ""


def test_credit_notes_have_their_own_series_and_limits(drafts, tmp_path):
    staff = _actor("admin@tailspin.example")
    invoice = issue_invoice(invoice_id=drafts["adventure"].pk, actor=staff, clock=CLOCK)
    note = create_credit_note(
        invoice_id=invoice.pk, reason="Seat billed twice", amount=Decimal("10.00"), actor=staff, clock=CLOCK
    )
    assert note.number == "CN-2026-00001" and note.amount == Decimal("10.00")
    rest = create_credit_note(invoice_id=invoice.pk, reason="Goodwill", actor=staff, clock=CLOCK)
    assert (rest.number, rest.amount) == ("CN-2026-00002", Decimal("20.000000"))
    with pytest.raises(InvalidCredit):
        create_credit_note(
            invoice_id=invoice.pk, reason="More", amount=Decimal("0.01"), actor=staff, clock=CLOCK
        )
    with pytest.raises(DocumentFrozen):
        note.reason = "changed"
        note.save()
    text = _pdf_text(credit_note_pdf(CreditNote.objects.get(pk=note.pk)), tmp_path)
    assert "CN-2026-00001" in text and "INV-2026-00001" in text and "10,00 €" in text


def test_invoice_pdf_reads_back(drafts, tmp_path):
    invoice = issue_invoice(
        invoice_id=drafts["adventure"].pk, actor=_actor("admin@tailspin.example"), clock=CLOCK
    )
    text = _pdf_text(invoice_pdf(invoice), tmp_path)
    assert "INV-2026-00001" in text
    assert "Adventure Works Cycles GmbH" in text and "DE833333333" in text
    assert "3 × 10.00 EUR (new 1 Oct, period 1 Oct–31 Oct 2026)" in text
    assert "30,00 €" in text


def _pdf_text(data: bytes, tmp_path) -> str:
    document = pdfium.PdfDocument(data)
    page = document[0]
    text = page.get_textpage().get_text_range().replace("\xa0", " ")
    image = page.render(scale=1).to_pil()
    path = tmp_path / "page1.png"
    image.save(path)
    assert image.size[0] in (595, 596) and image.size[1] == 842 and path.stat().st_size > 5000
    page.close()
    document.close()
    return text
