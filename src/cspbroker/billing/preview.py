"""The next bill (X6): the cycle running today, as the billing run would store it now; nothing is written.

`planning.plan_cycle` says what the run would add (the cycle's lines, adjustments for late changes)
and delete; the preview applies that to what the bill holds already — the same computation, so the
preview of a cycle is what the run stores.
"""

from __future__ import annotations

from dataclasses import dataclass

from cspbroker.accounts.models import Organization
from cspbroker.billing.models import ChargeLine
from cspbroker.billing.planning import CyclePlan, plan_cycle, stored_line
from cspbroker.domain import billing
from cspbroker.domain.clock import Clock
from cspbroker.domain.periods import billing_cycle_containing


@dataclass
class NextBill:
    customer: Organization
    bills: list[billing.Bill]  # one per currency (normally one)
    errors: dict[int, str]  # subscription → why it cannot be priced


def next_bill(customer: Organization, *, clock: Clock) -> NextBill:
    """The bill of the cycle running today, computed now from the ledger as it stands."""
    billing_org = customer.billed_by
    today = clock.today(billing_org.time_zone)
    cycle = billing_cycle_containing(billing_org.billing_day, today)
    plan = plan_cycle([customer], cycle, today=today)
    return NextBill(customer, bills_of(plan, customer), dict(plan.errors))


def bills_of(plan: CyclePlan, customer: Organization) -> list[billing.Bill]:
    """The customer's bills (one per currency) of the plan's cycle once the plan is stored."""
    lines = planned_bill_lines(plan, customer.pk)
    currencies = sorted({line.currency for line in lines}) or [customer.currency]
    return [
        billing.bill_of([line for line in lines if line.currency == currency], plan.cycle, currency=currency)
        for currency in currencies
    ]


def planned_bill_lines(plan: CyclePlan, customer_id: int) -> list[billing.ChargeLine]:
    """The lines the customer's bill of the plan's cycle holds after the plan is stored."""
    stored = ChargeLine.objects.filter(customer_id=customer_id, bill__cycle_label=plan.cycle.label)
    customer_plan = plan.customers.get(customer_id)
    deleted = set(customer_plan.deletes) if customer_plan else set()
    lines = {}
    for row in stored.order_by("id"):
        if row.pk not in deleted:
            lines[
                (
                    row.subscription_id,
                    row.charge_type,
                    row.period_start,
                    row.period_end,
                    row.sequence,
                    row.revision,
                )
            ] = stored_line(row)
    for planned in customer_plan.lines if customer_plan else []:
        line = planned.line
        key = (
            line.subscription_id,
            str(line.charge_type),
            line.period.start,
            line.period.end,
            line.sequence,
            planned.revision,
        )
        lines.setdefault(key, line)
    return list(lines.values())
