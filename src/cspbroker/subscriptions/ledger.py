"""The one writer of a subscription's ledger and of its readable history (S2, S3, S6, C4).

Orders, imports, the provider sync and renewals all record here. Each function checks the entry
against the domain's rules (`domain.ledger`: bounded numbers, no fact dated in the future, nothing
before the subscription started or before the oldest billing cycle still open to corrections),
raises a `DomainError` before writing anything, and appends one row; the caller's transaction
decides when it becomes visible. Rows are never updated or deleted (the database refuses it).
Billing reads the entries in effective order (`billing.histories`) and posts what a late entry
changes on the next open bill.

Where the ledger is the authority, the subscription row follows it here: the term in force and its
locked prices, the renewal's dates and windows, the billing-only cancellation day. What the provider
reports (quantity, status) is mirrored onto the row by `subscriptions.mirror` before recording.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings

from cspbroker.accounts.models import Organization
from cspbroker.catalog.pricing import SUBSCRIPTION_PRICE_SOURCE
from cspbroker.domain import ledger as rules
from cspbroker.domain.clock import Clock, local_date
from cspbroker.domain.commerce.windows import DEFAULT_WINDOW as CANCELLATION_WINDOW
from cspbroker.subscriptions.models import (
    Channel,
    LedgerEntry,
    LedgerKind,
    Subscription,
    SubscriptionEvent,
)


@dataclass(frozen=True, slots=True)
class Origin:
    """Who made a change and through which door; the provider's reference where there is one."""

    source: str
    actor_ref: str
    actor_label: str
    order_id: int | None = None
    provider_reference: str = ""

    def with_reference(self, reference: str) -> Origin:
        return Origin(self.source, self.actor_ref, self.actor_label, self.order_id, reference[:100])


PROVIDER = Origin(Channel.PROVIDER, "provider", "Partner Center")
IMPORT = Origin(Channel.IMPORT, "provider", "Partner Center")
RENEWAL = Origin(Channel.RENEWAL, "system", "Renewal")
SYSTEM = Origin(Channel.SYSTEM, "system", "System")


@dataclass(frozen=True, slots=True)
class LockedPrice:
    """The sale price and cost (per unit and billing period) fixed for a term, and where the sale price
    came from ("kind:id:name", as charge lines name it). None: not priced when the term started."""

    unit_price: Decimal | None
    unit_cost: Decimal | None
    currency: str
    source: str = ""


def correction_cycles() -> int:
    return int(getattr(settings, "CSPB_BILLING_CORRECTION_CYCLES", rules.DEFAULT_CORRECTION_CYCLES))


def _customer(subscription: Subscription) -> Organization:
    customer = subscription.tenant.customer
    if customer.parent_id is not None and "parent" not in customer._state.fields_cache:
        customer = Organization.objects.select_related("parent").get(pk=customer.pk)
        subscription.tenant.customer = customer
    return customer


def horizon(subscription: Subscription, now: datetime) -> rules.Horizon:
    """Where this subscription's ledger may be written at `now`."""
    customer = _customer(subscription)
    billing = customer.billed_by
    today = local_date(now, customer.billing_time_zone)
    oldest = rules.oldest_open_cycle(billing.billing_day, today, correction_cycles())
    return rules.Horizon(earliest=oldest.period.start, latest=now, started=subscription.start_date)


def local_day(subscription: Subscription, moment: datetime) -> date:
    """The billing day (the reseller's time zone) of a moment."""
    return local_date(moment, _customer(subscription).billing_time_zone)


def start_of_day(subscription: Subscription, day: date) -> datetime:
    """Midnight of `day` in the billing time zone, as a UTC moment: when a term starts."""
    zone = ZoneInfo(_customer(subscription).billing_time_zone)
    return datetime.combine(day, time(), tzinfo=zone).astimezone(UTC)


def _entry(
    subscription: Subscription, kind: str, effective_at: datetime, origin: Origin, clock: Clock, **values: Any
) -> LedgerEntry:
    return LedgerEntry.objects.create(
        subscription=subscription,
        customer_id=subscription.tenant.customer_id,
        kind=kind,
        effective_at=effective_at,
        recorded_at=clock.now(),
        source=origin.source,
        actor_ref=origin.actor_ref[:100],
        actor_label=origin.actor_label[:255],
        order_id=origin.order_id,
        provider_reference=origin.provider_reference[:100],
        **values,
    )


