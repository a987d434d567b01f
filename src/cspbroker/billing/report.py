"""The customer billing report (B3, seed 002 §6): date range → one bill per cycle → subscription → lines.

"Last month" is the cycle that ends in the previous calendar month; a custom range gives one
report per month in it, each the cycle of the reseller's Microsoft billing day ending that month
and dated the day after. Cost and margin are filled only when `show_cost` (staff).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from cspbroker.accounts.models import Organization
from cspbroker.billing.models import Bill, ChargeLine, ChargeType
from cspbroker.catalog.pricing import plain
from cspbroker.domain.errors import InvalidPeriod
from cspbroker.domain.money import Money
from cspbroker.domain.periods import billing_cycles_between

MAX_MONTHS = 36


@dataclass
class ReportLine:
    charge_type: str
    label: str
    quantity: int
    unit_price: Money
    amount: Money
    period_start: date
    period_last_day: date
    explanation: str
    price_source: str
    cost: Money | None = None
    margin: Money | None = None


@dataclass
class ReportSubscription:
    subscription_id: int
    name: str
    amount: Money
    cost: Money | None = None
    margin: Money | None = None
    lines: list[ReportLine] = field(default_factory=list)


@dataclass
class ReportCycle:
    label: str
    bill_date: date
    period_start: date
    period_last_day: date
    currency: str
    total: Money
    cost: Money | None = None
    margin: Money | None = None
    invoice_id: int | None = None
    invoice_number: str = ""
    subscriptions: list[ReportSubscription] = field(default_factory=list)


@dataclass
class BillingReport:
    customer: Organization
    first_month: date
    last_month: date
    show_cost: bool
    cycles: list[ReportCycle]


def last_month(today: date) -> tuple[date, date]:
    previous = today.replace(day=1) - timedelta(days=1)
    return previous.replace(day=1), previous.replace(day=1)


def parse_month(text: str, field_name: str) -> date:
    try:
        year, month = (int(part) for part in text.split("-"))
        return date(year, month, 1)
    except (ValueError, TypeError):
        raise InvalidPeriod(f"{text!r} is not a month: write YYYY-MM.", field=field_name) from None


def billing_report(customer: Organization, first: date, last: date, *, show_cost: bool) -> BillingReport:
    """The report of `customer` for the cycles ending in the months `first` through `last`."""
    assert customer.parent is not None
    cycles = billing_cycles_between(customer.parent.billing_day, first, last)
    if len(cycles) > MAX_MONTHS:
        raise InvalidPeriod(f"A report covers at most {MAX_MONTHS} months.", field="to")
    labels = [cycle.label for cycle in cycles]
    bills = list(
        Bill.objects.filter(customer=customer, cycle_label__in=labels)
        .select_related("invoice")
        .order_by("bill_date", "currency")
    )
    lines_by_bill: dict[int, list[ChargeLine]] = defaultdict(list)
    names: dict[int, str] = {}
    for line in (
        ChargeLine.objects.filter(bill__in=[bill.pk for bill in bills])
        .select_related("subscription")
        .order_by("subscription_id", "effective_on", "id")
    ):
        lines_by_bill[line.bill_id or 0].append(line)
        names[line.subscription_id] = line.subscription.friendly_name or line.product
    result = []
    by_label: dict[str, list[Bill | None]] = defaultdict(list)
    for stored in bills:
        by_label[stored.cycle_label].append(stored)
    for cycle in cycles:
        found: list[Bill | None] = by_label.get(cycle.label) or [None]
        for bill in found:
            currency = bill.currency if bill else customer.currency
            report_cycle = ReportCycle(
                label=cycle.label,
                bill_date=cycle.bill_date,
                period_start=cycle.period.start,
                period_last_day=cycle.period.last_day,
                currency=currency,
                total=Money(bill.total, currency).rounded() if bill else Money.zero(currency),
            )
            if bill is not None:
                invoice = getattr(bill, "invoice", None)
                if invoice is not None:
                    report_cycle.invoice_id, report_cycle.invoice_number = invoice.pk, invoice.number
                report_cycle.subscriptions = _subscriptions(
                    lines_by_bill[bill.pk], names, currency, show_cost
                )
            if show_cost:
                report_cycle.cost = _sum([s.cost for s in report_cycle.subscriptions], currency)
                report_cycle.margin = report_cycle.total - report_cycle.cost
            result.append(report_cycle)
    return BillingReport(customer, first, last, show_cost, result)


def _sum(amounts: list[Money | None], currency: str) -> Money:
    return Money.sum((amount for amount in amounts if amount is not None), currency)


def _subscriptions(
    lines: list[ChargeLine], names: dict[int, str], currency: str, show_cost: bool
) -> list[ReportSubscription]:
    grouped: dict[int, list[ReportLine]] = defaultdict(list)
    for line in lines:
        grouped[line.subscription_id].append(_line(line, show_cost))
    result = []
    for sub_id, report_lines in grouped.items():
        amount = Money.sum((line.amount for line in report_lines), currency)
        subscription = ReportSubscription(sub_id, names[sub_id], amount, lines=report_lines)
        if show_cost:
            subscription.cost = _sum([line.cost for line in report_lines], currency)
            subscription.margin = amount - subscription.cost
        result.append(subscription)
    return result


def _line(line: ChargeLine, show_cost: bool) -> ReportLine:
    currency = line.currency
    amount = Money(line.amount, currency).rounded()
    report_line = ReportLine(
        charge_type=line.charge_type,
        label=ChargeType(line.charge_type).label,
        quantity=line.quantity,
        unit_price=Money(plain(line.unit_price), currency),
        amount=amount,
        period_start=line.period_start,
        period_last_day=line.period_end - timedelta(days=1),
        explanation=line.explanation,
        price_source=line.price_source_name,
    )
    if show_cost and line.cost_amount is not None:
        report_line.cost = Money(line.cost_amount, currency).rounded()
        report_line.margin = amount - report_line.cost
    return report_line


__all__ = ["BillingReport", "ReportCycle", "billing_report", "last_month", "parse_month"]
