"""Appending to a subscription's ledgers and its readable history — the only writers of those tables."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from cspbroker.subscriptions.models import (
    Channel,
    QuantityChange,
    SalePrice,
    StatusChange,
    Subscription,
    SubscriptionEvent,
)


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
    return SubscriptionEvent.objects.create(
        subscription=subscription,
        at=at,
        actor_ref=actor_ref,
        actor_label=actor_label,
        channel=channel,
        kind=kind,
        old_value=old,
        new_value=new,
        order_id=order_id,
        message=message[:500],
    )


def record_quantity(
    subscription: Subscription,
    *,
    quantity: int,
    effective_at: datetime,
    channel: str,
    refundable: bool = True,
    order_id: int | None = None,
) -> QuantityChange:
    return QuantityChange.objects.create(
        subscription=subscription,
        quantity=quantity,
        effective_at=effective_at,
        channel=channel,
        refundable=refundable,
        order_id=order_id,
    )


def record_status(
    subscription: Subscription,
    *,
    status: str,
    effective_at: datetime,
    channel: str,
    refundable: bool = False,
    order_id: int | None = None,
) -> StatusChange:
    return StatusChange.objects.create(
        subscription=subscription,
        status=status,
        effective_at=effective_at,
        channel=channel,
        refundable=refundable,
        order_id=order_id,
    )


def record_sale_price(
    subscription: Subscription, *, effective_from: date, unit_price: Decimal, currency: str, set_by: str
) -> tuple[SalePrice, Decimal | None]:
    """C4: the subscription's own price from `effective_from` on; a second price for the same day
    replaces the first (the event history keeps both). Returns the row and the price it replaced."""
    existing = SalePrice.objects.filter(subscription=subscription, effective_from=effective_from).first()
    if existing is None:
        row = SalePrice.objects.create(
            subscription=subscription,
            effective_from=effective_from,
            unit_price=unit_price,
            currency=currency,
            set_by=set_by,
        )
        return row, None
    replaced = existing.unit_price
    existing.unit_price, existing.currency, existing.set_by = unit_price, currency, set_by
    existing.save(update_fields=["unit_price", "currency", "set_by"])
    return existing, replaced


PROVIDER_ACTOR = ("provider", "Partner Center")
__all__ = [
    "PROVIDER_ACTOR",
    "Channel",
    "record_event",
    "record_quantity",
    "record_sale_price",
    "record_status",
]
