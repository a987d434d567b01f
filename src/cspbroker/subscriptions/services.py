"""Writes on subscriptions for the pages and the API: buy, change (priced first), historic sales price.

Buying and changing go through `provisioning.services`, which checks Microsoft's rules under a row
lock before anything is written or called; this module adds the price shown before confirming (the
order keeps its sale-side quote, never cost or margin). The historic sales price (C4) is staff's.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction

from cspbroker.accounts.access import Actor, may
from cspbroker.accounts.services import InvalidInput, PermissionDenied
from cspbroker.catalog.models import Offer
from cspbroker.domain.clock import Clock, local_date
from cspbroker.domain.errors import DomainError
from cspbroker.domain.parties import Action
from cspbroker.provisioning import approvals
from cspbroker.provisioning import services as provisioning
from cspbroker.provisioning.models import Order, OrderKind
from cspbroker.subscriptions import history, preview
from cspbroker.subscriptions.clock import platform_clock
from cspbroker.subscriptions.models import Channel, SalePrice, Subscription
from cspbroker.tenants.models import Tenant

Request = provisioning.Request
PRICED_KINDS = {"change_quantity", "cancel", "billing_only_cancel", "suspend", "reactivate"}


def buy(
    *,
    request: provisioning.Request,
    tenant_id: int,
    offer_id: int,
    quantity: int,
    friendly_name: str = "",
    parent_subscription_id: int | None = None,
    clock: Clock | None = None,
) -> Order:
    """S1: a new subscription or an add-on, with the price of the moment frozen on the order."""
    clock = clock or platform_clock()
    tenant = Tenant.objects.select_related("customer").get(pk=tenant_id)
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
        on = local_date(clock.now(), tenant.customer.time_zone)
        quote = preview.customer_quote(
            preview.purchase_quote(tenant.customer, offer, quantity, on, show_cost=False)
        )
    except DomainError:
        quote = None  # not priced: staff may still order, and billing refuses loudly until priced
    return provisioning.order_subscription(
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
    request: provisioning.Request,
    subscription_id: int,
    kind: str,
    payload: dict[str, Any],
    clock: Clock | None = None,
) -> Order:
    """S2: any change of a subscription; the rules are checked again under the lock by provisioning."""
    clock = clock or platform_clock()
    if kind not in set(OrderKind) or kind in (OrderKind.NEW, OrderKind.ADD_ON):
        raise InvalidInput(f"{kind!r} is not a change of a subscription.", field="kind", code="invalid_kind")
    quote = None
    if kind in PRICED_KINDS:
        subscription = _loaded(subscription_id)
        if not may(request.actor, Action.CHANGE, subscription.tenant.customer):
            raise PermissionDenied("You may not change this subscription.")
        quote = preview.preview_change(
            subscription, kind=kind, payload=payload, now=clock.now(), show_cost=False
        ).quote()
    return provisioning.change_subscription(
        request=request, subscription_id=subscription_id, kind=kind, payload=payload, clock=clock, quote=quote
    )


def _loaded(subscription_id: int) -> Subscription:
    return Subscription.objects.select_related(
        "tenant__customer", "tenant__connection", "offer__availability__sku__product"
    ).get(pk=subscription_id)


def preview_change(
    *, actor: Actor, subscription_id: int, kind: str, payload: dict[str, Any], clock: Clock | None = None
) -> preview.ChangePreview:
    """X6: the effect of a change, checked against the rules, without provisioning anything."""
    clock = clock or platform_clock()
    subscription = _loaded(subscription_id)
    show_cost = may(actor, Action.VIEW_COST, subscription.tenant.customer)
    result = preview.preview_change(
        subscription, kind=kind, payload=payload, now=clock.now(), show_cost=show_cost
    )
    increase = kind == OrderKind.CHANGE_QUANTITY and result.quantity_after > result.quantity_before
    if increase and Request(actor=actor, channel=Channel.API).customer_initiated:
        payload = {"quantity": result.quantity_after, "old": result.quantity_before}
        probe = Order(customer=subscription.tenant.customer, kind=kind, payload=payload)
        amount = preview.decimal_or_none(result.quote()["total"])
        result.needs_approval = approvals.requires_approval(probe, amount)
    return result


def _price(value: Any) -> Decimal:
    try:
        price = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        raise InvalidInput(f"{value!r} is not a price.", field="unit_price", code="invalid_price") from None
    if not price.is_finite() or price < 0 or price.as_tuple().exponent < -6:  # type: ignore[operator]
        raise InvalidInput(
            "A price is zero or more, with at most six decimals.", field="unit_price", code="invalid_price"
        )
    return price


@transaction.atomic
def set_sale_price(
    *,
    actor: Actor,
    subscription_id: int,
    unit_price: Any,
    effective_from: date,
    channel: str = Channel.BACKOFFICE,
    clock: Clock | None = None,
) -> SalePrice:
    """C4: staff set the subscription's own unit price (per billing period) from a day on; billing uses
    it from that day. Earlier prices stay; the history says who changed what."""
    clock = clock or platform_clock()
    subscription = (
        Subscription.objects.select_for_update().select_related("tenant__customer").get(pk=subscription_id)
    )
    customer = subscription.tenant.customer
    if not (may(actor, Action.VIEW_COST, customer) and may(actor, Action.CHANGE, customer)):
        raise PermissionDenied("Only the customer's reseller or the operator sets a subscription's price.")
    price = _price(unit_price)
    if not isinstance(effective_from, date):
        raise InvalidInput("Give the day the price applies from.", field="effective_from")
    start = subscription.start_date or local_date(subscription.created_at, customer.time_zone)
    if effective_from < start:
        raise InvalidInput(
            f"The subscription started on {start.isoformat()}: a price cannot apply before that.",
            field="effective_from",
            code="before_start",
        )
    row, replaced = history.record_sale_price(
        subscription,
        effective_from=effective_from,
        unit_price=price,
        currency=customer.currency,
        set_by=actor.ref,
    )
    history.record_event(
        subscription,
        at=clock.now(),
        actor_ref=actor.ref,
        actor_label=actor.email,
        channel=channel,
        kind="sale_price",
        old=None if replaced is None else f"{replaced.normalize():f} {customer.currency}",
        new=f"{price.normalize():f} {customer.currency} from {effective_from.isoformat()}",
        message="Historic sales price set.",
    )
    return row
