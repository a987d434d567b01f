"""Linking an existing tenant in the worker (T3): find the customer, activate the tenant, sync it.

The customer must already be in the partner's Partner Center account (it accepted the reseller
relationship); it is found by id, or by one of its domains.
"""

from __future__ import annotations

import json
import uuid

from django.db import IntegrityError, transaction

from cspbroker.clock import platform_clock
from cspbroker.domain.clock import Clock
from cspbroker.providers.errors import NotFound, ProviderRejected, ProviderUnavailable
from cspbroker.providers.partnercenter.customers import Customer
from cspbroker.providers.ports import TenantsPort
from cspbroker.sync.jobs import directory
from cspbroker.tenants import attempts, common
from cspbroker.tenants.models import Tenant, TenantStatus
from cspbroker.tenants.references import is_tenant_id


def perform_link(tenant_id: int, *, clock: Clock = platform_clock) -> common.Outcome:
    """Find the customer at the provider, activate the tenant, import what it holds."""
    tenant = attempts.claim(tenant_id, linked=True, now=clock.now())
    if tenant is None:
        return {"ok": True, "skipped": True}
    reference = str(tenant.creation_request.get("reference") or tenant.domain)
    request_id = tenant.request_id or uuid.uuid4()
    try:
        with common.provider(tenant.connection) as client:
            customer = _find(client, reference)
    except ProviderUnavailable as error:
        return attempts.unavailable(tenant, request_id, error)
    except ProviderRejected as error:
        attempts.fail(tenant.pk, request_id, error.code, common.provider_text(error))
        return {"ok": False, "code": error.code, "message": common.provider_text(error)}
    if customer is None:
        message = (
            f"No customer {reference} is in this Partner Center account. The customer must first accept "
            "the reseller relationship request; then link it again."
        )
        attempts.fail(tenant.pk, request_id, "not_found", message)
        return {"ok": False, "code": "not_found", "message": message}
    if not _activate(tenant.pk, request_id, customer):
        return {"ok": True, "skipped": True}
    return directory.sync(tenant.pk, clock=clock)


def _find(client: TenantsPort, reference: str) -> Customer | None:
    if is_tenant_id(reference):
        try:
            return client.get_customer(reference)
        except NotFound:
            return None
    search = json.dumps({"Field": "Domain", "Value": reference, "Operator": "starts_with"})
    for customer in client.list_customers(filter=search):
        domains = {customer.domain.lower(), *(domain.lower() for domain in customer.custom_domains)}
        if reference in domains:
            return customer
    return None


def _activate(tenant_id: int, request_id: uuid.UUID, customer: Customer) -> bool:
    try:
        with transaction.atomic():
            tenant = Tenant.objects.select_for_update().get(pk=tenant_id)
            if tenant.status != TenantStatus.CREATING or tenant.request_id != request_id:
                return False
            tenant.provider_tenant_id = customer.id
            tenant.domain = customer.domain or tenant.domain
            tenant.status = TenantStatus.ACTIVE
            tenant.failure_code = tenant.failure_message = ""
            tenant.save()
    except IntegrityError:
        message = f"The tenant {customer.domain} is already linked to another customer here."
        attempts.fail(tenant_id, request_id, "already_linked", message)
        return False
    return True


def stuck_links(*, clock: Clock = platform_clock) -> list[int]:
    """Links still under way long after their last attempt: a worker died; run them again."""
    return attempts.stuck_tenants(linked=True, now=clock.now())
