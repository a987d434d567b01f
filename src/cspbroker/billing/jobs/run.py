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
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import transaction

from cspbroker.accounts.models import Organization
from cspbroker.accounts.services import InvalidInput
from cspbroker.billing.histories import fingerprints
from cspbroker.billing.jobs.storage import LineRow, bill_sums, insert_lines, update_bill_totals
from cspbroker.billing.models import Bill, ChargeLine, Invoice, InvoiceStatus, LedgerMark
from cspbroker.billing.planning import CyclePlan, PlannedLine, plan_cycle
from cspbroker.catalog.pricing import split_source
from cspbroker.clock import platform_clock
from cspbroker.domain.clock import Clock
from cspbroker.domain.ledger import oldest_open_cycle
from cspbroker.domain.money import Money
from cspbroker.domain.parties import OrganizationKind
from cspbroker.domain.periods import BillingCycle, billing_cycle
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


def customers_in_scope(reseller_id: int | None = None) -> list[Organization]:
    customers = Organization.objects.filter(kind=OrganizationKind.CUSTOMER.value).select_related("parent")
    if reseller_id is not None:
        customers = customers.filter(parent_id=reseller_id)
    return list(customers.order_by("id"))


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
            clock=clock, customer_ids=None if reseller_id is None else [c.pk for c in customers]
        )
    by_day: dict[int, list[Organization]] = defaultdict(list)
    for customer in customers:
        by_day[customer.billed_by.billing_day].append(customer)
    done = 0
    for day, group in by_day.items():
        billing_cycle_ = billing_cycle(day, year, month)
        for chunk in _chunks(group, chunk_size):
            _run_chunk(chunk, billing_cycle_, summary, dry_run=dry_run, clock=clock)
            done += len(chunk)
            if progress is not None:
                progress(done, len(customers))
    summary.customers = len(customers)
    if not dry_run:
        _final_totals(summary, reseller_id)
    summary.seconds = time.perf_counter() - started
    return summary


def _chunks(items: Sequence[Organization], size: int) -> Iterator[Sequence[Organization]]:
    for index in range(0, len(items), size):
        yield items[index : index + size]


def _run_chunk(
    chunk: Sequence[Organization], cycle: BillingCycle, summary: RunSummary, *, dry_run: bool, clock: Clock
) -> None:
    """The chunk's bills of `cycle`, after those of any cycle since their last bill that was never run
    (within the correction horizon): nothing due is skipped, and every line is on its own cycle's bill."""
    if not dry_run:
        for missed, customers in _missed_cycles(chunk, cycle, clock):
            _run_cycle(customers, missed, summary, dry_run=False, clock=clock)
    _run_cycle(chunk, cycle, summary, dry_run=dry_run, clock=clock)


def _missed_cycles(
    chunk: Sequence[Organization], cycle: BillingCycle, clock: Clock
) -> list[tuple[BillingCycle, list[Organization]]]:
    marks = dict(
        LedgerMark.objects.filter(customer_id__in=[c.pk for c in chunk]).values_list(
            "customer_id", "cycle_label"
        )
    )
    if not marks:
        return []
    billing_org = chunk[0].billed_by
    oldest = oldest_open_cycle(
        billing_org.billing_day, clock.today(billing_org.time_zone), correction_cycles()
    )
    missed: dict[str, list[Organization]] = defaultdict(list)
    labels: dict[str, BillingCycle] = {}
    for customer in chunk:
        last = marks.get(customer.pk)
        if last is None or last >= cycle.label:
            continue
        for between in cycles_between(billing_org.billing_day, last, cycle.label):
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


def _run_cycle(
    chunk: Sequence[Organization], cycle: BillingCycle, summary: RunSummary, *, dry_run: bool, clock: Clock
) -> None:
    ids = [customer.pk for customer in chunk]
    marks = fingerprints(ids)
    if not dry_run:
        stored: dict[int, set[str]] = defaultdict(set)
        for customer_id, fingerprint in Bill.objects.filter(
            customer_id__in=ids, cycle_label=cycle.label
        ).values_list("customer_id", "fingerprint"):
            stored[customer_id].add(fingerprint)
        unchanged = {c for c in ids if stored.get(c) == {marks[c]}}
        summary.customers_skipped += len(unchanged)
        chunk = [customer for customer in chunk if customer.pk not in unchanged]
        if not chunk:
            return
    settling_started = time.perf_counter()
    plan = plan_cycle(chunk, cycle, today=clock.today(chunk[0].billing_time_zone))
    summary.customers_frozen += len(plan.frozen)
    summary.errors.update(plan.errors)
    summary.subscriptions += len(plan.loaded.histories)
    summary.subscriptions_settled += plan.settled_subscriptions
    lines = plan.lines
    summary.lines_computed += len(lines)
    summary.adjustments += sum(p.adjustments for p in plan.customers.values())
    if plan.settled_subscriptions:
        summary.settle_seconds += time.perf_counter() - settling_started
    if dry_run:
        for planned in lines:
            total = summary.totals.get(planned.line.currency, Decimal(0))
            summary.totals[planned.line.currency] = total + planned.line.amount.amount
        summary.bills += len(
            {(plan.loaded.customer_of[p.line.subscription_id], p.line.currency) for p in lines}
        )
        return
    now = clock.now()
    with transaction.atomic():
        _store_plan(plan, marks, summary, now)


