"""What each kind of order asks the provider to do. Every call carries a request id derived from the
operation's stable one, so a repeat of the whole sequence after a crash repeats nothing at the provider.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from cspbroker.providers.errors import ProviderRejected
from cspbroker.providers.partnercenter.common import SubscriptionStatus
from cspbroker.providers.partnercenter.orders import CartLineItemRequest
from cspbroker.providers.partnercenter.subscriptions import Subscription, SubscriptionChanges
from cspbroker.providers.ports import PartnerCenterClientPort
from cspbroker.provisioning.models import Order, OrderKind


@dataclass(frozen=True)
class ActionResult:
    subscription: Subscription
    provider_order_id: str = ""


def step_request_id(request_id: uuid.UUID, step: str) -> str:
    """A stable request id per step of one operation (the cart, then its checkout)."""
    return str(uuid.uuid5(request_id, step))


def _changes(order: Order) -> SubscriptionChanges:
    payload = order.payload
    kind = order.kind
    if kind == OrderKind.CHANGE_QUANTITY:
        return SubscriptionChanges(quantity=int(payload["quantity"]))
    if kind == OrderKind.SUSPEND:
        return SubscriptionChanges(status=SubscriptionStatus.SUSPENDED)
    if kind == OrderKind.REACTIVATE:
        return SubscriptionChanges(status=SubscriptionStatus.ACTIVE)
    if kind == OrderKind.CANCEL:
        return SubscriptionChanges(status=SubscriptionStatus.DELETED)
    if kind == OrderKind.AUTO_RENEW:
        return SubscriptionChanges(auto_renew_enabled=bool(payload["auto_renew"]))
    if kind == OrderKind.FRIENDLY_NAME:
        return SubscriptionChanges(friendly_name=str(payload["friendly_name"]))
    raise ValueError(f"no provider change for {kind}")


def _purchase(
    client: PartnerCenterClientPort, order: Order, customer_id: str, request_id: uuid.UUID
) -> ActionResult:
    assert order.offer is not None
    offer = order.offer
    parent = order.payload.get("parent_provider_subscription_id")
    line = CartLineItemRequest(
        catalog_item_id=offer.availability.catalog_item_id,
        quantity=int(order.payload["quantity"]),
        billing_cycle=offer.billing_cycle,
        term_duration=offer.term or None,
        friendly_name=order.payload.get("friendly_name") or None,
        parent_subscription_id=parent or None,
    )
    cart = client.create_cart(customer_id, [line], request_id=step_request_id(request_id, "cart"))
    checkout = client.checkout_cart(customer_id, cart.id, request_id=step_request_id(request_id, "checkout"))
    if checkout.order_errors:
        error = checkout.order_errors[0]
        raise ProviderRejected(
            error.description or "The provider refused the order.",
            code=str(error.code),
            description=error.description,
        )
    provider_order = checkout.orders[0]
    subscription_id = next(
        (line.subscription_id for line in provider_order.line_items if line.subscription_id), None
    )
    if subscription_id is None:
        raise ProviderRejected("The provider's order has no subscription yet.", code="no_subscription")
    return ActionResult(client.get_subscription(customer_id, subscription_id), provider_order.id)


def perform(client: PartnerCenterClientPort, order: Order, request_id: uuid.UUID) -> ActionResult:
    customer_id = order.tenant.provider_tenant_id
    if order.kind in (OrderKind.NEW, OrderKind.ADD_ON):
        return _purchase(client, order, customer_id, request_id)
    assert order.subscription is not None
    remote = client.patch_subscription(
        customer_id, order.subscription.provider_subscription_id, _changes(order), request_id=str(request_id)
    )
    return ActionResult(remote)