def _price_values(price: LockedPrice | None) -> dict[str, Any]:
    if price is None:
        return {}
    for amount, field in ((price.unit_price, "unit_price"), (price.unit_cost, "unit_cost")):
        if amount is not None:
            rules.check_unit_price(amount, field=field)
    return {
        "unit_price": price.unit_price,
        "unit_cost": price.unit_cost,
        "currency": price.currency,
        "price_source": price.source[:300],
    }


def _lock_on_row(subscription: Subscription, term_start: date, price: LockedPrice | None) -> list[str]:
    subscription.term_start = term_start
    subscription.unit_price = price.unit_price if price else None
    subscription.unit_cost = price.unit_cost if price else None
    subscription.price_currency = price.currency if price else ""
    subscription.price_source = (price.source if price else "")[:300]
    return ["term_start", "unit_price", "unit_cost", "price_currency", "price_source"]


def record_purchase(
    subscription: Subscription,
    *,
    effective_at: datetime,
    origin: Origin,
    price: LockedPrice | None,
    clock: Clock,
    term_start: date | None = None,
) -> LedgerEntry:
    """The opening entry of a subscription bought here or imported: the term in force (from `term_start`,
    by default the provider's start date, which is also the billing anchor), the quantity and status
    from `effective_at` on."""
    rules.check_moment(
        effective_at,
        local_day(subscription, effective_at),
        _open_horizon(subscription, clock),
        what="purchase",
    )
    rules.check_quantity(subscription.quantity)
    term_start = term_start or subscription.start_date or local_day(subscription, effective_at)
    entry = _entry(
        subscription,
        LedgerKind.PURCHASE,
        effective_at,
        origin,
        clock,
        quantity=subscription.quantity,
        status=subscription.status,
        auto_renew=subscription.auto_renew,
        term=subscription.term,
        billing_cycle=subscription.billing_cycle,
        is_trial=subscription.is_trial,
        term_start=term_start,
        term_end=subscription.commitment_end_date,
        **_price_values(price),
    )
    subscription.save(update_fields=_lock_on_row(subscription, term_start, price))
    return entry


def _open_horizon(subscription: Subscription, clock: Clock) -> rules.Horizon:
    """A purchase opens the ledger: only the future and the settled past are out of bounds."""
    bounds = horizon(subscription, clock.now())
    return rules.Horizon(earliest=bounds.earliest, latest=bounds.latest)


def record_quantity(
    subscription: Subscription,
    *,
    quantity: int,
    effective_at: datetime,
    origin: Origin,
    clock: Clock,
    refundable: bool = False,
) -> LedgerEntry:
    """The quantity became `quantity` (the new total) at `effective_at`; `refundable` when the provider
    refunded a decrease (inside the seats' cancellation window)."""
    rules.check_quantity(quantity)
    rules.check_moment(
        effective_at,
        local_day(subscription, effective_at),
        horizon(subscription, clock.now()),
        what="quantity change",
    )
    return _entry(
        subscription,
        LedgerKind.QUANTITY,
        effective_at,
        origin,
        clock,
        quantity=quantity,
        refundable=refundable,
    )


def record_status(
    subscription: Subscription,
    *,
    status: str,
    effective_at: datetime,
    origin: Origin,
    clock: Clock,
    refundable: bool = False,
) -> LedgerEntry:
    """The status became `status`: active, suspended, cancelled (refundable inside the window),
    billing_cancelled (billing stops, the service stays at the provider) or expired."""
    day = local_day(subscription, effective_at)
    rules.check_moment(effective_at, day, horizon(subscription, clock.now()), what="status change")
    entry = _entry(
        subscription,
        LedgerKind.STATUS,
        effective_at,
        origin,
        clock,
        status=status[:20],
        refundable=refundable,
    )
    if status == "billing_cancelled":
        subscription.billing_cancelled_on = day
        subscription.save(update_fields=["billing_cancelled_on"])
    return entry


