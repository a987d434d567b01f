"""Storing a prepared chunk of a billing run, in one transaction.

The bills first (so lines are inserted attached to theirs: attaching them afterwards with an UPDATE
rewrites every line and its index entries a second time), locked in id order (two runs never
deadlock); a bill invoiced since the chunk was prepared is left alone. Then the stale lines of the
cycle's own bills are deleted, the lines inserted (`ON CONFLICT DO NOTHING` on their UNIQUE key: a
re-run inserts nothing), the totals and fingerprints written, the ledger marks moved and the draft
invoices created.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction

from cspbroker.billing.jobs.chunks import ChunkPlan, gc_paused
from cspbroker.billing.jobs.storage import insert_lines, store_bill_totals
from cspbroker.billing.models import Bill, ChargeLine, Invoice, LedgerMark
from cspbroker.domain.periods import BillingCycle


@dataclass
class Stored:
    lines_created: int = 0
    lines_deleted: int = 0
    frozen: int = 0  # customers whose bill was issued between preparing and storing


def store_chunk(prepared: ChunkPlan, *, now: datetime) -> Stored:
    with gc_paused(), transaction.atomic():
        return _store(prepared, now)


def _store(prepared: ChunkPlan, now: datetime) -> Stored:
    stored = Stored()
    cycle = prepared.cycle
    ids = list(prepared.customers)
    if not ids:
        return stored
    wanted = set(prepared.row_bills)
    Bill.objects.bulk_create(
        [
            _new_bill(customer, prepared.customers[customer][0], currency, cycle, now)
            for customer, currency in wanted
        ],
        ignore_conflicts=True,
    )
    bills = list(
        Bill.objects.select_for_update(of=("self",))
        .filter(customer_id__in=ids, cycle_label=cycle.label)
        .order_by("id")
    )
    frozen = {b.customer_id for b in bills if b.is_frozen}
    stored.frozen = len(frozen)
    bill_ids = {(b.customer_id, b.currency): b.pk for b in bills if b.customer_id not in frozen}
    attached = list(bill_ids.values())
    deletes = [
        line for customer, lines in prepared.deletes.items() if customer not in frozen for line in lines
    ]
    if deletes:
        stored.lines_deleted = ChargeLine.objects.filter(id__in=deletes, bill_id__in=attached).delete()[0]
    rows, row_bills = [], []
    for bill, row in zip(prepared.row_bills, prepared.rows, strict=True):
        if bill[0] not in frozen:
            rows.append(row)
            row_bills.append(bill_ids.get(bill))
    stored.lines_created = insert_lines(rows, bill_ids=row_bills)
    kept = [customer for customer in ids if customer not in frozen]
    store_bill_totals(
        [
            (bill.pk, prepared.fingerprints.get(bill.customer_id, ""))
            for bill in bills
            if bill.customer_id not in frozen
        ],
        at=now,
    )
    _store_marks({customer: prepared.marks[customer] for customer in kept if customer in prepared.marks})
    open_bills = Bill.objects.filter(customer_id__in=kept, cycle_label=cycle.label, invoice__isnull=True)
    Invoice.objects.bulk_create(
        [
            Invoice(bill_id=bill_id, customer_id=customer_id, issuer_id=issuer_id, currency=currency)
            for bill_id, customer_id, issuer_id, currency in open_bills.values_list(
                "id", "customer_id", "issuer_id", "currency"
            )
        ],
        ignore_conflicts=True,
    )
    return stored


def _new_bill(customer_id: int, issuer_id: int, currency: str, cycle: BillingCycle, now: datetime) -> Bill:
    return Bill(
        customer_id=customer_id,
        issuer_id=issuer_id,
        cycle_label=cycle.label,
        currency=currency,
        period_start=cycle.period.start,
        period_end=cycle.period.end,
        bill_date=cycle.bill_date,
        created_at=now,
        updated_at=now,
    )


def _store_marks(marks: dict[int, tuple[int, str, str]]) -> None:
    existing = {mark.customer_id: mark for mark in LedgerMark.objects.filter(customer_id__in=list(marks))}
    changed, created = [], []
    for customer_id, (entry_id, label, first) in marks.items():
        mark = existing.get(customer_id)
        if mark is None:
            created.append(
                LedgerMark(
                    customer_id=customer_id, entry_id=entry_id, cycle_label=label, first_cycle_label=first
                )
            )
            continue
        first = min(first, mark.first_cycle_label)
        if (mark.entry_id, mark.cycle_label, mark.first_cycle_label) != (entry_id, label, first):
            mark.entry_id, mark.cycle_label, mark.first_cycle_label = entry_id, label, first
            changed.append(mark)
    LedgerMark.objects.bulk_create(created, batch_size=1000)
    LedgerMark.objects.bulk_update(changed, ["entry_id", "cycle_label", "first_cycle_label"], batch_size=1000)
