"""What the bill of one cycle must contain: the one computation the billing run stores and the next-bill
preview shows, so the two cannot disagree.

For a chunk of customers: their histories (`histories.load_histories`), and per subscription either
- the plain path: the cycle's own lines (`compute_charges(since=cycle start)`), when nothing was
  recorded since the customer's ledger was last billed that reaches back before the cycle; or
- the settling path, for a subscription with late entries (recorded after their period was billed):
  its lines recomputed from the start of the oldest affected cycle still open to corrections, compared
  with every line already charged for it, and the difference settled on this cycle's bill
  (`domain.billing.adjustments.settle`): adjustments naming the change they correct, reversals of
  lines on issued bills, deletions of stale lines on this cycle's own bill.
A customer whose bill of this cycle is invoiced is left alone: its late entries wait for the next
cycle's bill. `LedgerMark` says how far each customer's ledger has been billed.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from cspbroker.accounts.models import Organization
from cspbroker.billing.histories import CustomerHistories, load_histories
from cspbroker.billing.models import Bill, ChargeLine, LedgerMark, LineKind
from cspbroker.domain import billing
from cspbroker.domain import ledger as ledger_rules
from cspbroker.domain.billing.adjustments import LineKind as SettledKind
from cspbroker.domain.billing.adjustments import StoredLine, legacy_type, settle
from cspbroker.domain.errors import DomainError
from cspbroker.domain.money import Money
from cspbroker.domain.periods import BillingCycle, Period, billing_cycle, billing_cycle_containing
from cspbroker.subscriptions.ledger import correction_cycles
from cspbroker.subscriptions.models import LedgerKind

_ONE_DAY = timedelta(days=1)
LineKey = tuple[int, str, date, date, int]


@dataclass(frozen=True, slots=True)
class PlannedLine:
    line: billing.ChargeLine
    kind: str = LineKind.CHARGE
    revision: int = 0
    reverses: int | None = None
    corrects_entry: int | None = None


@dataclass
class CustomerPlan:
    customer: Organization
    lines: list[PlannedLine] = field(default_factory=list)  # to insert (a stored key is skipped)
    deletes: list[int] = field(default_factory=list)  # stale lines on this cycle's own bill
    adjustments: int = 0  # adjustments and reversals among `lines`


@dataclass
class CyclePlan:
    cycle: BillingCycle
    customers: dict[int, CustomerPlan] = field(default_factory=dict)
    frozen: set[int] = field(default_factory=set)  # customers whose bill of the cycle is invoiced
    loaded: CustomerHistories = field(default_factory=CustomerHistories)
    errors: dict[int, str] = field(default_factory=dict)  # subscription → why it was not billed
    # customer → (entry id read up to, latest cycle, first cycle) once this plan is stored
    marks: dict[int, tuple[int, str, str]] = field(default_factory=dict)
    settled_subscriptions: int = 0
    settle_seconds: float = 0.0  # reading what was charged and settling the late changes
    billed_through: dict[int, int] = field(default_factory=dict)  # customer → entry id billed before
    late_entries: dict[int, list[int]] = field(default_factory=dict)  # subscription → its late entries

    @property
    def lines(self) -> list[PlannedLine]:
        return [line for plan in self.customers.values() for line in plan.lines]


def plan_cycle(
    customers: Sequence[Organization],
    cycle: BillingCycle,
    *,
    today: date,
    project: Callable[[CustomerHistories, date], None] | None = None,
) -> CyclePlan:
    """The lines `cycle`'s bills must receive, for customers all billed on the same billing day.

    `project` lets a preview add to the histories what will be recorded before the cycle is billed
    (the renewals due by its last day), so that it shows the bill the run will store.
    """
    plan = CyclePlan(cycle)
    ids = [customer.pk for customer in customers]
    plan.frozen = set(
        Bill.objects.filter(customer_id__in=ids, cycle_label=cycle.label, is_frozen=True).values_list(
            "customer_id", flat=True
        )
    )
    open_customers = [customer for customer in customers if customer.pk not in plan.frozen]
    marks = {mark.customer_id: mark for mark in LedgerMark.objects.filter(customer_id__in=ids)}
    plan.loaded = load_histories(open_customers, on=cycle.period.last_day)
    if project is not None:
        project(plan.loaded, cycle.period.last_day)
    plan.errors.update(plan.loaded.errors)
    settling: dict[int, date] = {}  # subscription → the day its lines are recomputed from
    for customer in open_customers:
        plan.customers[customer.pk] = CustomerPlan(customer)
        mark = marks.get(customer.pk)
        if mark is not None:
            plan.billed_through[customer.pk] = mark.entry_id
            settling.update(_late_subscriptions(plan, customer, mark, cycle, today))
        newest = plan.loaded.newest_entry.get(customer.pk, 0)
        first = mark.first_cycle_label if mark is not None else cycle.label
        if mark is None or cycle.label >= mark.cycle_label:
            plan.marks[customer.pk] = (max(newest, mark.entry_id if mark else 0), cycle.label, first)
        elif newest:
            # Re-running an older cycle settles it, but the later bills still need their turn.
            plan.marks[customer.pk] = (mark.entry_id, mark.cycle_label, first)
    started = time.perf_counter()
    stored = _stored_lines(settling, cycle)
    plan.settle_seconds += time.perf_counter() - started
    for sub_id, history in plan.loaded.histories.items():
        customer_plan = plan.customers[plan.loaded.customer_of[sub_id]]
        try:
            if sub_id in settling:
                started = time.perf_counter()
                _settle(customer_plan, history, plan, sub_id, settling[sub_id], stored.get(sub_id, []))
                plan.settle_seconds += time.perf_counter() - started
            else:
                lines = billing.compute_charges(history, cycle.period.last_day, since=cycle.period.start)
                customer_plan.lines.extend(PlannedLine(line) for line in lines)
        except DomainError as error:
            plan.errors[sub_id] = error.message
    return plan


def _late_subscriptions(
    plan: CyclePlan, customer: Organization, mark: LedgerMark, cycle: BillingCycle, today: date
) -> dict[int, date]:
    """Subscriptions with entries recorded since the mark that reach back into billed periods, and the
    first day of the oldest cycle to recompute (never before the correction horizon or the first bill)."""
    billing_org = customer.billed_by
    zone = ZoneInfo(customer.billing_time_zone)
    forward = cycle.label > mark.cycle_label
    boundary = cycle.period.start if forward else cycle.period.end
    older = cycle.label < mark.cycle_label
    floor = max(
        ledger_rules.oldest_open_cycle(billing_org.billing_day, today, correction_cycles()).period.start,
        _cycle_start(billing_org.billing_day, mark.first_cycle_label),
    )
    late: dict[int, date] = {}
    loaded = plan.loaded
    for sub_id, entries in loaded.entries.items():
        if loaded.customer_of.get(sub_id) != customer.pk:
            continue
        if older:
            # Re-running a cycle older than the latest billed one: its lines may sit as adjustments on a
            # later bill already, so every subscription is compared with what was charged.
            late[sub_id] = cycle.period.start
            continue
        found = [
            (entry.effective_at.astimezone(zone).date(), entry.id)
            for entry in entries
            if entry.id > mark.entry_id and entry.effective_at.astimezone(zone).date() < boundary
        ]
        if found:
            plan.late_entries[sub_id] = [entry_id for _, entry_id in found]
            start = billing_cycle_containing(billing_org.billing_day, min(found)[0]).period.start
            late[sub_id] = min(max(start, floor), cycle.period.start)
    return late


def _cycle_start(billing_day: int, label: str) -> date:
    year, month = (int(part) for part in label.split("-"))
    return billing_cycle(billing_day, year, month).period.start


_STORED_FIELDS = (
    "id",
    "subscription_id",
    "bill_id",
    "bill__cycle_label",
    "product",
    "charge_type",
    "sequence",
    "revision",
    "kind",
    "reverses_id",
    "period_start",
    "period_end",
    "active_start",
    "active_end",
    "effective_on",
    "quantity",
    "unit_price",
    "amount",
    "currency",
    "price_source_kind",
    "price_source_id",
    "price_source_name",
    "explanation",
)


@dataclass(frozen=True, slots=True)
class _Stored:
    stored: StoredLine
    key: LineKey
    revision: int


def _stored_lines(settling: dict[int, date], cycle: BillingCycle) -> dict[int, list[_Stored]]:
    """Every line already charged for the settling subscriptions, on any bill, from their first day."""
    if not settling:
        return {}
    rows = ChargeLine.objects.filter(
        subscription_id__in=list(settling),
        effective_on__gte=min(settling.values()),
        effective_on__lt=cycle.period.end,
    ).values_list(*_STORED_FIELDS)
    stored: dict[int, list[_Stored]] = defaultdict(list)
    for row in rows.order_by("id"):
        values = dict(zip(_STORED_FIELDS, row, strict=True))
        if values["effective_on"] < settling[values["subscription_id"]]:
            continue
        line = _domain_line(values)
        charge_type = str(legacy_type(values["charge_type"]))
        key = (values["subscription_id"], charge_type, line.period.start, line.period.end, values["sequence"])
        on_run_bill = values["bill__cycle_label"] == cycle.label
        stored_line = StoredLine(
            values["id"], line, SettledKind(values["kind"]), on_run_bill, values["reverses_id"]
        )
        stored[values["subscription_id"]].append(_Stored(stored_line, key, values["revision"]))
    return stored


def stored_line(row: ChargeLine) -> billing.ChargeLine:
    """A stored line as the domain's `ChargeLine` (what it charges; no cost)."""
    return _domain_line({name: getattr(row, name) for name in _STORED_FIELDS if "__" not in name})


