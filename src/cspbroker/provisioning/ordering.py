"""The doors' use cases for orders: buy and change a subscription, priced before it is confirmed (S1, S2, X6).

Buying and changing go through `provisioning.services`, which checks Microsoft's rules under a row
lock before anything is written or called; this module adds the price shown before confirming (the
order keeps its sale-side quote, never cost or margin) and the change preview with its approval flag.
"""

from __future__ import annotations

from typing import Any

from cspbroker.accounts.access import Actor, may
from cspbroker.accounts.services import InvalidInput, PermissionDenied
from cspbroker.billing import change_preview
from cspbroker.catalog.models import Offer
from cspbroker.catalog.quotes import customer_quote, purchase_quote
from cspbroker.clock import platform_clock
from cspbroker.domain.clock import Clock, local_date
from cspbroker.domain.errors import DomainError
from cspbroker.domain.parties import Action
from cspbroker.provisioning import approvals, services
from cspbroker.provisioning.models import Order, OrderKind
from cspbroker.provisioning.services import Request
from cspbroker.subscriptions.models import Channel, Subscription
from cspbroker.tenants.models import Tenant

__all__ = ["PRICED_KINDS", "Request", "buy", "change", "preview_change"]
PRICED_KINDS = {"change_quantity", "cancel", "billing_only_cancel", "suspend", "reactivate"}


def buy(
    *,
    request: Request,
    tenant_id: int,
    offer_id: int,
    quantity: int,
    friendly_name: str = "",
    parent_subscription_id: int | None = None,
    clock: Clock = platform_clock,
) -> Order:
    """S1: a new subscription or an add-on, with the price of the moment frozen on the order."""
    tenant = Tenant.objects.select_related("customer__parent").get(pk=tenant_id)
    offer = Offer.objects.select_related("availability__sku__product").get(pk=offer_id)
    if offer.availability.sku.product.connection_id != tenant.connection_id:
        raise InvalidInput(
            f"{offer.availability.sku.title} is not sold through this tenant's provider.",
            field="offer_id",
            code="offer_not_available",
        )
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
        raise InvalidInput("Choose a quantity of at least 1.", field="quantity", code="invalid_quantity")
    quote: dict[str, Any] | None
    try:
        on = local_date(clock.now(), tenant.customer.billing_time_zone)
        quote = customer_quote(purchase_quote(tenant.customer, offer, quantity, on, show_cost=False))
    except DomainError:
        quote = None  # not priced: staff may still order, and billing refuses loudly until priced
    return services.order_subscription(
        request=request,
        tenant_id=tenant_id,
        offer_id=offer_id,
        quantity=quantity,
        friendly_name=friendly_name,
        parent_subscription_id=parent_subscription_id,
        quote=quote,
    )


def change(
    *,
    request: Request,
    subscription_id: int,
    kind: str,
    payload: dict[str, Any],
    clock: Clock = platform_clock,
) -> Order:
    """S2: any change of a subscription; the rules are checked again under the lock by provisioning."""
    if kind not in set(OrderKind) or kind in (OrderKind.NEW, OrderKind.ADD_ON):
        raise InvalidInput(f"{kind!r} is not a change of a subscription.", field="kind", code="invalid_kind")
    quote = None
    if kind in PRICED_KINDS:
        subscription = _loaded(subscription_id)
        if not may(request.actor, Action.CHANGE, subscription.tenant.customer):
            raise PermissionDenied("You may not change this subscription.")
        quote = change_preview.preview_change(
            subscription, kind=kind, payload=payload, now=clock.now(), show_cost=False
        ).quote()
    return services.change_subscription(
        request=request, subscription_id=subscription_id, kind=kind, payload=payload, clock=clock, quote=quote
    )


def _loaded(subscription_id: int) -> Subscription:
    return Subscription.objects.select_related(
        "tenant__customer__parent", "tenant__connection", "offer__availability__sku__product"
    ).get(pk=subscription_id)


def preview_change(
    *, actor: Actor, subscription_id: int, kind: str, payload: dict[str, Any], clock: Clock = platform_clock
) -> change_preview.ChangePreview:
    """X6: the effect of a change, checked against the rules, without provisioning anything."""
    subscription = _loaded(subscription_id)
    show_cost = may(actor, Action.VIEW_COST, subscription.tenant.customer)
    result = change_preview.preview_change(
        subscription, kind=kind, payload=payload, now=clock.now(), show_cost=show_cost
    )
    increase = kind == OrderKind.CHANGE_QUANTITY and result.quantity_after > result.quantity_before
    if increase and Request(actor=actor, channel=Channel.API).customer_initiated:
        payload = {"quantity": result.quantity_after, "old": result.quantity_before}
        probe = Order(customer=subscription.tenant.customer, kind=kind, payload=payload)
        amount = change_preview.decimal_or_none(result.quote()["total"])
        result.needs_approval = approvals.requires_approval(probe, amount)
    return result
