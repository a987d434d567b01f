"""The preview of a cycle's bill is what the billing run stores, for random ledgers (X6).

Each example writes a subscription and a random ledger — changes recorded on time, a first cycle
billed (and sometimes invoiced), then changes recorded late, some back-dated into the billed cycle —
previews the next cycle's bill on its last day, runs it, and compares line for line. The example
is rolled back afterwards, so examples never see each other. 1,000 examples in CI (HYPOTHESIS_PROFILE=ci).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cspbroker.accounts.access import actor_for
from cspbroker.accounts.models import Organization, User
from cspbroker.billing.models import Bill, ChargeLine, Invoice
from cspbroker.billing.planning import stored_line
from cspbroker.billing.preview import next_bill
from cspbroker.billing.services.invoices import issue_invoice
from cspbroker.domain.billing.adjustments import signature
from cspbroker.domain.clock import FrozenClock

pytestmark = pytest.mark.django_db

FIRST, NEXT = "2026-10", "2026-11"  # Tailspin's cycles: 16 Sep – 15 Oct, 16 Oct – 15 Nov
NEXT_LAST_DAY = date(2026, 11, 15)


class Rollback(Exception):
    pass


_change = st.tuples(
    st.integers(0, 105),  # days after 1 Aug 2026 the change takes effect
    st.sampled_from(["quantity", "quantity", "quantity", "cancel", "billing_cancel", "suspend", "price"]),
    st.integers(0, 30),  # a quantity, or a price in whole euros
    st.booleans(),  # refundable
    st.booleans(),  # recorded late (after the first cycle was billed)
)
_examples = st.fixed_dictionaries(
    {
        "offer": st.sampled_from(["monthly", "annual_monthly", "annual"]),
        "start": st.integers(0, 60),
        "quantity": st.integers(1, 20),
        "price": st.sampled_from(["10.00", "12.50", "7.99", "0.01"]),
        "changes": st.lists(_change, max_size=6),
        "issue_first": st.booleans(),
    }
)


def _noon(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=UTC)


def _record(bw, sub, effective: date, kind: str, value: int, refundable: bool, recorded: date | None) -> None:
    if kind == "quantity":
        bw.quantity(sub, effective, value, refundable=refundable, recorded=recorded)
    elif kind == "price":
        bw.sale_price(sub, effective, f"{value}.00", recorded=recorded)
    else:
        status = {"cancel": "cancelled", "billing_cancel": "billing_cancelled", "suspend": "suspended"}[kind]
        bw.status(sub, effective, status, refundable=refundable, recorded=recorded)


def _bill_lines(customer: Organization, cycle: str) -> list[tuple[object, ...]]:
    rows = ChargeLine.objects.filter(customer=customer, bill__cycle_label=cycle)
    return sorted(signature(stored_line(row)) for row in rows)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow], deadline=None)
@given(example=_examples)
def test_the_next_bill_preview_is_what_the_run_stores(bw, example) -> None:
    try:
        with transaction.atomic():
            _check(bw, example)
            raise Rollback
    except Rollback:
        pass


def _check(bw, example) -> None:
    start = date(2026, 8, 1) + timedelta(days=example["start"])
    sub = bw.subscription(
        "adventureworks", example["offer"], start=start, quantity=example["quantity"], price=example["price"]
    )
    first_billed = date(2026, 10, 17)
    late_on = date(2026, 11, 10)
    on_time, late = [], []
    ended = False
    for offset, kind, value, refundable, is_late in sorted(example["changes"]):
        effective = max(date(2026, 8, 1) + timedelta(days=offset), start)
        if ended or effective > late_on:
            continue
        change = (effective, kind, value or 1 if kind == "quantity" else value, refundable)
        (late if is_late else on_time).append(change)
        ended = kind in ("cancel", "billing_cancel")
    for effective, kind, value, refundable in on_time:
        _record(bw, sub, effective, kind, value, refundable, None)
    bw.run(FIRST, on=first_billed)
    for effective, kind, value, refundable in late:
        # Seen late: after the first cycle was billed, some dated inside it.
        _record(bw, sub, effective, kind, value, refundable, late_on)
    customer = Organization.objects.select_related("parent").get(pk=bw.org("adventureworks").pk)
    if example["issue_first"] and Bill.objects.filter(customer=customer, cycle_label=FIRST).exists():
        invoice = Invoice.objects.get(bill__customer=customer, bill__cycle_label=FIRST)
        if ChargeLine.objects.filter(bill_id=invoice.bill_id).exists():
            staff = actor_for(User.objects.get(email="admin@tailspin.example"))
            issue_invoice(invoice_id=invoice.pk, actor=staff, clock=FrozenClock(_noon(first_billed)))

    preview = next_bill(customer, clock=FrozenClock(_noon(NEXT_LAST_DAY)))
    bw.run(NEXT, on=date(2026, 11, 17))

    previewed = sorted(signature(line) for bill in preview.bills for line in bill.lines)
    assert previewed == _bill_lines(customer, NEXT)
    stored = Bill.objects.filter(customer=customer, cycle_label=NEXT).first()
    total = sum((bill.total.amount for bill in preview.bills), Decimal(0))
    assert total == (stored.total if stored else Decimal(0))
    # Every bill's figures are its lines' (whether the run wrote them from its rows or summed them).
    for bill in Bill.objects.filter(customer=customer):
        lines = list(ChargeLine.objects.filter(bill=bill).values_list("amount", flat=True))
        assert (bill.total, bill.line_count) == (sum(lines, Decimal(0)), len(lines))