def _domain_line(values: dict[str, object]) -> billing.ChargeLine:
    currency = str(values["currency"])

    def money(amount: object) -> Money:
        assert isinstance(amount, Decimal)
        return Money(Decimal(f"{amount.normalize():f}"), currency)

    source = ":".join(
        str(values[name]) for name in ("price_source_kind", "price_source_id", "price_source_name")
    )
    return billing.ChargeLine(
        subscription_id=int(values["subscription_id"]),  # type: ignore[call-overload]
        product=str(values["product"]),
        charge_type=legacy_type(str(values["charge_type"])),
        quantity=int(values["quantity"]),  # type: ignore[call-overload]
        unit_price=money(values["unit_price"]),
        period=Period(values["period_start"], values["period_end"]),  # type: ignore[arg-type]
        active=Period(values["active_start"], values["active_end"]),  # type: ignore[arg-type]
        amount=money(values["amount"]),
        price_source=source if values["price_source_kind"] else str(values["price_source_name"]),
        explanation=str(values["explanation"]),
        sequence=int(values["sequence"]),  # type: ignore[call-overload]
        effective_on=values["effective_on"],  # type: ignore[arg-type]
    )


def _settle(
    customer_plan: CustomerPlan,
    history: billing.SubscriptionHistory,
    plan: CyclePlan,
    sub_id: int,
    since: date,
    stored: list[_Stored],
) -> None:
    cycle = plan.cycle
    expected = billing.compute_charges(history, cycle.period.last_day, since=since)
    entry, text = _correction(plan, customer_plan.customer, sub_id, history)
    settlement = settle(expected, [s.stored for s in stored], cycle=cycle.period, correction=text)
    plan.settled_subscriptions += 1
    if settlement.is_empty:
        return
    deleted = set(settlement.delete)
    revisions: dict[LineKey, int] = defaultdict(lambda: -1)
    for kept in stored:
        if kept.stored.id not in deleted:
            revisions[kept.key] = max(revisions[kept.key], kept.revision)
    for posting in settlement.post:
        line = posting.line
        key = (sub_id, str(line.charge_type), line.period.start, line.period.end, line.sequence)
        revisions[key] += 1
        corrects = None if posting.kind is SettledKind.CHARGE else entry
        customer_plan.lines.append(
            PlannedLine(line, str(posting.kind), revisions[key], posting.reverses, corrects)
        )
        customer_plan.adjustments += posting.kind is not SettledKind.CHARGE
    customer_plan.deletes.extend(settlement.delete)


