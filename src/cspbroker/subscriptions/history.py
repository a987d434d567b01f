"""Appending to a subscription's ledgers and its readable history — the only writers of those tables."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from cspbroker.subscriptions.models import (
    Channel,
    QuantityChange,
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


PROVIDER_ACTOR = ("provider", "Partner Center")
__all__ = ["PROVIDER_ACTOR", "Channel", "record_event", "record_quantity", "record_status"]
