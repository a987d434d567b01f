"""Writes for orders: submit (rules checked before any provider call), approve, reject, retry.

Submitting writes the order and, when it may proceed, its provider operation in one transaction;
the worker is told after commit. A refusal by the commerce rules raises before anything is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction

from cspbroker.accounts.access import SYSTEM, Actor, may
from cspbroker.accounts.services import InvalidInput, PermissionDenied
from cspbroker.catalog.models import Offer
from cspbroker.clock import platform_clock
from cspbroker.domain import commerce
from cspbroker.domain.clock import Clock
from cspbroker.domain.commerce import OrderType
from cspbroker.domain.parties import Action
from cspbroker.provisioning import approvals, transitions
from cspbroker.provisioning.models import Order, OrderKind, OrderState, ProviderOperation
from cspbroker.provisioning.recording import origin_of
from cspbroker.subscriptions import ledger
from cspbroker.subscriptions.models import Subscription
from cspbroker.subscriptions.terms import terms_of
from cspbroker.tenants.models import Tenant, TenantStatus

_ORDER_TYPES = {
    OrderKind.NEW: OrderType.NEW,
    OrderKind.ADD_ON: OrderType.ADD_ON,
    OrderKind.SUSPEND: OrderType.SUSPEND,
    OrderKind.REACTIVATE: OrderType.REACTIVATE,
    OrderKind.CANCEL: OrderType.CANCEL,
    OrderKind.BILLING_ONLY_CANCEL: OrderType.BILLING_ONLY_CANCEL,
    OrderKind.AUTO_RENEW: OrderType.AUTO_RENEW,
    OrderKind.FRIENDLY_NAME: OrderType.FRIENDLY_NAME,
    OrderKind.SCHEDULED_CHANGE: OrderType.SCHEDULED_CHANGE,
}


@dataclass(frozen=True)
class Request:
    """Who asks, and through which door; `customer_initiated` decides whether approval may apply."""

    actor: Actor
    channel: str

    @property
    def customer_initiated(self) -> bool:
        return not self.actor.is_staff and self.actor is not SYSTEM


def _enqueue(operation: ProviderOperation) -> None:
    from cspbroker.provisioning.tasks import run_operation

    transaction.on_commit(lambda: run_operation(operation.pk))


def _check_rules(
    kind: str, subscription: Subscription, payload: dict[str, Any], now: Any, capabilities: Any
) -> dict[str, Any]:
    """Raise a DomainError when Microsoft's rules forbid the change; returns what the order records."""
    terms = terms_of(subscription)
    if kind == OrderKind.CHANGE_QUANTITY:
        change = commerce.check_quantity_change(terms, int(payload["quantity"]), now)
        more = change.new_quantity > change.previous_quantity
        commerce.check_supported(capabilities, OrderType.ADD_QUANTITY if more else OrderType.REMOVE_QUANTITY)
        return {
            "quantity": change.new_quantity,
            "old": change.previous_quantity,
            "clears_scheduled_change": change.clears_scheduled_change,
        }
    commerce.check_supported(capabilities, _ORDER_TYPES[OrderKind(kind)])
    if kind == OrderKind.SUSPEND:
        commerce.check_suspend(terms)
    elif kind == OrderKind.REACTIVATE:
        commerce.check_reactivate(terms)
    elif kind == OrderKind.CANCEL:
        commerce.check_cancel(terms, now)
    elif kind == OrderKind.BILLING_ONLY_CANCEL:
        commerce.check_billing_only_cancel(terms)
    elif kind == OrderKind.AUTO_RENEW:
        commerce.check_auto_renew(terms, bool(payload["auto_renew"]))
        return {"auto_renew": bool(payload["auto_renew"]), "old": subscription.auto_renew}
    elif kind == OrderKind.FRIENDLY_NAME:
        name = commerce.check_friendly_name(str(payload.get("friendly_name", "")))
        return {"friendly_name": name, "old": subscription.friendly_name}
    return {"old": subscription.status}


def _tenant_for(actor: Actor, tenant_id: int) -> Tenant:
    tenant = Tenant.objects.select_related("customer", "connection").get(pk=tenant_id)
    if not may(actor, Action.CHANGE, tenant.customer):
        raise PermissionDenied("You may not order for this customer.")
    if tenant.status != TenantStatus.ACTIVE:
        raise InvalidInput("The tenant is not active yet.", field="tenant", code="tenant_not_active")
    return tenant


def _create(request: Request, tenant: Tenant, kind: str, **fields: Any) -> Order:
    who = request.actor
    return Order.objects.create(
        customer=tenant.customer,
        tenant=tenant,
        kind=kind,
        requested_by=who.ref,
        requested_by_label=who.email,
        requested_by_user_id=who.user_id,
        channel=request.channel,
        **fields,
    )


def _proceed(order: Order, request: Request, amount: Any = None) -> Order:
    """Send the order on, or park it for approval when the customer's policy asks for it (S4)."""
    if request.customer_initiated and approvals.requires_approval(order, amount):
        transitions.await_approval(order)
        approvals.notify_requested(order)
        return order
    transitions.approve_at_once(order)
    _enqueue(ProviderOperation.objects.create(order=order))
    return order