def _correction(
    plan: CyclePlan, customer: Organization, sub_id: int, history: billing.SubscriptionHistory
) -> tuple[int | None, str]:
    """The earliest late change of a subscription in words: "+2 seats from 5 Oct, recorded 9 Nov"."""
    zone = ZoneInfo(customer.billing_time_zone)
    late_ids = set(plan.late_entries.get(sub_id, ()))
    late = [entry for entry in plan.loaded.entries.get(sub_id, []) if entry.id in late_ids]
    if not late:
        return None, ""
    first = min(late, key=lambda entry: (entry.effective_at, entry.id))
    day = first.effective_at.astimezone(zone).date()
    recorded = first.recorded_at.astimezone(zone).date()
    what = _change_text(first, history, day)
    more = f" and {len(late) - 1} more change{'s' if len(late) > 2 else ''}" if len(late) > 1 else ""
    return first.id, f"{what} from {_short(day)}{more}, recorded {_short(recorded)}"


def _change_text(entry: object, history: billing.SubscriptionHistory, day: date) -> str:
    kind = getattr(entry, "kind", "")
    if kind == LedgerKind.QUANTITY:
        before = history.quantity_on(day - _ONE_DAY)
        quantity = int(getattr(entry, "quantity", 0) or 0)
        difference = quantity - before
        seats = "seat" if abs(difference) == 1 else "seats"
        return f"{difference:+d} {seats}" if difference else f"{quantity} seats"
    if kind == LedgerKind.STATUS:
        status = getattr(entry, "status", "")
        return {"billing_cancelled": "billing stopped", "active": "reactivated"}.get(status, status)
    if kind == LedgerKind.PRICE:
        return f"price {getattr(entry, 'unit_price', '')} {getattr(entry, 'currency', '')}".strip()
    names = {str(LedgerKind.RENEWAL): "renewal", str(LedgerKind.CONVERSION): "conversion to paid"}
    return names.get(str(kind), "purchase")


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _short(day: date) -> str:
    return f"{day.day} {_MONTHS[day.month - 1]}"
