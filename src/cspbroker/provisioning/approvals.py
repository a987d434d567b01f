"""S4: when a customer's order waits for staff, and who hears about it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings

from cspbroker.connections.models import Connection, ProviderKind
from cspbroker.domain.commerce import (
    DISTRIBUTOR_CAPABILITIES,
    PARTNER_CENTER_CAPABILITIES,
    ProviderCapabilities,
)
from cspbroker.notifications.services import queue_email
from cspbroker.provisioning.models import ApprovalPolicy, Order, OrderKind
from cspbroker.provisioning.notices import staff_emails


def capabilities_for(connection: Connection) -> ProviderCapabilities:
    if connection.kind == ProviderKind.DISTRIBUTOR:
        return DISTRIBUTOR_CAPABILITIES
    return PARTNER_CENTER_CAPABILITIES


def policy_for(order: Order) -> ApprovalPolicy | None:
    """The customer's own policy, else its reseller's default (the nearest ancestor that has one)."""
    ancestry = list(reversed(order.customer.ancestry))
    policies = {p.organization_id: p for p in ApprovalPolicy.objects.filter(organization_id__in=ancestry)}
    return next((policies[org] for org in ancestry if org in policies), None)


def requires_approval(order: Order, amount: Any = None) -> bool:
    policy = policy_for(order)
    if policy is None or not policy.is_enabled:
        return False
    if policy.amount_above is not None and amount is not None and Decimal(str(amount)) > policy.amount_above:
        return True
    if order.kind == OrderKind.NEW:
        return policy.new_subscriptions
    if order.kind == OrderKind.ADD_ON:
        return policy.add_ons
    if order.kind == OrderKind.CHANGE_QUANTITY:
        return policy.quantity_increases and order.payload["quantity"] > order.payload.get("old", 0)
    return False


def _context(order: Order) -> dict[str, Any]:
    subject = order.offer or order.subscription
    quantity = order.payload.get("quantity")
    summary = f"{order.get_kind_display()}: {subject}" + (f" × {quantity}" if quantity else "")
    return {
        "customer_name": order.customer.legal_name,
        "order_summary": summary,
        "order_url": f"{settings.CSPB_BASE_URL}/backoffice/orders/{order.pk}/",
        "requested_by": order.requested_by_label,
        "decision": order.get_state_display(),
        "decided_by": order.decided_by_label,
        "reason": order.decision_reason,
    }


def notify_requested(order: Order) -> None:
    recipients = staff_emails(order)
    if recipients:
        queue_email(
            template_key="approval_requested",
            to=recipients,
            context=_context(order),
            idempotency_key=f"approval-requested:{order.pk}",
            organization_id=order.customer_id,
        )


def notify_decided(order: Order) -> None:
    recipients = sorted({order.requested_by_label, *staff_emails(order)} - {""})
    queue_email(
        template_key="approval_decided",
        to=[r for r in recipients if "@" in r],
        context=_context(order),
        idempotency_key=f"approval-decided:{order.pk}",
        organization_id=order.customer_id,
    )
