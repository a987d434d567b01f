"""Renewals (S3): at the end of a term a subscription renews into a new one, or expires.

Microsoft renews a new-commerce subscription "the day after the subscription term end date" when
auto-renew is on, at the price of the day (the price lock is per term), with a fresh seven-day
cancellation window; with auto-renew off it ends. The job records the same in the ledger: a renewal
entry with the new term, its locked price and windows (the scheduled changes for the next term —
term, billing cycle, quantity — applied), or an expiry. A term that ended long ago renews term after
term until today. The provider reporting the same renewal meets the same entry (`record_renewal` is
idempotent on the term's first day). Trials are left to the provider: converting one picks a paid
product, which only the provider knows.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q

from cspbroker.domain.clock import Clock
from cspbroker.domain.commerce import Term
from cspbroker.domain.periods import add_months_clamped
from cspbroker.subscriptions import ledger
from cspbroker.subscriptions.models import Subscription, SubscriptionStatus
from cspbroker.subscriptions.prices import lock_price

log = logging.getLogger(__name__)
_LIVE = (SubscriptionStatus.ACTIVE, SubscriptionStatus.SUSPENDED)
_ONE_DAY = timedelta(days=1)
_RECURRING = ("monthly", "annual", "triennial")


@dataclass(frozen=True)
class NextTerm:
    term: str
    billing_cycle: str
    quantity: int | None  # a quantity scheduled for the renewal; None: the seats carry over
    start: date
    end: date  # inclusive, as Microsoft's commitmentEndDate


def next_term(subscription: Subscription, ending: date) -> NextTerm:
    """The term after the one ending on `ending` (inclusive): the scheduled changes applied, counted
    from the subscription's anchor so that month-end days never drift."""
    scheduled: dict[str, Any] = dict(subscription.scheduled_change or {})
    product: dict[str, Any] = dict(scheduled.get("product") or {})
    term = str(product.get("termDuration") or subscription.term or "P1M")
    cycle = str(product.get("billingCycle") or subscription.billing_cycle).lower()
    quantity = int(scheduled["quantity"]) if scheduled.get("quantity") else None
    start = ending + _ONE_DAY
    anchor = subscription.start_date or start
    months = (start.year - anchor.year) * 12 + start.month - anchor.month
    if add_months_clamped(anchor, months) != start:
        anchor, months = start, 0  # off the anchor's grid (a custom term end): count from the new start
    end = add_months_clamped(anchor, months + Term.parse(term).months) - _ONE_DAY
    return NextTerm(term, cycle if cycle in _RECURRING else subscription.billing_cycle, quantity, start, end)


def term_end(subscription: Subscription) -> date | None:
    """The last day of the term in force: the provider's commitment end date, else counted from the
    term's first day (rows recorded before the provider gave one)."""
    if subscription.commitment_end_date is not None:
        return subscription.commitment_end_date
    start = subscription.term_start or subscription.start_date
    if start is None:
        return None
    anchor = subscription.start_date or start
    months = (start.year - anchor.year) * 12 + start.month - anchor.month
    return add_months_clamped(anchor, months + Term.parse(subscription.term or "P1M").months) - _ONE_DAY


def _due(today: date, customer_ids: list[int] | None) -> Iterator[int]:
    ended = Q(commitment_end_date__lt=today) | Q(commitment_end_date__isnull=True)
    rows = Subscription.objects.filter(
        ended, status__in=_LIVE, is_trial=False, billing_cancelled_on__isnull=True
    ).exclude(Q(billing_cycle="") | Q(billing_cycle="one_time") | Q(billing_cycle="none"))
    if customer_ids is not None:
        rows = rows.filter(tenant__customer_id__in=customer_ids)
    yield from rows.order_by("pk").values_list("pk", flat=True).iterator(chunk_size=2000)


def renew_due(*, clock: Clock, customer_ids: list[int] | None = None) -> int:
    """Renew (or expire) every live subscription whose term ended before today; returns how many terms
    were recorded. Each subscription is one transaction: a crash loses nothing, a rerun repeats nothing."""
    today = clock.now().date()
    recorded = 0
    for subscription_id in _due(today + _ONE_DAY, customer_ids):
        recorded += _renew(subscription_id, clock)
    return recorded


@transaction.atomic
def _renew(subscription_id: int, clock: Clock) -> int:
    subscription = (
        Subscription.objects.select_for_update(of=("self",))
        .select_related("tenant__customer__parent", "offer")
        .get(pk=subscription_id)
    )
    count = 0
    today = ledger.local_day(subscription, clock.now())
    while subscription.status in _LIVE and (ending := term_end(subscription)) is not None and ending < today:
        if not subscription.auto_renew:
            _expire(subscription, ending, clock)
            return count + 1
        following = next_term(subscription, ending)
        ledger.record_renewal(
            subscription,
            term_start=following.start,
            term_end=following.end,
            term=following.term,
            billing_cycle=following.billing_cycle,
            quantity=following.quantity,
            price=lock_price(subscription, following.start),
            origin=ledger.RENEWAL,
            clock=clock,
        )
        _event(
            subscription,
            "renewal",
            f"Renewed for {following.term} from {following.start.isoformat()}.",
            clock,
        )
        count += 1
    return count


def _expire(subscription: Subscription, ending: date, clock: Clock) -> None:
    """Auto-renew was off: the subscription ends with its term (Microsoft: it becomes `expired`)."""
    effective_at = ledger.start_of_day(subscription, ending + _ONE_DAY)
    ledger.record_status(
        subscription,
        status=SubscriptionStatus.EXPIRED,
        effective_at=effective_at,
        origin=ledger.RENEWAL,
        clock=clock,
    )
    old = subscription.status
    subscription.status = SubscriptionStatus.EXPIRED
    subscription.save(update_fields=["status"])
    _event(
        subscription,
        "status",
        f"Expired on {(ending + _ONE_DAY).isoformat()}: auto-renew was off.",
        clock,
        old=old,
        new=SubscriptionStatus.EXPIRED,
    )


def _event(subscription: Subscription, kind: str, message: str, clock: Clock, **values: Any) -> None:
    origin = ledger.RENEWAL
    ledger.record_event(
        subscription,
        at=clock.now(),
        actor_ref=origin.actor_ref,
        actor_label=origin.actor_label,
        channel=origin.source,
        kind=kind,
        message=message,
        **values,
    )