def record_auto_renew(
    subscription: Subscription, *, auto_renew: bool, effective_at: datetime, origin: Origin, clock: Clock
) -> LedgerEntry:
    day = local_day(subscription, effective_at)
    rules.check_moment(effective_at, day, horizon(subscription, clock.now()), what="auto-renew change")
    return _entry(subscription, LedgerKind.AUTO_RENEW, effective_at, origin, clock, auto_renew=auto_renew)


def record_price(
    subscription: Subscription,
    *,
    unit_price: Decimal,
    currency: str,
    effective_from: date,
    origin: Origin,
    clock: Clock,
) -> LedgerEntry:
    """C4: the subscription's own sale price per unit and billing period from `effective_from` on; it
    wins over the term's locked price from that day. A later entry for the same day replaces it."""
    price = rules.check_unit_price(unit_price)
    now = clock.now()
    rules.check_price_day(effective_from, local_day(subscription, now), horizon(subscription, now))
    return _entry(
        subscription,
        LedgerKind.PRICE,
        min(start_of_day(subscription, effective_from), now),
        origin,
        clock,
        price_from=effective_from,
        unit_price=price,
        currency=currency,
        price_source=SUBSCRIPTION_PRICE_SOURCE,
    )


def record_renewal(
    subscription: Subscription,
    *,
    term_start: date,
    term_end: date | None,
    term: str,
    billing_cycle: str,
    quantity: int | None,
    price: LockedPrice | None,
    origin: Origin,
    clock: Clock,
    kind: str = LedgerKind.RENEWAL,
) -> LedgerEntry:
    """A new term from `term_start` (a renewal, or a trial's conversion to paid) with its own locked price
    and fresh cancellation window; `quantity` when the new term starts with another quantity (a change
    scheduled for the renewal), else the seats carry over. Recording the same term twice returns the
    first entry: the renewal job and the provider's report of the same renewal meet here."""
    existing = LedgerEntry.objects.filter(
        subscription=subscription, kind__in=[LedgerKind.RENEWAL, LedgerKind.CONVERSION], term_start=term_start
    ).first()
    if existing is not None:
        return existing
    if quantity is not None:
        rules.check_quantity(quantity)
    effective_at = start_of_day(subscription, term_start)
    # A renewal is due by the calendar: one the job catches up on long after may reach into settled
    # cycles (billing never goes back that far), but never into the future.
    bounds = horizon(subscription, clock.now())
    rules.check_moment(effective_at, term_start, rules.Horizon(date.min, bounds.latest), what="renewal")
    entry = _entry(
        subscription,
        kind,
        effective_at,
        origin,
        clock,
        quantity=quantity,
        term=term,
        billing_cycle=billing_cycle,
        term_start=term_start,
        term_end=term_end,
        auto_renew=subscription.auto_renew,
        **_price_values(price),
    )
    window_closes = effective_at + CANCELLATION_WINDOW
    subscription.term, subscription.billing_cycle = term, billing_cycle
    subscription.commitment_end_date = term_end
    subscription.cancellation_allowed_until = window_closes
    seats = subscription.quantity if quantity is None else quantity
    subscription.refundable_lots = [{"quantity": seats, "allowed_until": window_closes.isoformat()}]
    subscription.scheduled_change = None
    fields = ["term", "billing_cycle", "commitment_end_date", "cancellation_allowed_until", "refundable_lots"]
    fields += ["scheduled_change", *_lock_on_row(subscription, term_start, price)]
    if kind == LedgerKind.CONVERSION:
        subscription.is_trial = False
        fields.append("is_trial")
    subscription.save(update_fields=fields)
    return entry


def record_event(
    subscription: Subscription,
    *,
    at: datetime,
    actor_ref: str,
    actor_label: str,
    channel: str,
    kind: str,
    old: Any = None,
    new: Any = None,
    order_id: int | None = None,
    message: str = "",
) -> SubscriptionEvent:
    """The history a person reads: who, where, what (old → new), when, which order."""
    return SubscriptionEvent.objects.create(
        subscription=subscription,
        at=at,
        actor_ref=actor_ref[:100],
        actor_label=actor_label[:255],
        channel=channel,
        kind=kind,
        old_value=old,
        new_value=new,
        order_id=order_id,
        message=message[:500],
    )
