"""Schemas shared by several routers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Schema

from cspbroker.provisioning.models import Order


class OrganizationRef(Schema):
    id: int
    kind: str
    legal_name: str


class MembershipOut(Schema):
    organization: OrganizationRef
    role: str
    is_staff: bool


class MeOut(Schema):
    id: int
    email: str
    full_name: str
    via: str
    is_staff: bool
    memberships: list[MembershipOut]


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenCreatedOut(TokenOut):
    token: str


class TokenIn(Schema):
    name: str


class OrganizationOut(Schema):
    id: int
    kind: str
    parent_id: int | None
    legal_name: str
    contact_name: str
    contact_email: str
    contact_phone: str
    address_line1: str
    address_line2: str
    city: str
    state: str
    postal_code: str
    country: str
    tax_id: str
    currency: str
    time_zone: str
    billing_day: int


class OrganizationIn(Schema):
    kind: str
    parent_id: int
    legal_name: str
    contact_name: str = ""
    contact_email: str = ""
    contact_phone: str = ""
    address_line1: str = ""
    address_line2: str = ""
    city: str = ""
    state: str = ""
    postal_code: str = ""
    country: str
    tax_id: str = ""
    currency: str
    time_zone: str = "UTC"
    billing_day: int = 1


class OrganizationPatch(Schema):
    legal_name: str | None = None
    contact_name: str | None = None
    contact_email: str | None = None
    contact_phone: str | None = None
    address_line1: str | None = None
    address_line2: str | None = None
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    country: str | None = None
    tax_id: str | None = None
    currency: str | None = None
    time_zone: str | None = None
    billing_day: int | None = None


QUOTE_FIELDS = ("currency", "unit_price", "quantity", "total", "monthly", "monthly_before", "monthly_after")


class OrderOut(Schema):
    id: int
    kind: str
    state: str
    customer_id: int
    customer_name: str
    tenant_id: int
    subscription_id: int | None
    offer_id: str | None
    product: str
    payload: dict[str, Any]
    quote: dict[str, Any] | None
    requested_by: str
    channel: str
    created_at: datetime
    decided_by: str
    decided_at: datetime | None
    decision_reason: str
    failure_code: str
    failure_message: str
    completed_at: datetime | None


def _product(order: Order) -> str:
    if order.offer is not None:
        return order.offer.availability.sku.title
    if order.subscription is not None:
        return order.subscription.friendly_name or order.subscription.offer.availability.sku.title
    return ""


def order_out(order: Order) -> dict[str, Any]:
    quote = order.quote
    return {
        "id": order.pk,
        "kind": order.kind,
        "state": order.state,
        "customer_id": order.customer_id,
        "customer_name": order.customer.legal_name,
        "tenant_id": order.tenant_id,
        "subscription_id": order.subscription_id,
        "offer_id": order.offer.availability.catalog_item_id if order.offer else None,
        "product": _product(order),
        "payload": order.payload,
        # Quotes keep sale-side figures only; the filter is a second lock on that door.
        "quote": None if quote is None else {k: v for k, v in quote.items() if k in QUOTE_FIELDS},
        "requested_by": order.requested_by_label,
        "channel": order.channel,
        "created_at": order.created_at,
        "decided_by": order.decided_by_label,
        "decided_at": order.decided_at,
        "decision_reason": order.decision_reason,
        "failure_code": order.failure_code,
        "failure_message": order.failure_message,
        "completed_at": order.completed_at,
    }
