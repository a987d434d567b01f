"""The run's bulk line writer: what it stores is what was computed, and a stored key is skipped
(PostgreSQL: COPY straight in, or through a staging table when a key is already there)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from cspbroker.billing.jobs.storage import (
    LineRow,
    adapt_rows,
    create_draft_invoices,
    insert_bills,
    insert_lines,
    store_marks,
)
from cspbroker.billing.models import Bill, ChargeLine, Invoice, LedgerMark
from cspbroker.domain.periods import billing_cycle

pytestmark = pytest.mark.django_db

AT = datetime(2026, 10, 16, 6, 0, tzinfo=UTC)


def _row(subscription_id: int, customer_id: int, sequence: int, amount: str, text: str = "") -> LineRow:
    return (
        subscription_id,
        customer_id,
        "Microsoft 365 Business Standard",
        "cycleCharge",
        sequence,
        date(2026, 9, 16),
        date(2026, 10, 15),
        date(2026, 9, 16),
        date(2026, 10, 15),
        date(2026, 9, 16),
        3,
        Decimal("12.50"),
        Decimal(amount),
        "EUR",
        "reseller_list",
        "1",
        "Tailspin EUR",
        Decimal("8.00"),
        Decimal("24.00"),
        f"3 × 12.50 EUR{text}",
        AT,
        0,
        "charge",
        None,
        None,
    )


def test_lines_are_stored_as_computed_and_a_stored_key_is_skipped(bw) -> None:
    subscription = bw.subscription("adventureworks", start=date(2026, 9, 16), quantity=3)
    customer = subscription.tenant.customer_id
    first = [_row(subscription.pk, customer, n, "37.50", "\ttab\\slash\nline") for n in range(3)]

    assert insert_lines(adapt_rows(first)) == 3
    assert insert_lines(adapt_rows(first)) == 0  # every key stored: nothing inserted, no error
    # Two stored keys, one new, and the new one twice: one line more.
    again = [
        *first[:2],
        _row(subscription.pk, customer, 7, "0.01"),
        _row(subscription.pk, customer, 7, "9.99"),
    ]
    assert insert_lines(adapt_rows(again)) == 1

    stored = ChargeLine.objects.filter(subscription=subscription).order_by("sequence")
    assert [line.sequence for line in stored] == [0, 1, 2, 7]
    line = stored[0]
    assert line.explanation == "3 × 12.50 EUR\ttab\\slash\nline"
    assert (line.amount, line.unit_price, line.cost_amount) == (
        Decimal("37.50"),
        Decimal("12.50"),
        Decimal("24"),
    )
    assert line.created_at == AT and line.period_end == date(2026, 10, 15) and line.reverses_id is None
    assert stored[3].amount == Decimal("0.01")  # the first of a repeated key wins


def test_bills_invoices_and_marks_written_in_bulk_are_what_the_models_make(bw) -> None:
    customer, issuer = bw.org("adventureworks"), bw.org("adventureworks").parent
    cycle = billing_cycle(15, 2026, 10)
    insert_bills([(customer.pk, issuer.pk, "EUR"), (customer.pk, issuer.pk, "USD")], cycle, at=AT)
    insert_bills([(customer.pk, issuer.pk, "EUR")], cycle, at=datetime(2027, 1, 1, tzinfo=UTC))  # kept
    bills = list(Bill.objects.filter(customer=customer).order_by("currency"))
    assert [(b.currency, b.total, b.line_count, b.fingerprint, b.is_frozen) for b in bills] == [
        ("EUR", Decimal(0), 0, "", False),
        ("USD", Decimal(0), 0, "", False),
    ]
    assert (bills[0].period_start, bills[0].period_end, bills[0].bill_date) == (
        cycle.period.start,
        cycle.period.end,
        cycle.bill_date,
    )
    assert bills[0].created_at == bills[0].updated_at == AT and bills[0].issuer_id == issuer.pk

    create_draft_invoices([customer.pk], cycle.label, at=AT)
    create_draft_invoices([customer.pk], cycle.label, at=AT)  # one invoice per bill, ever
    made = Invoice(bill=bills[0], customer=customer, issuer=issuer, currency="EUR")
    for invoice in Invoice.objects.filter(customer=customer):
        assert (invoice.status, invoice.number, invoice.customer_snapshot, invoice.lines_snapshot) == (
            made.status,
            made.number,
            made.customer_snapshot,
            made.lines_snapshot,
        )
        assert invoice.total is None and invoice.created_at == AT
    assert Invoice.objects.filter(customer=customer).count() == 2

    store_marks({customer.pk: (7, "2026-10", "2026-10")})
    store_marks({customer.pk: (9, "2026-11", "2026-11")})  # moves on; the first billed cycle stays
    mark = LedgerMark.objects.get(customer=customer)
    assert (mark.entry_id, mark.cycle_label, mark.first_cycle_label) == (9, "2026-11", "2026-10")
    store_marks({customer.pk: (9, "2026-09", "2026-09")})  # an older cycle re-run reaches further back
    assert LedgerMark.objects.get(customer=customer).first_cycle_label == "2026-09"
