"""The billing run (B1, B2): every customer's bill of one cycle, set-based, resumable, idempotent.

Per chunk of customers: their ledgers are loaded in a handful of queries (histories.py), the pure
domain computes the cycle's lines, and one transaction inserts them with `ignore_conflicts` (the
UNIQUE line key makes a re-run a no-op), creates the bills and draft invoices, attaches the lines
with one UPDATE and stores the totals. A crash loses at most the chunk in flight; running again
completes it. Customers whose ledgers have not changed since their bill was computed (the bill's
fingerprint) are skipped, so a second run costs a few queries per chunk.
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
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from cspbroker.accounts.models import Organization
from cspbroker.accounts.services import InvalidInput
from cspbroker.billing.histories import CustomerHistories, fingerprints, load_histories
from cspbroker.billing.models import Bill, ChargeLine, Invoice
from cspbroker.billing.prices import split_source
from cspbroker.billing.services.storage import LineRow, insert_lines, update_bill_totals
from cspbroker.domain import billing
from cspbroker.domain.billing.windows import Window, prorated
from cspbroker.domain.errors import DomainError
from cspbroker.domain.money import Money
from cspbroker.domain.parties import OrganizationKind
from cspbroker.domain.periods import BillingCycle, billing_cycle

Progress = Callable[[int, int], None]


@dataclass
class RunSummary:
    cycle: str
    dry_run: bool = False
    customers: int = 0
    customers_skipped: int = 0
    subscriptions: int = 0
    lines_computed: int = 0
    lines_created: int = 0
    bills: int = 0
    totals: dict[str, Decimal] = field(default_factory=dict)
    errors: dict[int, str] = field(default_factory=dict)  # subscription → why it was not billed
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "cycle": self.cycle,
            "dry_run": self.dry_run,
            "customers": self.customers,
            "customers_skipped": self.customers_skipped,
            "subscriptions": self.subscriptions,
            "lines_computed": self.lines_computed,
            "lines_created": self.lines_created,
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
) -> RunSummary:
    """Compute and store every bill of `cycle` ("YYYY-MM"); `dry_run` computes and writes nothing."""
    started = time.perf_counter()
    year, month = parse_cycle(cycle)
    summary = RunSummary(cycle=cycle, dry_run=dry_run)
    customers = customers_in_scope(reseller_id)
    by_day: dict[int, list[Organization]] = defaultdict(list)
    for customer in customers:
        assert customer.parent is not None
        by_day[customer.parent.billing_day].append(customer)
    done = 0
    for group in by_day.values():
        billing_cycle_ = cycle_for(group[0], year, month)
        for chunk in _chunks(group, chunk_size):
            _run_chunk(chunk, billing_cycle_, summary, dry_run=dry_run)
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


def compute_lines(
    loaded: CustomerHistories, cycle: BillingCycle, errors: dict[int, str]
) -> list[billing.ChargeLine]:
    lines: list[billing.ChargeLine] = []
    for sub_id, history in loaded.histories.items():
        try:
            lines.extend(billing.compute_charges(history, cycle.period.last_day, since=cycle.period.start))
        except DomainError as error:
            errors[sub_id] = error.message
    return lines


def _run_chunk(
    chunk: Sequence[Organization], cycle: BillingCycle, summary: RunSummary, *, dry_run: bool
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
    loaded = load_histories(chunk, on=cycle.period.last_day)
    summary.errors.update(loaded.errors)
    summary.subscriptions += len(loaded.histories)
    lines = compute_lines(loaded, cycle, summary.errors)
    summary.lines_computed += len(lines)
    if dry_run:
        for line in lines:
            total = summary.totals.get(line.currency, Decimal(0))
            summary.totals[line.currency] = total + line.amount.amount
        summary.bills += len({(loaded.customer_of[line.subscription_id], line.currency) for line in lines})
        return
    now = timezone.now()
    rows = [to_row(line, loaded, now) for line in lines]
    with transaction.atomic():
        _store_chunk([c.pk for c in chunk], {c.pk: c for c in chunk}, rows, cycle, marks, summary)


def to_row(line: billing.ChargeLine, loaded: CustomerHistories, now: datetime) -> LineRow:
    kind, source_id, name = split_source(line.price_source)
    cost_unit = None
    cost_amount = None
    if loaded.costs is not None:
        cost = loaded.costs.cost_on(loaded.offer_of[line.subscription_id], line.currency, line.period.start)
        if cost is not None:
            cost_unit = cost.amount
            cost_amount = _cost_amount(cost, line).amount
    return (
        line.subscription_id,
        loaded.customer_of[line.subscription_id],
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
        cost_unit,
        cost_amount,
        line.explanation[:300],
        now,
    )


def _cost_amount(cost: Money, line: billing.ChargeLine) -> Money:
    amount = prorated(cost, abs(line.quantity), Window(line.period, line.active))
    return -amount if line.quantity < 0 else amount


def _in_cycle(customer_ids: list[int], cycle: BillingCycle) -> Any:
    return ChargeLine.objects.filter(
        customer_id__in=customer_ids, effective_on__gte=cycle.period.start, effective_on__lt=cycle.period.end
    )


def _store_chunk(
    ids: list[int],
    customers: dict[int, Organization],
    rows: list[LineRow],
    cycle: BillingCycle,
    marks: dict[int, str],
    summary: RunSummary,
) -> None:
    before = _in_cycle(ids, cycle).count()
    now = timezone.now()
    # The bills first, so that new lines are inserted attached to theirs: attaching them afterwards
    # with an UPDATE rewrites every line (and each of its index entries) a second time.
    wanted = {(row[1], row[13]) for row in rows}
    wanted |= set(_in_cycle(ids, cycle).values_list("customer_id", "currency").distinct())
    Bill.objects.bulk_create(
        [_new_bill(customers[customer_id], currency, cycle, now) for customer_id, currency in wanted],
        ignore_conflicts=True,
    )
    bill_ids = {
        (customer_id, currency): bill_id
        for bill_id, customer_id, currency in Bill.objects.filter(
            customer_id__in=ids, cycle_label=cycle.label
        ).values_list("id", "customer_id", "currency")
    }
    start, end = cycle.period.start, cycle.period.end
    insert_lines(rows, bill_ids=[bill_ids.get((r[1], r[13])) if start <= r[9] < end else None for r in rows])
    summary.lines_created += _in_cycle(ids, cycle).count() - before
    # Lines of the cycle stored earlier without a bill (by anything but this run) are attached too.
    bill_of = Bill.objects.filter(
        customer_id=OuterRef("customer_id"), cycle_label=cycle.label, currency=OuterRef("currency")
    ).values("id")[:1]
    _in_cycle(ids, cycle).filter(bill__isnull=True).update(bill_id=Subquery(bill_of))
    _store_totals(ids, cycle, marks, now)
    bills = Bill.objects.filter(customer_id__in=ids, cycle_label=cycle.label, invoice__isnull=True)
    Invoice.objects.bulk_create(
        [
            Invoice(bill_id=bill_id, customer_id=customer_id, issuer_id=issuer_id, currency=currency)
            for bill_id, customer_id, issuer_id, currency in bills.values_list(
                "id", "customer_id", "issuer_id", "currency"
            )
        ],
        ignore_conflicts=True,
    )


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
    sums: dict[int, Decimal] = defaultdict(Decimal)
    counts: dict[int, int] = defaultdict(int)
    bills = list(Bill.objects.filter(customer_id__in=ids, cycle_label=cycle.label))
    for bill_id, amount in ChargeLine.objects.filter(bill__in=[b.pk for b in bills]).values_list(
        "bill_id", "amount"
    ):
        sums[bill_id] += amount
        counts[bill_id] += 1
    changed = []
    for bill in bills:
        total = Money(sums[bill.pk], bill.currency).rounded().amount if counts[bill.pk] else Decimal(0)
        values = (total, counts[bill.pk], marks.get(bill.customer_id, ""))
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
