"""The worker's attempts at a tenant being created (T2) or linked (T3): claim, give up, or try later.

Both flows share the rules: each attempt is claimed under a row lock and counted; a provider that
cannot be reached is asked again with backoff (never sooner than its Retry-After) until
`MAX_ATTEMPTS`; a final answer fails the tenant with the provider's code and message, unless the
request was corrected and resent meanwhile. A retry reopens a failed tenant under a new request id
only when the request changed, so an unchanged retry gets the provider's first answer back.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q

from cspbroker.accounts.access import Actor
from cspbroker.domain.parties import Action
from cspbroker.providers.errors import ProviderUnavailable
from cspbroker.tenants import common
from cspbroker.tenants.models import Tenant, TenantStatus

MAX_ATTEMPTS = 8  # worker attempts (each with the client's own retries) before the tenant is failed
MAX_RETRY_DELAY = 600.0
STUCK_AFTER = timedelta(minutes=15)


def claim(tenant_id: int, *, linked: bool, now: datetime) -> Tenant | None:
    """The tenant, if it is still being created (or linked) this way; its attempt is counted."""
    with transaction.atomic():
        tenant = Tenant.objects.select_for_update().select_related("connection").filter(pk=tenant_id).first()
        if tenant is None or tenant.status != TenantStatus.CREATING or tenant.is_linked != linked:
            return None
        tenant.attempts += 1
        tenant.last_attempt_at = now
        tenant.save(update_fields=["attempts", "last_attempt_at"])
        return tenant


def retry_delay(attempts: int, retry_after: float | None) -> float:
    """Exponential backoff from 30 s, at most ten minutes, never sooner than the provider asked."""
    delay: float = min(MAX_RETRY_DELAY, 30.0 * 2.0 ** max(attempts - 1, 0))
    return max(delay, float(retry_after or 0.0))


def unavailable(tenant: Tenant, request_id: uuid.UUID, error: ProviderUnavailable) -> common.Outcome:
    """Try again later, or fail the tenant once it has had its attempts."""
    message = common.provider_text(error)
    if tenant.attempts >= MAX_ATTEMPTS:
        fail(tenant.pk, request_id, "unavailable", f"Partner Center could not be reached: {message}")
        return {"ok": False, "code": "unavailable", "message": message}
    delay = retry_delay(tenant.attempts, error.retry_after)
    common.log.warning("tenant %s: provider unavailable (%s), retrying in %.0f s", tenant.pk, message, delay)
    return {"ok": False, "retry_in": delay, "message": message}


def fail(tenant_id: int, request_id: uuid.UUID, code: str, message: str) -> None:
    with transaction.atomic():
        tenant = Tenant.objects.select_for_update().get(pk=tenant_id)
        if tenant.status != TenantStatus.CREATING or tenant.request_id != request_id:
            return  # corrected and resent meanwhile: this answer is for an older request
        tenant.status = TenantStatus.FAILED
        tenant.failure_code = (code or "rejected")[:40]
        tenant.failure_message = message[:1000]
        tenant.save(update_fields=["status", "failure_code", "failure_message"])
    common.log.warning("tenant %s failed at the provider: code %s", tenant_id, code)


def stuck_tenants(*, linked: bool, now: datetime, older_than: timedelta = STUCK_AFTER) -> list[int]:
    """Tenants still being created (or linked) long after their last attempt: a worker died."""
    cutoff = now - older_than
    waiting = Tenant.objects.filter(status=TenantStatus.CREATING, is_linked=linked).filter(
        Q(last_attempt_at__lt=cutoff) | Q(last_attempt_at__isnull=True, created_at__lt=cutoff)
    )
    return list(waiting.values_list("pk", flat=True))


def failed_tenant(actor: Actor, tenant_id: int) -> Tenant:
    """The failed tenant to try again, locked (inside the caller's transaction)."""
    tenant = Tenant.objects.select_for_update().select_related("customer", "connection").get(pk=tenant_id)
    common.require(actor, Action.CHANGE, tenant.customer, "retry a tenant")
    if tenant.status != TenantStatus.FAILED:
        raise common.TenantNotReady(
            f"Only a failed tenant can be retried; {tenant.domain} is {tenant.get_status_display().lower()}.",
            field="tenant",
        )
    return tenant


def reopen(tenant: Tenant, *, changed: bool) -> None:
    """Back to creating; a changed request is a new request, with a new request id."""
    if changed:
        tenant.request_id = uuid.uuid4()
    tenant.status = TenantStatus.CREATING
    tenant.failure_code = tenant.failure_message = ""
    tenant.attempts = 0
    tenant.save()
