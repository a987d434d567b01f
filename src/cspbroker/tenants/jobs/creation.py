"""A new tenant in the worker (T2): create it at Partner Center, activate it, read its directory.

The worker calls `POST /v1/customers` with the request id written at request time, so a retry
after a crash, a timeout, a 429 or a 5xx gets Partner Center's first answer back instead of a
second customer. A final refusal fails the tenant with the provider's code and message
(`attempts`). The administrator's initial password leaves only in the credentials email.
"""

from __future__ import annotations

import uuid

from django.db import transaction

from cspbroker.clock import platform_clock
from cspbroker.domain.clock import Clock
from cspbroker.providers.errors import ProviderError, ProviderRejected, ProviderUnavailable
from cspbroker.providers.partnercenter.customers import Address, Customer, NewCustomer
from cspbroker.tenants import attempts, common, directory, emails
from cspbroker.tenants.jobs import users
from cspbroker.tenants.models import Tenant, TenantStatus


def new_customer(tenant: Tenant) -> NewCustomer:
    request = tenant.creation_request
    address = Address(
        first_name=request["first_name"],
        last_name=request["last_name"],
        address_line1=request["address_line1"],
        address_line2=request.get("address_line2") or None,
        city=request["city"],
        state=request.get("state", ""),
        postal_code=request.get("postal_code", ""),
        country=request["country"],
        phone_number=request.get("phone_number") or None,
    )
    return NewCustomer(
        domain=tenant.domain,
        company_name=request["company_name"],
        email=request["email"],
        address=address,
        organization_registration_number=request.get("organization_registration_number") or None,
    )


def provision(tenant_id: int, *, clock: Clock = platform_clock) -> common.Outcome:
    """Create the tenant at Partner Center (worker). Outcome: done, failed, or retry in N seconds."""
    tenant = attempts.claim(tenant_id, linked=False, now=clock.now())
    if tenant is None:
        return {"ok": True, "skipped": True}
    request_id = tenant.request_id or uuid.uuid4()
    try:
        with common.provider(tenant.connection) as client:
            customer = client.create_customer(new_customer(tenant), request_id=str(request_id))
    except ProviderUnavailable as error:
        return attempts.unavailable(tenant, request_id, error)
    except ProviderRejected as error:
        code = error.code or str(error.status or "")
        attempts.fail(tenant.pk, request_id, code, common.provider_text(error))
        return {"ok": False, "code": error.code, "message": common.provider_text(error)}
    if not _activate(tenant.pk, request_id, customer):
        return {"ok": True, "skipped": True}
    # A new tenant holds no subscriptions yet: its users and licences (the administrator's user id)
    # are all there is to read. Partner Center may need a moment; the task then reads again later.
    read = read_directory(tenant.pk, clock=clock)
    return {
        "ok": True,
        "tenant_id": tenant.pk,
        "provider_tenant_id": customer.id,
        "directory_read": bool(read.get("ok")),
    }


def read_directory(tenant_id: int, *, clock: Clock = platform_clock) -> common.Outcome:
    """Read the tenant's users and licences from the provider and mirror them (worker)."""
    tenant = Tenant.objects.select_related("connection").get(pk=tenant_id)
    if tenant.status != TenantStatus.ACTIVE or not tenant.provider_tenant_id:
        return {"ok": False, "code": "tenant_not_ready", "message": "The tenant is not active."}
    try:
        with common.provider(tenant.connection) as client:
            users = directory.read(client, tenant.provider_tenant_id)
    except ProviderError as error:
        return directory.record_failure(tenant.pk, error)
    with transaction.atomic():
        locked = Tenant.objects.select_for_update().get(pk=tenant_id)
        return {"ok": True, **directory.write(locked, users, clock.now())}


def _activate(tenant_id: int, request_id: uuid.UUID, customer: Customer) -> bool:
    with transaction.atomic():
        tenant = Tenant.objects.select_for_update().select_related("customer").get(pk=tenant_id)
        if tenant.status != TenantStatus.CREATING or tenant.request_id != request_id:
            return False
        tenant.provider_tenant_id = customer.id
        tenant.domain = customer.domain or tenant.domain
        tenant.status = TenantStatus.ACTIVE
        tenant.failure_code = tenant.failure_message = ""
        tenant.save()
        request = tenant.creation_request
        credentials = customer.user_credentials
        if credentials is not None:
            user_name = credentials.user_name
            upn = user_name if "@" in user_name else f"{user_name}@{tenant.domain}"
            users.record_admin(tenant, upn, request.get("first_name", ""), request.get("last_name", ""))
            emails.tenant_admin_credentials(tenant, upn, credentials.password)
    common.log.info("tenant %s created at the provider as %s", tenant_id, customer.id)
    return True
