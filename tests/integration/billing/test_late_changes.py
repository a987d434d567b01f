"""Late changes become adjustments on the next open bill; an issued bill never changes (also in the
database); re-running any cycle is a no-op. Runs on SQLite and PostgreSQL (CI runs the suite on both).

Adventure Works is Tailspin's (billing day 15): cycle 2026-10 is 16 Sep – 15 Oct (bill 16 Oct),
2026-11 is 16 Oct – 15 Nov. The monthly offer is a P1M term billed monthly, renewed on the 1st.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from cspbroker.accounts.access import actor_for
from cspbroker.accounts.models import User
from cspbroker.billing.models import Bill, ChargeLine, Invoice
from cspbroker.billing.services.invoices import issue_invoice
from cspbroker.domain.clock import FrozenClock
from cspbroker.subscriptions.models import LedgerEntry

pytestmark = pytest.mark.django_db


def staff():
    return actor_for(User.objects.get(email="admin@tailspin.example"))


def issue(bw, cycle: str) -> Invoice:
    invoice = Invoice.objects.get(bill=Bill.objects.get(customer=bw.org("adventureworks"), cycle_label=cycle))
    return issue_invoice(
        invoice_id=invoice.pk, actor=staff(), clock=FrozenClock(datetime(2026, 12, 1, tzinfo=UTC))
    )


def lines_on(bw, cycle: str) -> list[tuple[str, str, int, Decimal, date]]:
    bill = Bill.objects.get(customer=bw.org("adventureworks"), cycle_label=cycle)
    return [
        (line.kind, line.charge_type, line.quantity, line.amount, line.effective_on)
        for line in ChargeLine.objects.filter(bill=bill).order_by("effective_on", "id")
    ]


def test_a_change_recorded_after_its_cycle_was_invoiced_is_billed_as_an_adjustment_on_the_next_bill(bw):
    sub = bw.subscription("adventureworks", start=date(2026, 10, 1), quantity=3, price="10.00")
    bw.run("2026-10")
    october = issue(bw, "2026-10")
    # +2 seats at the provider on 5 Oct, seen on 20 Oct (after October's bill was issued).
    bw.quantity(sub, date(2026, 10, 5), 5, recorded=date(2026, 10, 20))

    summary = bw.run("2026-11")

    assert lines_on(bw, "2026-11") == [
        # 5..31 Oct = 27 of October's 31 days: 2 × 10.00 × 27/31 = 17.419
        ("adjustment", "addQuantity", 2, Decimal("17.420000"), date(2026, 10, 5)),
        ("charge", "renew", 5, Decimal("50.000000"), date(2026, 11, 1)),
    ]
    adjustment = ChargeLine.objects.get(kind="adjustment")
    assert adjustment.explanation == (
        "Correction: +2 seats from 5 Oct, recorded 20 Oct: "
        "2 × 10.00 EUR × 27/31 days (added 5 Oct, period 1 Oct–31 Oct 2026)"
    )
    assert adjustment.corrects_entry_id == LedgerEntry.objects.get(subscription=sub, kind="quantity").pk
    assert (summary.adjustments, summary.subscriptions_settled) == (1, 1)
    # October's bill and invoice never changed, and re-running either cycle adds nothing.
    october.refresh_from_db()
    assert lines_on(bw, "2026-10") == [("charge", "new", 3, Decimal("30.000000"), date(2026, 10, 1))]
    assert october.total == Bill.objects.get(pk=october.bill_id).total == Decimal("30.000000")
    before = ChargeLine.objects.count()
    assert bw.run("2026-10").customers_frozen == 1
    assert bw.run("2026-11").lines_created == 0
    assert ChargeLine.objects.count() == before


def test_a_late_change_dated_on_a_periods_first_day_replaces_the_open_bills_line(bw):
    sub = bw.subscription("adventureworks", start=date(2026, 10, 1), quantity=3, price="10.00")
    bw.run("2026-11")  # draft: renew 3 seats on 1 Nov
    assert lines_on(bw, "2026-11") == [("charge", "renew", 3, Decimal("30.000000"), date(2026, 11, 1))]
    bw.quantity(sub, date(2026, 11, 1), 4, recorded=date(2026, 11, 20))

    summary = bw.run("2026-11")

    # The bill is still open: the renewal line is recomputed in place, nothing is dropped.
    assert lines_on(bw, "2026-11") == [("charge", "renew", 4, Decimal("40.000000"), date(2026, 11, 1))]
    assert (summary.lines_deleted, summary.lines_created) == (1, 1)
    assert Bill.objects.get(customer=bw.org("adventureworks"), cycle_label="2026-11").total == Decimal("40")


def test_a_late_change_to_an_issued_period_reverses_and_recharges_on_the_next_bill(bw):
    sub = bw.subscription("adventureworks", start=date(2026, 10, 1), quantity=3, price="10.00")
    bw.run("2026-11")
    issue(bw, "2026-11")
    bw.quantity(sub, date(2026, 11, 1), 4, recorded=date(2026, 11, 20))

    bw.run("2026-12")

    assert lines_on(bw, "2026-12") == [
        ("reversal", "renew", -3, Decimal("-30.000000"), date(2026, 11, 1)),
        ("adjustment", "renew", 4, Decimal("40.000000"), date(2026, 11, 1)),
        ("charge", "renew", 4, Decimal("40.000000"), date(2026, 12, 1)),
    ]
    reversal = ChargeLine.objects.get(kind="reversal")
    assert reversal.reverses_id == ChargeLine.objects.get(bill__cycle_label="2026-11").pk
    assert reversal.explanation.startswith("Withdrawn (+1 seat from 1 Nov, recorded 20 Nov): 3 × 10.00 EUR")
    assert bw.run("2026-12").lines_created == 0


def test_a_back_dated_cancellation_refunds_on_the_next_bill(bw):
    sub = bw.subscription("adventureworks", start=date(2026, 10, 1), quantity=4, price="10.00")
    bw.run("2026-10")
    issue(bw, "2026-10")
    bw.status(sub, date(2026, 10, 3), "cancelled", refundable=True, recorded=date(2026, 10, 25))

    bw.run("2026-11")

    # 3..31 Oct = 29 days: 4 × 10.00 × 29/31 = 37.419; no renewal on 1 Nov.
    assert lines_on(bw, "2026-11") == [
        ("adjustment", "cancelImmediate", -4, Decimal("-37.420000"), date(2026, 10, 3))
    ]


def test_an_issued_bill_is_frozen_in_the_database_too(bw):
    bw.subscription("adventureworks", start=date(2026, 10, 1), quantity=3, price="10.00")
    bw.run("2026-10")
    invoice = issue(bw, "2026-10")
    line = ChargeLine.objects.get(bill_id=invoice.bill_id)
    columns = [f.column for f in ChargeLine._meta.concrete_fields if f.column not in ("id", "revision")]
    insert_copy = (
        f"INSERT INTO billing_chargeline ({', '.join(columns)}, revision) "
        f"SELECT {', '.join(columns)}, 9 FROM billing_chargeline WHERE id = %s"
    )
    attempts = [
        ("UPDATE billing_chargeline SET amount = 1 WHERE id = %s", line.pk),
        ("UPDATE billing_bill SET total = 1 WHERE id = %s", invoice.bill_id),
        ("UPDATE billing_invoice SET total = 1 WHERE id = %s", invoice.pk),
        (insert_copy, line.pk),
    ]
    if connection.vendor == "postgresql":
        attempts.append(("DELETE FROM billing_chargeline WHERE id = %s", line.pk))
    for sql, row_id in attempts:
        with (
            pytest.raises(IntegrityError, match="issued invoice never changes"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [row_id])
    # Paying the invoice is still a change of its status alone.
    with connection.cursor() as cursor:
        cursor.execute("UPDATE billing_invoice SET status = 'paid' WHERE id = %s", [invoice.pk])


def test_ledger_entries_are_append_only_in_the_database(bw):
    sub = bw.subscription("adventureworks", start=date(2026, 10, 1), quantity=3, price="10.00")
    entry = LedgerEntry.objects.filter(subscription=sub).first()
    statements = ["UPDATE subscriptions_ledgerentry SET quantity = 9 WHERE id = %s"]
    if connection.vendor == "postgresql":
        statements.append("DELETE FROM subscriptions_ledgerentry WHERE id = %s")
    for sql in statements:
        with (
            pytest.raises(IntegrityError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [entry.pk])


def test_a_skipped_cycle_is_billed_on_its_own_bill_before_the_next(bw):
    bw.subscription("adventureworks", start=date(2026, 9, 1), quantity=2, price="10.00")
    bw.run("2026-09")

    bw.run("2026-12")  # October and November were never run

    labels = Bill.objects.filter(customer=bw.org("adventureworks")).order_by("cycle_label")
    assert [(bill.cycle_label, bill.total) for bill in labels] == [
        ("2026-09", Decimal("20.000000")),
        ("2026-10", Decimal("20.000000")),
        ("2026-11", Decimal("20.000000")),
        ("2026-12", Decimal("20.000000")),
    ]
    assert not ChargeLine.objects.exclude(kind="charge").exists()