@transaction.atomic
def order_subscription(
    *,
    request: Request,
    tenant_id: int,
    offer_id: int,
    quantity: int,
    friendly_name: str = "",
    parent_subscription_id: int | None = None,
    quote: dict[str, Any] | None = None,
) -> Order:
    """S1: buy a new subscription, or an add-on for an existing base subscription."""
    tenant = _tenant_for(request.actor, tenant_id)
    offer = Offer.objects.select_related("availability__sku").get(pk=offer_id, is_available=True)
    sku = offer.availability.sku
    if not sku.minimum_quantity <= quantity <= sku.maximum_quantity:
        raise commerce.QuantityOutOfRange(
            f"{sku.title} is sold in quantities of {sku.minimum_quantity} to {sku.maximum_quantity}.",
            field="quantity",
        )
    payload: dict[str, Any] = {"quantity": quantity, "friendly_name": friendly_name.strip()}
    parent = None
    if parent_subscription_id is not None or sku.is_addon:
        parent = _addon_parent(tenant, sku, parent_subscription_id)
        payload["parent_provider_subscription_id"] = parent.provider_subscription_id
    kind = OrderKind.ADD_ON if parent else OrderKind.NEW
    order = _create(request, tenant, kind, offer=offer, subscription=parent, payload=payload, quote=quote)
    return _proceed(order, request, (quote or {}).get("total"))


def _addon_parent(tenant: Tenant, sku: Any, parent_subscription_id: int | None) -> Subscription:
    if parent_subscription_id is None:
        raise InvalidInput(
            f"{sku.title} is an add-on: choose the subscription it belongs to.", field="parent"
        )
    parent = Subscription.objects.select_related("offer__availability__sku__product").get(
        pk=parent_subscription_id, tenant=tenant
    )
    base = parent.offer.availability.sku
    allowed = set(sku.prerequisite_skus or [])
    if allowed and f"{base.product.provider_product_id}:{base.provider_sku_id}" not in allowed:
        raise InvalidInput(
            f"{sku.title} cannot be added to {base.title}.", field="parent", code="addon_not_allowed"
        )
    return parent


@transaction.atomic
def change_subscription(
    *,
    request: Request,
    subscription_id: int,
    kind: str,
    payload: dict[str, Any],
    clock: Clock = platform_clock,
    quote: dict[str, Any] | None = None,
) -> Order:
    """S2: quantity, suspend, reactivate, cancel, billing-only cancel, auto-renew, friendly name."""
    subscription = (
        Subscription.objects.select_for_update()
        .select_related("tenant__customer", "tenant__connection", "offer__availability__sku")
        .get(pk=subscription_id)
    )
    if not may(request.actor, Action.CHANGE, subscription.tenant.customer):
        raise PermissionDenied("You may not change this subscription.")
    capabilities = subscription.tenant.connection.capabilities
    recorded = _check_rules(kind, subscription, payload, clock.now(), capabilities)
    order = _create(
        request, subscription.tenant, kind, subscription=subscription, payload=recorded, quote=quote
    )
    if kind == OrderKind.BILLING_ONLY_CANCEL:
        return _cancel_billing_only(order, subscription, clock)
    increase = kind == OrderKind.CHANGE_QUANTITY and recorded["quantity"] > recorded["old"]
    if kind == OrderKind.CHANGE_QUANTITY and not increase:
        request = Request(actor=SYSTEM, channel=request.channel)  # decreases never wait: windows close
    return _proceed(order, request, (quote or {}).get("total"))


def _cancel_billing_only(order: Order, subscription: Subscription, clock: Clock) -> Order:
    """Seed 000: stop billing without touching the provider (the service is managed elsewhere)."""
    now = clock.now()
    ledger.record_status(
        subscription, status="billing_cancelled", effective_at=now, origin=origin_of(order), clock=clock
    )
    ledger.record_event(
        subscription,
        at=now,
        actor_ref=order.requested_by,
        actor_label=order.requested_by_label,
        channel=order.channel,
        kind=order.kind,
        old=subscription.status,
        new="billing_cancelled",
        order_id=order.pk,
        message="Billing stopped; the subscription stays at the provider.",
    )
    return transitions.complete(order, at=now)


@transaction.atomic
def decide(
    *, actor: Actor, order_id: int, approve: bool, reason: str = "", clock: Clock = platform_clock
) -> Order:
    """S4: staff approve or reject a waiting order; nobody decides on their own request."""
    order = Order.objects.select_for_update().select_related("customer").get(pk=order_id)
    if order.state != OrderState.AWAITING_APPROVAL:
        raise InvalidInput(
            f"Order {order.pk} is {order.get_state_display().lower()}, not waiting.", code="not_waiting"
        )
    if not actor.is_staff or not may(actor, Action.CHANGE, order.customer):
        raise PermissionDenied("Only the customer's reseller or the operator can decide on this order.")
    if actor.user_id is not None and actor.user_id == order.requested_by_user_id:
        raise PermissionDenied("Nobody approves their own request.", code="own_request")
    if not approve and not reason.strip():
        raise InvalidInput("Say why the order is rejected; the customer reads it.", field="reason")
    transitions.decide(order, approve=approve, by=actor.email, at=clock.now(), reason=reason.strip()[:500])
    if approve:
        _enqueue(ProviderOperation.objects.create(order=order))
    approvals.notify_decided(order)
    return order


@transaction.atomic
def retry(*, actor: Actor, order_id: int, quantity: int | None = None) -> Order:
    """A failed order, possibly corrected, goes out again with a NEW request id (it is a new request)."""
    order = Order.objects.select_for_update().select_related("customer").get(pk=order_id)
    if not may(actor, Action.CHANGE, order.customer):
        raise PermissionDenied("You may not retry this order.")
    if order.state != OrderState.FAILED:
        raise InvalidInput("Only a failed order can be retried.", code="not_failed")
    if quantity is not None:
        order.payload = {**order.payload, "quantity": quantity}
    transitions.retry(order)
    _enqueue(ProviderOperation.objects.create(order=order))
    return order
