"""S4: when a customer's order waits for staff, and who hears about it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction

from cspbroker.accounts.access import Actor, may
from cspbroker.accounts.models import Organization
from cspbroker.accounts.services import InvalidInput, PermissionDenied
from cspbroker.domain.parties import Action, OrganizationKind
from cspbroker.notifications.services import queue_email
from cspbroker.provisioning.models import ApprovalPolicy, Order, OrderKind
from cspbroker.provisioning.notices import staff_emails


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


def _context(order: Order, area: str = "backoffice") -> dict[str, Any]:
    subject = order.offer or order.subscription
    quantity = order.payload.get("quantity")
    summary = f"{order.get_kind_display()}: {subject}" + (f" × {quantity}" if quantity else "")
    return {
        "customer_name": order.customer.legal_name,
        "order_summary": summary,
        "order_url": f"{settings.CSPB_BASE_URL}/{area}/orders/{order.pk}/",
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
        # Only customers' orders wait for approval: the link is to the customer's own order page.
        context=_context(order, "store"),
        idempotency_key=f"approval-decided:{order.pk}",
        organization_id=order.customer_id,
    )


def _editable(actor: Actor, organization_id: int) -> Organization:
    organization = Organization.objects.get(pk=organization_id)
    is_customer = organization.kind == OrganizationKind.CUSTOMER.value
    if organization.kind == OrganizationKind.OPERATOR.value or not actor.is_staff:
        raise PermissionDenied("Approval settings belong to a reseller (its default) or a customer.")
    if not may(actor, Action.CHANGE if is_customer else Action.ADMINISTER, organization):
        raise PermissionDenied("You may not change the approval settings of this organisation.")
    return organization


@transaction.atomic
def save_policy(
    *,
    actor: Actor,
    organization_id: int,
    is_enabled: bool,
    new_subscriptions: bool = True,
    quantity_increases: bool = True,
    add_ons: bool = True,
    upgrades: bool = True,
    amount_above: Decimal | None = None,
) -> ApprovalPolicy:
    """S4: a customer's own approval settings, or a reseller's default for its customers (staff only)."""
    organization = _editable(actor, organization_id)
    if amount_above is not None and amount_above < 0:
        raise InvalidInput("The amount is zero or more.", field="amount_above")
    policy, _ = ApprovalPolicy.objects.update_or_create(
        organization=organization,
        defaults={
            "is_enabled": is_enabled,
            "new_subscriptions": new_subscriptions,
            "quantity_increases": quantity_increases,
            "add_ons": add_ons,
            "upgrades": upgrades,
            "amount_above": amount_above,
        },
    )
    return policy


@transaction.atomic
def inherit_policy(*, actor: Actor, organization_id: int) -> None:
    """Drop a customer's own settings: its reseller's default applies again."""
    organization = _editable(actor, organization_id)
    ApprovalPolicy.objects.filter(organization=organization).delete()
