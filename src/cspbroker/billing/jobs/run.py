"""The billing run (B1, B2, B4): every customer's bill of one cycle, set-based, resumable, idempotent.

Renewals due are recorded first (a term that ended renews before its next period is billed). Then per
chunk of customers `planning.plan_cycle` says what the cycle's bills must receive — the cycle's own
lines, and for late ledger entries the adjustments, reversals and deletions that settle them — and one
transaction stores it: bills (locked, and left alone when their invoice is issued), stale lines of the
cycle's own bill deleted, lines inserted with `ON CONFLICT DO NOTHING` on their UNIQUE key (a re-run
inserts nothing), totals, draft invoices, and the customer's ledger mark. A crash loses at most the
chunk in flight; running again completes it. Customers whose ledger has not changed since their bill
was computed (the bill's fingerprint) are skipped, so a second run costs a few queries per chunk.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, NamedTuple

from cspbroker.accounts.models import Organization
from cspbroker.accounts.services import InvalidInput
from cspbroker.billing.jobs.chunks import ChunkPlan, unchanged_customers
from cspbroker.billing.jobs.parallel import ChunkJob, prepared_chunks
from cspbroker.billing.jobs.store import store_chunk
from cspbroker.billing.models import Bill, LedgerMark
from cspbroker.clock import platform_clock
from cspbroker.domain.clock import Clock
from cspbroker.domain.ledger import oldest_open_cycle
from cspbroker.domain.parties import OrganizationKind
from cspbroker.domain.periods import BILLING_TIME_ZONE, BillingCycle, billing_cycle
from cspbroker.subscriptions.ledger import correction_cycles
from cspbroker.subscriptions.renewals import renew_due

Progress = Callable[[int, int], None]


@dataclass
class RunSummary:
    cycle: str
    dry_run: bool = False
    customers: int = 0
    customers_skipped: int = 0
    customers_frozen: int = 0
    subscriptions: int = 0
    subscriptions_settled: int = 0
    renewals: int = 0
    lines_computed: int = 0
    lines_created: int = 0
    lines_deleted: int = 0
    adjustments: int = 0
    bills: int = 0
    totals: dict[str, Decimal] = field(default_factory=dict)
    errors: dict[int, str] = field(default_factory=dict)  # subscription → why it was not billed
    seconds: float = 0.0
    settle_seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "cycle": self.cycle,
            "dry_run": self.dry_run,
            "customers": self.customers,
            "customers_skipped": self.customers_skipped,
            "customers_frozen": self.customers_frozen,
            "subscriptions": self.subscriptions,
            "subscriptions_settled": self.subscriptions_settled,
            "renewals": self.renewals,
            "lines_computed": self.lines_computed,
            "lines_created": self.lines_created,
            "lines_deleted": self.lines_deleted,
            "adjustments": self.adjustments,
            "bills": self.bills,
            "totals": {currency: str(total) for currency, total in sorted(self.totals.items())},
            "errors": {str(key): message for key, message in sorted(self.errors.items())},
            "seconds": round(self.seconds, 3),
        }


def parse_cycle(label: str) -> tuple[int, int]:
    try:
        year, month = (int(part) for part in label.split("-"))
        if len(label) != 7 or not 1 <= month <= 12:
            raise ValueError
    except ValueError:
        raise InvalidInput(f"{label!r} is not a cycle: write the month as YYYY-MM.", field="cycle") from None
    return year, month


class ScopeCustomer(NamedTuple):
    """A customer as the run needs it: whose billing calendar it follows (B1)."""

    id: int
    billing_day: int


def customers_in_scope(reseller_id: int | None = None) -> list[ScopeCustomer]:
    """The customers a run bills (a reseller's, or all), with their billing organisation's day
    (`Organization.billed_by`: the reseller's, the operator's for a direct customer)."""
    customers = Organization.objects.filter(kind=OrganizationKind.CUSTOMER.value)
    if reseller_id is not None:
        customers = customers.filter(parent_id=reseller_id)
    rows = customers.order_by("id").values_list("id", "parent_id", "parent__billing_day", "billing_day")
    return [
        ScopeCustomer(pk, day if parent_id is not None else own_day) for pk, parent_id, day, own_day in rows
    ]


def cycle_for(customer: Organization, year: int, month: int) -> BillingCycle:
    """B1: the reseller's Microsoft billing day (the operator's for a direct customer)."""
    parent = customer.parent
    assert parent is not None
    return billing_cycle(parent.billing_day, year, month)


def run_billing(
    *,
    cycle: str,
    reseller_id: int | None = None,
    dry_run: bool = False,
    chunk_size: int = 500,
    progress: Progress | None = None,
    clock: Clock = platform_clock,
) -> RunSummary:
    """Compute and store every bill of `cycle` ("YYYY-MM"); `dry_run` computes and writes nothing."""
    started = time.perf_counter()
    year, month = parse_cycle(cycle)
    summary = RunSummary(cycle=cycle, dry_run=dry_run)
    customers = customers_in_scope(reseller_id)
    if not dry_run:
        summary.renewals = renew_due(
            clock=clock, customer_ids=None if reseller_id is None else [c.id for c in customers]
        )
    by_day: dict[int, list[ScopeCustomer]] = defaultdict(list)
    for customer in customers:
        by_day[customer.billing_day].append(customer)
    last_billed = {} if dry_run else _last_billed(reseller_id)
    work: list[tuple[BillingCycle, Sequence[ScopeCustomer]]] = []
    for day, group in by_day.items():
        billing_cycle_ = billing_cycle(day, year, month)
        chunks = list(_chunks(group, chunk_size))
        if not dry_run:
            # First any cycle since the customers' last bill that was never run (within the correction
            # horizon): nothing due is skipped, and every line is on its own cycle's bill.
            for chunk in chunks:
                for missed, late_customers in _missed_cycles(chunk, billing_cycle_, last_billed, clock):
                    for _ in _run_chunks([(missed, late_customers)], summary, dry_run=False, clock=clock):
                        pass
        work.extend((billing_cycle_, chunk) for chunk in chunks)
    done = 0
    for stored in _run_chunks(work, summary, dry_run=dry_run, clock=clock):
        done += stored
        if progress is not None:
            progress(done, len(customers))
    summary.customers = len(customers)
    if not dry_run:
        _final_totals(summary, reseller_id)
    summary.seconds = time.perf_counter() - started
    return summary


def _chunks(items: Sequence[ScopeCustomer], size: int) -> Iterator[Sequence[ScopeCustomer]]:
    for index in range(0, len(items), size):
        yield items[index : index + size]


def _last_billed(reseller_id: int | None) -> dict[int, str]:
    """Each customer's last billed cycle (its ledger mark), one query for the whole run."""
    marks = LedgerMark.objects.all()
    if reseller_id is not None:
        marks = marks.filter(customer__parent_id=reseller_id)
    return dict(marks.values_list("customer_id", "cycle_label"))


