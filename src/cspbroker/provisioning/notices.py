"""Emails about orders: failures to staff (N1)."""

from __future__ import annotations

from django.conf import settings

from cspbroker.accounts.models import Membership
from cspbroker.domain.parties import Role
from cspbroker.notifications.services import queue_email
from cspbroker.provisioning.models import Order


def staff_emails(order: Order) -> list[str]:
    """The admins and staff of the organisations above the customer (its reseller, the operator)."""
    ancestry = order.customer.ancestry[:-1]
    roles = [Role.OPERATOR_ADMIN, Role.RESELLER_ADMIN, Role.RESELLER_STAFF]
    emails = Membership.objects.filter(organization_id__in=ancestry, role__in=roles).values_list(
        "user__email", flat=True
    )
    return sorted(set(emails))


def order_failed(order: Order) -> None:
    recipients = staff_emails(order)
    if not recipients:
        return
    queue_email(
        template_key="provisioning_failed",
        to=recipients,
        context={
            "customer_name": order.customer.legal_name,
            "operation": f"order {order.pk}: {order.get_kind_display()}",
            "provider": order.tenant.connection.get_kind_display(),
            "provider_code": order.failure_code,
            "provider_message": order.failure_message,
            "occurred_at": order.created_at.strftime("%Y-%m-%d %H:%M UTC"),
            "operation_url": f"{settings.CSPB_BASE_URL}/backoffice/orders/{order.pk}/",
        },
        idempotency_key=f"order-failed:{order.pk}",
        organization_id=order.customer_id,
    )
