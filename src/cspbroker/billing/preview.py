"""The next bill (X6): the cycle running today, as the billing run would store it now; nothing is written.

`planning.plan_cycle` says what the run would add (the cycle's lines, adjustments for late changes)
and delete; the preview applies that to what the bill holds already — the same computation, so the
preview of a cycle is what the run stores.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from cspbroker.accounts.models import Organization
from cspbroker.billing.histories import FREQUENCIES, CustomerHistories
from cspbroker.billing.models import ChargeLine
from cspbroker.billing.planning import CyclePlan, plan_cycle, stored_line
from cspbroker.domain import billing
from cspbroker.domain.clock import Clock
from cspbroker.domain.commerce import Term as TermDuration
from cspbroker.domain.money import Money
from cspbroker.domain.periods import billing_cycle_containing
from cspbroker.subscriptions.models import Subscription, SubscriptionStatus
from cspbroker.subscriptions.prices import lock_price
from cspbroker.subscriptions.renewals import next_term, term_end


@dataclass
class NextBill:
    customer: Organization
    bills: list[billing.Bill]  # one per currency (normally one)
    errors: dict[int, str]  # subscription → why it cannot be priced


def next_bill(customer: Organization, *, clock: Clock) -> NextBill:
    """The bill of the cycle running today, computed now from the ledger as it stands."""
    billing_org = customer.billed_by
    today = clock.today(customer.billing_time_zone)
    cycle = billing_cycle_containing(billing_org.billing_day, today)
    plan = plan_cycle([customer], cycle, today=today, project=project_renewals)
    return NextBill(customer, bills_of(plan, customer), dict(plan.errors))


def project_renewals(loaded: CustomerHistories, through: date) -> None:
    """Add to the histories the renewals the job will record before the cycle ending `through` is billed:
    each live, auto-renewing term ending before then renews, at the price it will lock (none is written)."""
    live = (SubscriptionStatus.ACTIVE, SubscriptionStatus.SUSPENDED)
    rows = Subscription.objects.filter(
        pk__in=list(loaded.histories),
        status__in=live,
        auto_renew=True,
        is_trial=False,
        billing_cancelled_on__isnull=True,
    ).select_related("tenant__customer__parent", "offer")
    for subscription in rows:
        history = loaded.histories[subscription.pk]
        while (ending := term_end(subscription)) is not None and ending < through:
            following = next_term(subscription, ending)
            frequency = FREQUENCIES.get(following.billing_cycle)
            if frequency is None:
                break
            locked = lock_price(subscription, following.start)
            price = None
            if locked is not None and locked.unit_price is not None:
                price = billing.PricePoint(
                    following.start,
                    Money(locked.unit_price, locked.currency),
                    locked.source,
                    None if locked.unit_cost is None else Money(locked.unit_cost, locked.currency),
                )
            term = billing.Term(
                following.start,
                TermDuration.parse(following.term).months,
                frequency,
                price,
                billing.ChargeType.RENEW,
                anchor=subscription.start_date,
            )
            history = history.with_term(term)
            # The next turn of the loop starts from the projected term, on this copy of the row only.
            subscription.term, subscription.billing_cycle = following.term, following.billing_cycle
            subscription.commitment_end_date, subscription.term_start = following.end, following.start
            subscription.scheduled_change = None
        loaded.histories[subscription.pk] = history


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