def _missed_cycles(
    chunk: Sequence[ScopeCustomer], cycle: BillingCycle, last_billed: dict[int, str], clock: Clock
) -> list[tuple[BillingCycle, list[ScopeCustomer]]]:
    if not any(customer.id in last_billed for customer in chunk):
        return []
    billing_day = chunk[0].billing_day
    oldest = oldest_open_cycle(billing_day, clock.today(BILLING_TIME_ZONE), correction_cycles())
    missed: dict[str, list[ScopeCustomer]] = defaultdict(list)
    labels: dict[str, BillingCycle] = {}
    for customer in chunk:
        last = last_billed.get(customer.id)
        if last is None or last >= cycle.label:
            continue
        for between in cycles_between(billing_day, last, cycle.label):
            if between.label >= oldest.label:
                missed[between.label].append(customer)
                labels[between.label] = between
    return [(labels[label], missed[label]) for label in sorted(missed)]


def cycles_between(billing_day: int, after: str, before: str) -> list[BillingCycle]:
    """The cycles strictly after the one labelled `after` and strictly before `before`."""
    year, month = parse_cycle(after)
    found: list[BillingCycle] = []
    while True:
        year, month = (year, month + 1) if month < 12 else (year + 1, 1)
        label = f"{year:04d}-{month:02d}"
        if label >= before:
            return found
        found.append(billing_cycle(billing_day, year, month))


def _run_chunks(
    work: Sequence[tuple[BillingCycle, Sequence[ScopeCustomer]]],
    summary: RunSummary,
    *,
    dry_run: bool,
    clock: Clock,
) -> Iterator[int]:
    """Prepare each chunk of its cycle (in worker processes when the run is large, one pipeline for
    every billing day) and store it in turn; yields the number of customers of each chunk done."""
    if not work:
        return
    jobs: list[ChunkJob] = []
    today = clock.today(BILLING_TIME_ZONE)  # one day for the whole run, even one that passes midnight
    for cycle, chunk in work:
        ids = [customer.id for customer in chunk]
        if not dry_run:
            # Unchanged customers are left out before any chunk is handed to a worker: a re-run of a
            # cycle costs a few queries per chunk, and starts no process.
            unchanged = unchanged_customers(ids, cycle)
            summary.customers_skipped += len(unchanged)
            ids = [customer_id for customer_id in ids if customer_id not in unchanged]
        jobs.append(ChunkJob(ids, cycle, today))
    prepared_all = prepared_chunks(
        [job for job in jobs if job.customer_ids], now=clock.now(), dry_run=dry_run
    )
    for (_, chunk), job in zip(work, jobs, strict=True):
        if job.customer_ids:
            prepared = next(prepared_all)
            _count(summary, prepared)
            if not dry_run:
                stored = store_chunk(prepared, now=clock.now())
                summary.lines_created += stored.lines_created
                summary.lines_deleted += stored.lines_deleted
                summary.customers_frozen += stored.frozen
        yield len(chunk)


def _count(summary: RunSummary, prepared: ChunkPlan) -> None:
    summary.customers_frozen += prepared.frozen
    summary.errors.update(prepared.errors)
    summary.subscriptions += prepared.subscriptions
    summary.subscriptions_settled += prepared.settled
    summary.lines_computed += len(prepared.rows) or prepared.computed
    summary.adjustments += prepared.adjustments
    summary.settle_seconds += prepared.settle_seconds
    for currency, total in prepared.totals.items():
        summary.totals[currency] = summary.totals.get(currency, Decimal(0)) + total
    summary.bills += prepared.bills


def _final_totals(summary: RunSummary, reseller_id: int | None) -> None:
    totals: dict[str, Decimal] = defaultdict(Decimal)
    count = 0
    bills = Bill.objects.filter(cycle_label=summary.cycle)
    if reseller_id is not None:
        bills = bills.filter(issuer_id=reseller_id)
    for currency, total in bills.values_list("currency", "total"):
        totals[currency] += total
        count += 1
    summary.totals = dict(totals)
    summary.bills = count


def cycle_dates(customer: Organization, label: str) -> tuple[date, date]:
    year, month = parse_cycle(label)
    period = cycle_for(customer, year, month).period
    return period.start, period.end
