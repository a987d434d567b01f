"""Orders (S1, S4): buy a subscription or an add-on, follow an order, retry a failed one.

`POST /orders` answers 201 with the order at once; the worker provisions it at the provider and the
order's `state` goes `approved` → `provisioning` → `completed` (or `failed`, with the provider's
`failure_code` and `failure_message`), or waits in `awaiting_approval` when the customer's approval
settings ask for it. Send `Idempotency-Key` to make a retried POST safe.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema

from cspbroker.api.auth import actor
from cspbroker.api.idempotency import idempotent
from cspbroker.api.schemas import OrderOut, order_out
from cspbroker.provisioning import ordering, selectors
from cspbroker.provisioning import services as provisioning
from cspbroker.subscriptions.models import Channel
from cspbroker.tenants.models import Tenant

router = Router(tags=["orders"])


class OrderIn(Schema):
    tenant_id: int
    offer_id: int
    quantity: int
    friendly_name: str = ""
    parent_subscription_id: int | None = None  # for an add-on: the base subscription


class OrdersQuery(Schema):
    customer_id: int | None = None
    state: str = ""
    kind: str = ""
    subscription_id: int | None = None
    limit: int = 100
    offset: int = 0


@router.get("", response=list[OrderOut], summary="List orders (staff: all their customers')")
def list_orders(request: HttpRequest, query: Query[OrdersQuery]) -> list[dict[str, Any]]:
    filters = selectors.OrderFilter(**query.dict(exclude={"limit", "offset"}))
    limit = max(1, min(query.limit, 500))
    rows = selectors.orders_for(actor(request), filters)[query.offset : query.offset + limit]
    return [order_out(order) for order in rows]


@router.get("/{order_id}", response=OrderOut, summary="One order, with the provider's failure if any")
def get_order(request: HttpRequest, order_id: int) -> dict[str, Any]:
    return order_out(selectors.order_for(actor(request), order_id))


@router.post(
    "", response={201: OrderOut}, summary="Buy a subscription, or an add-on for a base subscription (S1)"
)
@idempotent(OrderOut, 201)
def create_order(request: HttpRequest, body: OrderIn) -> Any:
    who = actor(request)
    from cspbroker.accounts.access import get_scoped_or_404

    tenant = get_scoped_or_404(who, Tenant.objects.all(), "customer", pk=body.tenant_id)
    order = ordering.buy(
        request=ordering.Request(actor=who, channel=Channel.API),
        tenant_id=tenant.pk,
        offer_id=body.offer_id,
        quantity=body.quantity,
        friendly_name=body.friendly_name,
        parent_subscription_id=body.parent_subscription_id,
    )
    return order_out(order)


class RetryIn(Schema):
    quantity: int | None = None  # a correction of the quantity; omitted: the same request again


@router.post("/{order_id}/retry", response={201: OrderOut}, summary="Send a failed order again, corrected")
@idempotent(OrderOut, 201)
def retry_order(request: HttpRequest, order_id: int, body: RetryIn) -> Any:
    who = actor(request)
    order = selectors.order_for(who, order_id)
    return order_out(provisioning.retry(actor=who, order_id=order.pk, quantity=body.quantity))
