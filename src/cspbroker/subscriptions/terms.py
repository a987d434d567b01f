"""A local subscription as the pure commerce rules see it."""

from __future__ import annotations

from datetime import date, datetime

from cspbroker.domain.commerce import BillingCycle, SeatLot, SubscriptionStatus, SubscriptionTerms, Term
from cspbroker.domain.periods import add_months_clamped
from cspbroker.subscriptions.models import Subscription


def _lots(subscription: Subscription) -> tuple[SeatLot, ...]:
    lots = []
    for lot in subscription.refundable_lots or []:
        until = lot.get("allowed_until")
        if until and int(lot.get("quantity") or 0) > 0:
            lots.append(SeatLot(quantity=int(lot["quantity"]), allowed_until=datetime.fromisoformat(until)))
    return tuple(lots)


def _commitment_end(subscription: Subscription, term: Term) -> date:
    if subscription.commitment_end_date:
        return subscription.commitment_end_date
    start = subscription.start_date or subscription.created_at.date()
    return add_months_clamped(start, term.months)


def terms_of(subscription: Subscription) -> SubscriptionTerms:
    term = Term.parse(subscription.term or "P1M")
    sku = subscription.offer.availability.sku
    return SubscriptionTerms(
        quantity=subscription.quantity,
        status=SubscriptionStatus(subscription.status),
        term=term,
        billing_cycle=BillingCycle(subscription.billing_cycle or "monthly"),
        commitment_end=_commitment_end(subscription, term),
        is_trial=subscription.is_trial,
        auto_renew=subscription.auto_renew,
        cancellation_allowed_until=subscription.cancellation_allowed_until,
        refundable_lots=_lots(subscription),
        has_scheduled_change=bool(subscription.scheduled_change),
        min_quantity=sku.minimum_quantity,
        max_quantity=sku.maximum_quantity,
    )
