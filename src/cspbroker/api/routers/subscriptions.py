"""Subscriptions (S2, S3, S5, C4, X3, X6): list, detail with windows and history, changes, preview, price.

Every change answers 201 with the order it created; the worker calls the provider and the order's
`state` says how it went. Microsoft's rules are checked first: a change they forbid is a 422
problem with the rule's code (e.g. `decrease_outside_window`) and nothing is sent to the provider.
Staff responses carry a `staff` object with cost and margin; customers never get one.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema

from cspbroker.accounts.access import may
from cspbroker.api.auth import actor
from cspbroker.api.idempotency import idempotent
from cspbroker.api.routers.subscription_schemas import (
    SalePriceOut,
    SubscriptionDetailOut,
    SubscriptionDetailStaffOut,
    SubscriptionOut,
    SubscriptionStaffOut,
    row_out,
)
from cspbroker.api.schemas import OrderOut, order_out
from cspbroker.billing.change_preview import ChangePreview
from cspbroker.clock import platform_clock
from cspbroker.domain.parties import Action
from cspbroker.provisioning import ordering
from cspbroker.subscriptions import selectors, services
from cspbroker.subscriptions.models import Channel
from cspbroker.subscriptions.prices import SalePriceRow, sale_price_row

router = Router(tags=["subscriptions"])


class ListQuery(Schema):
    customer_id: int | None = None
    tenant_id: int | None = None
    status: str = ""
    search: str = ""
    closing_within_hours: int | None = None
    sort: Literal["product", "customer", "quantity", "status", "renewal", "window", "created"] = "product"
    descending: bool = False
    limit: int = 100
    offset: int = 0


@router.get("", response=list[SubscriptionStaffOut | SubscriptionOut], summary="List subscriptions (S5)")
def list_subscriptions(request: HttpRequest, query: Query[ListQuery]) -> list[dict[str, Any]]:
    who = actor(request)
    now = platform_clock.now()
    filters = selectors.SubscriptionFilter(
        **query.dict(exclude={"limit", "offset"}),
    )
    limit = max(1, min(query.limit, 500))
    page = selectors.subscriptions_for(who, filters, now)[query.offset : query.offset + limit]
    show_cost = who.is_staff
    rows = selectors.rows_for(
        page, now=now, show_cost=show_cost, closing_within_hours=query.closing_within_hours
    )
    return [row_out(row, show_cost) for row in rows]


@router.get(
    "/{subscription_id}",
    response=SubscriptionDetailStaffOut | SubscriptionDetailOut,
    summary="A subscription with its windows, allowed actions and history",
)
def get_subscription(request: HttpRequest, subscription_id: int) -> dict[str, Any]:
    who = actor(request)
    detail = selectors.detail_for(who, subscription_id, platform_clock.now())
    show_cost = may(who, Action.VIEW_COST, detail.subscription.tenant.customer)
    row = selectors.SubscriptionRow(detail.subscription, detail.window, detail.price, detail.assigned)
    data = row_out(row, show_cost)
    data["actions"] = [vars(action) for action in detail.actions]
    data["history"] = [
        {
            "at": event.at,
            "who": event.actor_label,
            "actor_ref": event.actor_ref,
            "channel": event.channel,
            "kind": event.kind,
            "text": text,
            "old": event.old_value,
            "new": event.new_value,
            "order_id": event.order_id,
            "message": event.message,
        }
        for event, text in detail.events
    ]
    data["addon_ids"] = [addon.pk for addon in detail.addons]
    if show_cost:
        data["sale_prices"] = [_sale_price(row) for row in detail.sale_prices]
    return data


def _sale_price(row: SalePriceRow) -> dict[str, Any]:
    return {
        "effective_from": row.effective_from,
        "unit_price": f"{Decimal(row.unit_price).normalize():f}",
        "currency": row.currency,
        "set_by": row.set_by,
        "recorded_at": row.recorded_at,
    }


def _change(request: HttpRequest, subscription_id: int, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
    who = actor(request)
    selectors.subscription_for(who, subscription_id)  # 404 for another customer's subscription
    order = ordering.change(
        request=ordering.Request(actor=who, channel=Channel.API),
        subscription_id=subscription_id,
        kind=kind,
        payload=payload,
    )
    return order_out(order)


class QuantityIn(Schema):
    quantity: int


class CancelIn(Schema):
    billing_only: bool = False


class AutoRenewIn(Schema):
    auto_renew: bool


class FriendlyNameIn(Schema):
    friendly_name: str


@router.post("/{subscription_id}/quantity", response={201: OrderOut}, summary="Change the quantity")
@idempotent(OrderOut, 201)
def change_quantity(request: HttpRequest, subscription_id: int, body: QuantityIn) -> Any:
    return _change(request, subscription_id, "change_quantity", {"quantity": body.quantity})


@router.post("/{subscription_id}/suspend", response={201: OrderOut}, summary="Suspend (billing continues)")
@idempotent(OrderOut, 201)
def suspend(request: HttpRequest, subscription_id: int) -> Any:
    return _change(request, subscription_id, "suspend", {})


@router.post("/{subscription_id}/reactivate", response={201: OrderOut}, summary="Reactivate a suspended one")
@idempotent(OrderOut, 201)
def reactivate(request: HttpRequest, subscription_id: int) -> Any:
    return _change(request, subscription_id, "reactivate", {})


@router.post(
    "/{subscription_id}/cancel",
    response={201: OrderOut},
    summary="Cancel inside the window; `billing_only` stops our billing and leaves the provider alone",
)
@idempotent(OrderOut, 201)
def cancel(request: HttpRequest, subscription_id: int, body: CancelIn) -> Any:
    return _change(request, subscription_id, "billing_only_cancel" if body.billing_only else "cancel", {})


@router.post("/{subscription_id}/auto-renew", response={201: OrderOut}, summary="Turn auto-renew on or off")
@idempotent(OrderOut, 201)
def auto_renew(request: HttpRequest, subscription_id: int, body: AutoRenewIn) -> Any:
    return _change(request, subscription_id, "auto_renew", {"auto_renew": body.auto_renew})


@router.post("/{subscription_id}/friendly-name", response={201: OrderOut}, summary="Rename")
@idempotent(OrderOut, 201)
def friendly_name(request: HttpRequest, subscription_id: int, body: FriendlyNameIn) -> Any:
    return _change(request, subscription_id, "friendly_name", {"friendly_name": body.friendly_name})


class PreviewIn(Schema):
    kind: Literal["change_quantity", "cancel", "billing_only_cancel", "suspend", "reactivate"] = (
        "change_quantity"
    )
    quantity: int | None = None


class PreviewOut(Schema):
    kind: str
    quantity_before: int
    quantity_after: int
    currency: str
    unit_price: Decimal | None
    monthly_before: Decimal | None
    monthly_after: Decimal | None
    monthly_difference: Decimal | None
    next_bill_charge: Decimal | None
    next_bill_lines: list[str]
    clears_scheduled_change: bool
    needs_approval: bool
    notes: list[str]
    price_error: str


class PreviewStaffOut(PreviewOut):
    staff: dict[str, Decimal | None]


PREVIEW_FIELDS = (
    "kind",
    "quantity_before",
    "quantity_after",
    "currency",
    "next_bill_lines",
    "clears_scheduled_change",
    "needs_approval",
    "notes",
    "price_error",
)


def _amount(value: Any) -> Decimal | None:
    return None if value is None else value.amount


@router.post(
    "/{subscription_id}/preview",
    response=PreviewStaffOut | PreviewOut,
    summary="What a change would cost and do, checked against the rules, without provisioning (X6)",
)
def preview(request: HttpRequest, subscription_id: int, body: PreviewIn) -> dict[str, Any]:
    who = actor(request)
    subscription = selectors.subscription_for(who, subscription_id)
    result: ChangePreview = ordering.preview_change(
        actor=who, subscription_id=subscription.pk, kind=body.kind, payload={"quantity": body.quantity}
    )
    data: dict[str, Any] = {name: getattr(result, name) for name in PREVIEW_FIELDS}
    for name in ("unit_price", "monthly_before", "monthly_after", "monthly_difference", "next_bill_charge"):
        data[name] = _amount(getattr(result, name))
    if may(who, Action.VIEW_COST, subscription.tenant.customer):
        data["staff"] = {
            "cost_monthly_after": _amount(result.cost_monthly_after),
            "margin_monthly_after": _amount(result.margin_monthly_after),
        }
    return data


class SalePriceIn(Schema):
    unit_price: Decimal
    effective_from: date


@router.put(
    "/{subscription_id}/sale-price",
    response=SalePriceOut,
    summary="Set the subscription's own sale price from a day on (C4, staff only)",
)
def set_sale_price(request: HttpRequest, subscription_id: int, body: SalePriceIn) -> dict[str, Any]:
    who = actor(request)
    selectors.subscription_for(who, subscription_id)
    row = services.set_sale_price(
        actor=who,
        subscription_id=subscription_id,
        unit_price=body.unit_price,
        effective_from=body.effective_from,
        channel=Channel.API,
    )
    return _sale_price(sale_price_row(row))