def to_row(planned: PlannedLine, customer_id: int, now: datetime) -> LineRow:
    line = planned.line
    kind, source_id, name = split_source(line.price_source)
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


def _store_plan(plan: CyclePlan, marks: dict[int, str], summary: RunSummary, now: datetime) -> None:
    cycle = plan.cycle
    customers = {customer_id: p.customer for customer_id, p in plan.customers.items()}
    ids = list(customers)
    if not ids:
        return
    # The bills first, so that new lines are inserted attached to theirs: attaching them afterwards
    # with an UPDATE rewrites every line (and each of its index entries) a second time.
    wanted = {(plan.loaded.customer_of[p.line.subscription_id], p.line.currency) for p in plan.lines}
    Bill.objects.bulk_create(
        [_new_bill(customers[customer_id], currency, cycle, now) for customer_id, currency in wanted],
        ignore_conflicts=True,
    )
    # Locked in id order (no deadlock between two runs); one issued since the plan was made is left alone.
    bills = list(
        Bill.objects.select_for_update(of=("self",))
        .filter(customer_id__in=ids, cycle_label=cycle.label)
        .select_related("invoice")
        .order_by("id")
    )
    frozen = {
        b.customer_id for b in bills if hasattr(b, "invoice") and b.invoice.status != InvoiceStatus.DRAFT
    }
    bill_ids = {(b.customer_id, b.currency): b.pk for b in bills if b.customer_id not in frozen}
    deletes = [
        line_id
        for customer_id, p in plan.customers.items()
        if customer_id not in frozen
        for line_id in p.deletes
    ]
    if deletes:
        summary.lines_deleted += ChargeLine.objects.filter(
            id__in=deletes, bill_id__in=list(bill_ids.values())
        ).delete()[0]
    attached = list(bill_ids.values())
    before = ChargeLine.objects.filter(bill_id__in=attached).count()
    rows, row_bills = [], []
    for planned in plan.lines:
        customer_id = plan.loaded.customer_of[planned.line.subscription_id]
        if customer_id in frozen:
            continue
        rows.append(to_row(planned, customer_id, now))
        row_bills.append(bill_ids.get((customer_id, planned.line.currency)))
    insert_lines(rows, bill_ids=row_bills)
    summary.lines_created += ChargeLine.objects.filter(bill_id__in=attached).count() - before
    kept = [customer_id for customer_id in ids if customer_id not in frozen]
    _store_totals(kept, cycle, marks, now)
    _store_marks({c: plan.marks[c] for c in kept if c in plan.marks})
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


def _store_marks(marks: dict[int, tuple[int, str, str]]) -> None:
    existing = {m.customer_id: m for m in LedgerMark.objects.filter(customer_id__in=list(marks))}
    changed, created = [], []
    for customer_id, (entry_id, label, first) in marks.items():
        mark = existing.get(customer_id)
        if mark is None:
            created.append(
                LedgerMark(
                    customer_id=customer_id, entry_id=entry_id, cycle_label=label, first_cycle_label=first
                )
            )
        elif (mark.entry_id, mark.cycle_label, mark.first_cycle_label) != (
            entry_id,
            label,
            min(first, mark.first_cycle_label),
        ):
            mark.entry_id, mark.cycle_label = entry_id, label
            mark.first_cycle_label = min(first, mark.first_cycle_label)
            changed.append(mark)
    LedgerMark.objects.bulk_create(created, batch_size=1000)
    LedgerMark.objects.bulk_update(changed, ["entry_id", "cycle_label", "first_cycle_label"], batch_size=1000)


def _new_bill(customer: Organization, currency: str, cycle: BillingCycle, now: Any) -> Bill:
    assert customer.parent_id is not None
    return Bill(
        customer_id=customer.pk,
        issuer_id=customer.parent_id,
        cycle_label=cycle.label,
        currency=currency,
        period_start=cycle.period.start,
        period_end=cycle.period.end,
        bill_date=cycle.bill_date,
        created_at=now,
        updated_at=now,
    )


def _store_totals(ids: list[int], cycle: BillingCycle, marks: dict[int, str], now: Any) -> None:
    """Totals summed exactly in Python (SQLite's SUM goes through floats); only changed bills are written."""
    bills = list(Bill.objects.filter(customer_id__in=ids, cycle_label=cycle.label))
    sums = bill_sums([bill.pk for bill in bills])
    changed = []
    for bill in bills:
        amount, count = sums.get(bill.pk, (Decimal(0), 0))
        total = Money(amount, bill.currency).rounded().amount if count else Decimal(0)
        values = (total, count, marks.get(bill.customer_id, ""))
        if (bill.total, bill.line_count, bill.fingerprint) != values:
            changed.append((*values, now, bill.pk))
    update_bill_totals(changed)


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
