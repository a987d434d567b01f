"""Previews (X6): the next bill of a customer and the bill effect of a proposed change; nothing is written."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from cspbroker.accounts.models import Organization
from cspbroker.billing.histories import customer_time_zone, load_histories
from cspbroker.billing.services.run import compute_lines
from cspbroker.domain import billing
from cspbroker.domain.clock import Clock
from cspbroker.domain.errors import DomainError
from cspbroker.domain.periods import billing_cycle_containing
from cspbroker.subscriptions.models import Subscription


@dataclass
class NextBill:
    customer: Organization
    bills: list[billing.Bill]  # one per currency (normally one)
    errors: dict[int, str]  # subscription → why it cannot be priced


def next_bill(customer: Organization, *, clock: Clock) -> NextBill:
    """The bill of the cycle running today, computed now from the ledgers as they stand."""
    assert customer.parent is not None
    today = clock.today(customer_time_zone(customer))
    cycle = billing_cycle_containing(customer.parent.billing_day, today)
    loaded = load_histories([customer], on=cycle.period.last_day)
    errors = dict(loaded.errors)
    lines = compute_lines(loaded, cycle, errors)
    currencies = sorted({line.currency for line in lines}) or [customer.currency]
    bills = [
        billing.bill_for_cycle(
            [line for line in lines if line.currency == currency], cycle, currency=currency
        )
        for currency in currencies
    ]
    return NextBill(customer, bills, errors)


def history_for(subscription: Subscription, *, on: object = None) -> billing.SubscriptionHistory:
    """One subscription's billing history, exactly as the billing run reads it."""
    customer = Organization.objects.select_related("parent").get(pk=subscription.tenant.customer_id)
    day = on or subscription.start_date
    loaded = load_histories([customer], on=day, subscription_ids=[subscription.pk])  # type: ignore[arg-type]
    if subscription.pk in loaded.errors:
        raise DomainError(loaded.errors[subscription.pk], code="missing_price")
    return loaded.histories[subscription.pk]


def preview_change_for(
    subscription: Subscription, change: billing.Change, *, clock: Clock
) -> billing.PreviewResult:
    """What recording `change` would add to (or withdraw from) the bills, up to today (for orders)."""
    customer = Organization.objects.select_related("parent").get(pk=subscription.tenant.customer_id)
    today = clock.today(customer_time_zone(customer))
    loaded = load_histories(
        [customer], on=max(today, subscription.start_date or today), subscription_ids=[subscription.pk]
    )
    if subscription.pk in loaded.errors:
        raise DomainError(loaded.errors[subscription.pk], code="missing_price")
    history = loaded.histories[subscription.pk]
    return billing.preview_change(history, change, max(today, change_day(change)))


def change_day(change: billing.Change) -> date:
    return change.effective_from if isinstance(change, billing.PricePoint) else change.effective_on
