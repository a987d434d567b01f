"""One chunk of a billing run, prepared: what its customers' bills of a cycle must receive, as rows.

`prepare_chunk` reads (fingerprints, the plan of `planning.plan_cycle`) and turns the plan into plain
rows and ids — nothing but numbers, text and dates — so that it can be computed in a worker process
while the run stores the previous chunk (`parallel.py`), and handed over cheaply. `store.store_chunk`
writes it. In one process the two simply follow each other.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.db import connection

from cspbroker.accounts.models import Organization
from cspbroker.billing.histories import fingerprint, fingerprints
from cspbroker.billing.jobs.storage import AdaptedRow, LineRow, adapt_rows, bulk_cursor
from cspbroker.billing.models import Bill
from cspbroker.billing.planning import PlannedLine, plan_cycle
from cspbroker.catalog.pricing import split_source
from cspbroker.domain.periods import BillingCycle
from cspbroker.subscriptions.models import LedgerEntry


@dataclass
class ChunkPlan:
    """What to store for one chunk: picklable, with the counts the run's summary adds up."""

    cycle: BillingCycle
    customers: dict[int, tuple[int, str]] = field(default_factory=dict)  # customer → (issuer, currency)
    rows: list[AdaptedRow] = field(default_factory=list)  # as the database driver takes them
    row_bills: list[tuple[int, str]] = field(default_factory=list)  # each row's bill: customer, currency
    deletes: dict[int, list[int]] = field(default_factory=dict)  # customer → stale lines of its bill
    marks: dict[int, tuple[int, str, str]] = field(default_factory=dict)  # customer → ledger mark
    fingerprints: dict[int, str] = field(default_factory=dict)
    # Each bill's (customer, currency) total and number of rows, for a bill the store makes.
    bill_figures: dict[tuple[int, str], tuple[Decimal, int]] = field(default_factory=dict)
    frozen: int = 0
    subscriptions: int = 0
    settled: int = 0
    adjustments: int = 0
    errors: dict[int, str] = field(default_factory=dict)
    totals: dict[str, Decimal] = field(default_factory=dict)  # for a dry run
    bills: int = 0  # for a dry run
    computed: int = 0  # lines computed (a dry run keeps only the count)
    settle_seconds: float = 0.0


@contextmanager
def gc_paused() -> Iterator[None]:
    """The cyclic garbage collector paused while a chunk's objects are made and dropped.

    A chunk makes hundreds of thousands of small objects that refer to nothing circular (histories,
    lines, rows): reference counting frees them, and the collector's passes over an ever larger heap
    cost a third of the run. It runs again after the chunk.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def prepare_chunk(
    customer_ids: list[int], cycle: BillingCycle, *, today: date, now: datetime, dry_run: bool
) -> ChunkPlan:
    with gc_paused():
        return _prepare(customer_ids, cycle, today=today, now=now, dry_run=dry_run)


def _prepare(
    customer_ids: list[int], cycle: BillingCycle, *, today: date, now: datetime, dry_run: bool
) -> ChunkPlan:
    prepared = ChunkPlan(cycle)
    prepared.fingerprints = fingerprints(customer_ids)
    if not customer_ids:
        return prepared
    customers = list(Organization.objects.select_related("parent").filter(pk__in=customer_ids).order_by("pk"))
    plan = plan_cycle(customers, cycle, today=today)
    prepared.frozen = len(plan.frozen)
    prepared.errors = dict(plan.errors)
    prepared.subscriptions = len(plan.loaded.histories)
    prepared.settled = plan.settled_subscriptions
    prepared.settle_seconds = plan.settle_seconds
    prepared.marks = dict(plan.marks)
    rows: list[LineRow] = []
    for customer_id, customer_plan in plan.customers.items():
        customer = customer_plan.customer
        assert customer.parent_id is not None
        prepared.customers[customer_id] = (customer.parent_id, customer.currency)
        prepared.adjustments += customer_plan.adjustments
        if customer_plan.deletes:
            prepared.deletes[customer_id] = list(customer_plan.deletes)
        figures = prepared.bill_figures
        for planned in customer_plan.lines:
            row = to_row(planned, customer_id, now)
            rows.append(row)
            bill = (customer_id, planned.line.currency)
            prepared.row_bills.append(bill)
            total, count = figures.get(bill, (Decimal(0), 0))
            figures[bill] = (total + row[12], count + 1)
    if dry_run:
        _dry_totals(prepared, rows)
    else:
        prepared.rows = adapt_rows(rows)
    return prepared


def unchanged_customers(customer_ids: list[int], cycle: BillingCycle) -> set[int]:
    """The customers whose ledger has not changed since their bill of `cycle` was computed: every
    bill of theirs for the cycle carries the fingerprint of their ledger as it is now. One raw query
    (a re-run of a cycle is mostly this, chunk after chunk)."""
    if not customer_ids:
        return set()
    bills = connection.ops.quote_name(Bill._meta.db_table)
    ledger = connection.ops.quote_name(LedgerEntry._meta.db_table)
    marks = ", ".join(["%s"] * len(customer_ids))
    sql = (
        f"SELECT b.customer_id, b.fingerprint, f.n, f.newest FROM {bills} b LEFT JOIN "  # noqa: S608
        f"(SELECT customer_id, COUNT(*) AS n, MAX(id) AS newest FROM {ledger} "
        f"WHERE customer_id IN ({marks}) GROUP BY customer_id) f ON f.customer_id = b.customer_id "
        f"WHERE b.cycle_label = %s AND b.customer_id IN ({marks})"
    )
    unchanged: set[int] = set()
    changed: set[int] = set()
    with bulk_cursor() as cursor:
        cursor.execute(sql, [*customer_ids, cycle.label, *customer_ids])
        for customer_id, stored, entries, newest in cursor.fetchall():
            (unchanged if stored == fingerprint(entries, newest) else changed).add(customer_id)
    return unchanged - changed


def _dry_totals(prepared: ChunkPlan, rows: list[LineRow]) -> None:
    for row in rows:
        prepared.totals[row[13]] = prepared.totals.get(row[13], Decimal(0)) + row[12]
    prepared.bills = len(set(prepared.row_bills))
    prepared.computed = len(rows)


def to_row(planned: PlannedLine, customer_id: int, now: datetime) -> LineRow:
    """A planned line as the row `storage.insert_lines` writes (columns in `storage.LINE_COLUMNS`)."""
    line = planned.line
    kind, source_id, name = _source(line.price_source)
    cost = line.cost
    return (
        line.subscription_id,
        customer_id,
        line.product[:300],
        line.charge_type.value,
        line.sequence,
        line.period.start,
        line.period.end,
        line.active.start,
        line.active.end,
        line.effective_on,
        line.quantity,
        line.unit_price.amount,
        line.amount.amount,
        line.currency,
        kind[:40],
        source_id[:40],
        name[:200],
        None if line.unit_cost is None else line.unit_cost.amount,
        None if cost is None else cost.amount,
        line.explanation[:300],
        now,
        planned.revision,
        planned.kind,
        planned.reverses,
        planned.corrects_entry,
    )


_SOURCES: dict[str, tuple[str, str, str]] = {}


def _source(text: str) -> tuple[str, str, str]:
    # Lines name a handful of price sources: each is split once.
    parts = _SOURCES.get(text)
    if parts is None:
        parts = _SOURCES[text] = split_source(text)
    return parts
