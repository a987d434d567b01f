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
from decimal import Decimal

from django.db import transaction

from cspbroker.billing.jobs.chunks import ChunkPlan, gc_paused
from cspbroker.billing.jobs.storage import (
    create_draft_invoices,
    insert_bills,
    insert_lines,
    store_bill_figures,
    store_bill_totals,
    store_marks,
)
from cspbroker.billing.models import Bill, ChargeLine


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
    wanted = sorted(set(prepared.row_bills))  # in order: bill ids never depend on hashing
    made = insert_bills(
        [(customer, prepared.customers[customer][0], currency) for customer, currency in wanted],
        cycle,
        at=now,
    )
    bills = list(
        Bill.objects.select_for_update()
        .filter(customer_id__in=ids, cycle_label=cycle.label)
        .order_by("id")
        .values_list("id", "customer_id", "currency", "is_frozen")
    )
    frozen = {customer for _, customer, _, is_frozen in bills if is_frozen}
    stored.frozen = len(frozen)
    open_bills = [(pk, customer, currency) for pk, customer, currency, _ in bills if customer not in frozen]
    bill_ids = {(customer, currency): pk for pk, customer, currency in open_bills}
    deletes = [
        line for customer, lines in prepared.deletes.items() if customer not in frozen for line in lines
    ]
    if deletes:
        stored.lines_deleted = ChargeLine.objects.filter(
            id__in=deletes, bill_id__in=list(bill_ids.values())
        ).delete()[0]
    rows, row_bills = [], []
    for bill, row in zip(prepared.row_bills, prepared.rows, strict=True):
        if bill[0] not in frozen:
            rows.append(row)
            row_bills.append(bill_ids.get(bill))
    stored.lines_created = insert_lines(rows, bill_ids=row_bills)
    kept = [customer for customer in ids if customer not in frozen]
    # A bill made just now whose lines all went in holds exactly the rows of this chunk.
    known = made if stored.lines_created == len(rows) else set()
    figures = prepared.bill_figures
    store_bill_figures(
        [
            (pk, *figures.get((customer, currency), (Decimal(0), 0)), prepared.fingerprints[customer])
            for pk, customer, currency in open_bills
            if pk in known
        ],
        at=now,
    )
    store_bill_totals(
        [(pk, prepared.fingerprints.get(customer, "")) for pk, customer, _ in open_bills if pk not in known],
        at=now,
    )
    store_marks({customer: prepared.marks[customer] for customer in kept if customer in prepared.marks})
    create_draft_invoices(kept, cycle.label, at=now)
    return stored
