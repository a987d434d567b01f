"""Recording a provider's answer: once, under row locks, with the ledgers and the history."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from cspbroker.domain.clock import Clock
from cspbroker.provisioning import transitions
from cspbroker.provisioning.actions import ActionResult
from cspbroker.provisioning.models import OperationState, Order, OrderKind, ProviderOperation
from cspbroker.subscriptions import ledger, mirror
from cspbroker.subscriptions.models import Subscription
from cspbroker.subscriptions.prices import lock_price

_STATUS_KINDS = {OrderKind.SUSPEND, OrderKind.REACTIVATE, OrderKind.CANCEL}


def origin_of(order: Order, provider_reference: str = "") -> ledger.Origin:
    """Who asked for the order and through which door, for the ledger."""
    return ledger.Origin(
        source=order.channel,
        actor_ref=order.requested_by,
        actor_label=order.requested_by_label,
        order_id=order.pk,
        provider_reference=provider_reference,
    )


def _create_subscription(order: Order, result: ActionResult, clock: Clock) -> Subscription:
    assert order.offer is not None
    now = clock.now()
    subscription = Subscription(
        tenant=order.tenant, offer=order.offer, billing_cycle=order.offer.billing_cycle
    )
    if order.kind == OrderKind.ADD_ON:
        subscription.parent = order.subscription
    mirror.apply(subscription, result.subscription)
    subscription.provider_order_id = subscription.provider_order_id or result.provider_order_id
    subscription.last_synced_at = now
    subscription.save()
    # New commerce locks the price of the day of purchase for the whole term.
    price = lock_price(subscription, subscription.start_date or ledger.local_day(subscription, now))
    origin = origin_of(order, result.provider_order_id)
    ledger.record_purchase(subscription, effective_at=now, origin=origin, price=price, clock=clock)
    return subscription


def _update_subscription(order: Order, result: ActionResult, clock: Clock) -> Subscription:
    assert order.subscription_id is not None
    now = clock.now()
    subscription = (
        Subscription.objects.select_for_update(of=("self",))
        .select_related("tenant__customer__parent")
        .get(pk=order.subscription_id)
    )
    before_quantity, before_status = subscription.quantity, subscription.status
    changed = mirror.apply(subscription, result.subscription)
    subscription.last_synced_at = now
    subscription.save()
    origin = origin_of(order)
    if subscription.quantity != before_quantity:
        # A decrease was checked against its seat lots' windows before the call (S3): it is a refund.
        ledger.record_quantity(
            subscription,
            quantity=subscription.quantity,
            effective_at=now,
            origin=origin,
            clock=clock,
            refundable=True,
        )
    if order.kind in _STATUS_KINDS and subscription.status != before_status:
        ledger.record_status(
            subscription,
            status=subscription.status,
            effective_at=now,
            origin=origin,
            clock=clock,
            refundable=order.kind == OrderKind.CANCEL,
        )
    if order.kind == OrderKind.AUTO_RENEW and "auto_renew" in changed:
        ledger.record_auto_renew(
            subscription, auto_renew=subscription.auto_renew, effective_at=now, origin=origin, clock=clock
        )
    order.payload = {**order.payload, "changed": sorted(changed)}
    # History tells what it was when the change was applied: a change queued behind another one on
    # the same subscription starts from the first one's result, not from what was seen at submission.
    if order.kind == OrderKind.CHANGE_QUANTITY:
        order.payload["old"] = before_quantity
    elif order.kind in _STATUS_KINDS:
        order.payload["old"] = before_status
    return subscription


@transaction.atomic
def record_success(operation_id: int, result: ActionResult, clock: Clock) -> bool:
    """Apply a successful result; False when another attempt already recorded it."""
    operation = ProviderOperation.objects.select_for_update().select_related("order").get(pk=operation_id)
    if operation.state != OperationState.IN_FLIGHT:
        return False
    order = (
        # `of`: PostgreSQL cannot lock the nullable side of the outer join to the offer.
        Order.objects.select_for_update(of=("self",))
        .select_related("offer__availability", "tenant")
        .get(pk=operation.order_id)
    )
    now = clock.now()
    if order.kind in (OrderKind.NEW, OrderKind.ADD_ON):
        subscription = _create_subscription(order, result, clock)
        if order.kind == OrderKind.NEW:
            order.subscription = subscription
    else:
        subscription = _update_subscription(order, result, clock)
    ledger.record_event(
        subscription,
        at=now,
        actor_ref=order.requested_by,
        actor_label=order.requested_by_label,
        channel=order.channel,
        kind=order.kind,
        old=order.payload.get("old"),
        new={k: v for k, v in order.payload.items() if k not in {"old", "changed"}},
        order_id=order.pk,
    )
    outcome = {"subscription_id": result.subscription.id, "provider_order_id": result.provider_order_id}
    transitions.succeed(operation, at=now, result=outcome)
    transitions.complete(order, at=now)
    return True


@transaction.atomic
def record_failure(operation_id: int, *, code: str, message: str, now: datetime) -> Order | None:
    operation = ProviderOperation.objects.select_for_update().get(pk=operation_id)
    if operation.state != OperationState.IN_FLIGHT:
        return None
    transitions.fail_operation(operation, at=now, error=f"{code}: {message}")
    order = Order.objects.select_for_update().get(pk=operation.order_id)
    return transitions.fail(order, code=code, message=message)
