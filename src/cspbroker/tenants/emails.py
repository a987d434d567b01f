"""The credentials emails of tenants and users (N1). Passwords go into the outbox only (encrypted there).

Each email has an idempotency key, so a worker that runs twice queues it once.
"""

from __future__ import annotations

from typing import Any

from cspbroker.notifications.services import queue_email
from cspbroker.tenants.models import Tenant, UserImport

ADMIN_PORTAL_URL = "https://admin.microsoft.com"
USER_PORTAL_URL = "https://www.office.com"
IMPORT_TEMPLATE_KEY = "user_import_credentials"


def _sender(tenant: Tenant) -> str:
    parent = tenant.customer.parent
    return parent.legal_name if parent is not None else ""


def tenant_admin_credentials(tenant: Tenant, user_name: str, password: str) -> None:
    request = tenant.creation_request
    contact = " ".join(part for part in (request.get("first_name"), request.get("last_name")) if part)
    queue_email(
        template_key="tenant_admin_credentials",
        to=[request.get("email") or tenant.customer.contact_email],
        context={
            "contact_name": contact or tenant.customer.contact_name,
            "customer_name": tenant.customer.legal_name,
            "tenant_domain": tenant.domain,
            "user_name": user_name,
            "password": password,
            "portal_url": ADMIN_PORTAL_URL,
            "sender_name": _sender(tenant),
        },
        idempotency_key=f"tenant-admin:{tenant.pk}",
        organization_id=tenant.customer_id,
    )


def user_credentials(
    tenant: Tenant, *, to: str, user_name: str, display_name: str, password: str, is_reset: bool, key: str
) -> None:
    queue_email(
        template_key="user_credentials",
        to=[to],
        context={
            "display_name": display_name,
            "user_name": user_name,
            "password": password,
            "is_reset": is_reset,
            "tenant_domain": tenant.domain,
            "portal_url": USER_PORTAL_URL,
            "sender_name": _sender(tenant),
        },
        idempotency_key=key,
        organization_id=tenant.customer_id,
    )


def import_credentials(user_import: UserImport, credentials: list[dict[str, Any]]) -> None:
    """One email to the address given at import, listing every created account and its password."""
    tenant = user_import.tenant
    queue_email(
        template_key=IMPORT_TEMPLATE_KEY,
        to=[user_import.notify_email],
        context={
            "users": credentials,
            "tenant_domain": tenant.domain,
            "customer_name": tenant.customer.legal_name,
            "portal_url": USER_PORTAL_URL,
            "sender_name": _sender(tenant),
        },
        idempotency_key=f"user-import:{user_import.pk}",
        organization_id=tenant.customer_id,
    )
