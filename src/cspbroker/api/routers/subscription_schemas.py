"""The subscription API's response shapes, and the one translation from a list row into them.

Staff shapes add a `staff` object (cost and margin); a customer's response is built without it.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ninja import Schema

from cspbroker.subscriptions import selectors


class LotOut(Schema):
    quantity: int
    allowed_until: datetime
    seconds_left: int


class WindowOut(Schema):
    text: str
    can_cancel: bool
    cancellation_allowed_until: datetime | None
    cancel_seconds_left: int | None
    refundable_quantity: int
    lots: list[LotOut]


class PriceOut(Schema):
    currency: str
    unit_price: Decimal | None
    monthly: Decimal | None
    source: str
    error: str


class StaffFiguresOut(Schema):
    """Cost and margin per unit and billing period: staff only."""

    cost: Decimal | None
    margin: Decimal | None
    margin_percent: Decimal | None
    price_source: str


class SubscriptionOut(Schema):
    id: int
    customer_id: int
    customer_name: str
    tenant_id: int
    tenant_domain: str
    offer_id: str
    product: str
    friendly_name: str
    quantity: int
    assigned: int | None
    status: str
    term: str
    billing_cycle: str
    auto_renew: bool
    start_date: date | None
    renewal_date: date
    provider_subscription_id: str
    parent_id: int | None
    billing_cancelled_on: date | None
    sale_price: PriceOut
    window: WindowOut


class SubscriptionStaffOut(SubscriptionOut):
    staff: StaffFiguresOut


class ActionOut(Schema):
    key: str
    label: str
    allowed: bool
    reason: str
    code: str


class EventOut(Schema):
    at: datetime
    who: str
    actor_ref: str
    channel: str
    kind: str
    text: str
    old: Any
    new: Any
    order_id: int | None
    message: str


class SalePriceOut(Schema):
    effective_from: date
    unit_price: str  # "10.5": as set, without the column's trailing zeros
    currency: str
    set_by: str
    recorded_at: datetime


class SubscriptionDetailOut(SubscriptionOut):
    actions: list[ActionOut]
    history: list[EventOut]
    addon_ids: list[int]


class SubscriptionDetailStaffOut(SubscriptionDetailOut):
    staff: StaffFiguresOut
    sale_prices: list[SalePriceOut]


def seconds(value: Any) -> int:
    return int(value.total_seconds())


def row_out(row: selectors.SubscriptionRow, show_cost: bool) -> dict[str, Any]:
    sub, price, window = row.subscription, row.price, row.window
    data: dict[str, Any] = {
        "id": sub.pk,
        "customer_id": sub.tenant.customer_id,
        "customer_name": sub.tenant.customer.legal_name,
        "tenant_id": sub.tenant_id,
        "tenant_domain": sub.tenant.domain,
        "offer_id": row.offer_id,
        "product": row.product,
        "friendly_name": sub.friendly_name,
        "quantity": sub.quantity,
        "assigned": row.assigned,
        "status": sub.status,
        "term": sub.term,
        "billing_cycle": sub.billing_cycle,
        "auto_renew": sub.auto_renew,
        "start_date": sub.start_date,
        "renewal_date": row.renewal,
        "provider_subscription_id": sub.provider_subscription_id,
        "parent_id": sub.parent_id,
        "billing_cancelled_on": sub.billing_cancelled_on,
        "sale_price": {
            "currency": sub.tenant.customer.currency,
            "unit_price": price.unit_price and price.unit_price.amount,
            "monthly": price.monthly and price.monthly.amount,
            "source": "" if show_cost else price.source,
            "error": price.error,
        },
        "window": {
            "text": window.text,
            "can_cancel": window.can_cancel,
            "cancellation_allowed_until": window.cancellation_allowed_until,
            "cancel_seconds_left": None
            if window.cancel_time_left is None
            else seconds(window.cancel_time_left),
            "refundable_quantity": window.refundable_quantity,
            "lots": [
                {
                    "quantity": lot.quantity,
                    "allowed_until": lot.allowed_until,
                    "seconds_left": seconds(lot.time_left),
                }
                for lot in window.lots
            ],
        },
    }
    if show_cost:
        data["staff"] = {
            "cost": price.cost and price.cost.amount,
            "margin": price.margin and price.margin.amount,
            "margin_percent": price.margin_percent,
            "price_source": price.source,
        }
    return data
