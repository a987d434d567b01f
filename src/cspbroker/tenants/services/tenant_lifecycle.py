"""A new tenant (T2): check the name, write the request, create it at Partner Center from the worker.

The request side only validates and writes: the Tenant row (status creating, a fresh request id)
and, after commit, the task. The worker calls `POST /v1/customers` with that request id, so a retry
after a crash, a timeout, a 429 or a 5xx gets Partner Center's first answer back instead of a second
customer. A final refusal marks the tenant failed with the provider's code and message; the retry
action sends the same request again (same id) or a corrected one (new id). The administrator's
initial password leaves only in the credentials email, which the outbox keeps encrypted.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from cspbroker.accounts.access import Actor
from cspbroker.accounts.models import Organization
from cspbroker.domain.errors import DomainError
from cspbroker.domain.parties import Action
from cspbroker.domain.tenants import (
    ADDRESS_FIELD_LABELS,
    PHONE_REQUIRED_COUNTRIES,
    TENANT_DOMAIN_SUFFIX,
    require_complete_address,
    split_contact_name,
    tenant_domain,
)
from cspbroker.providers.errors import ProviderError, ProviderRejected, ProviderUnavailable
from cspbroker.providers.partnercenter.customers import Address, Customer, NewCustomer
from cspbroker.tenants import attempts, directory
from cspbroker.tenants.models import Tenant, TenantStatus
from cspbroker.tenants.services import common, emails

# The fields a person may correct on the form; the keys are the domain's address keys.
REQUEST_FIELDS = (*ADDRESS_FIELD_LABELS, "address_line2", "organization_registration_number")


@dataclass(frozen=True)
class DomainCheck:
    name: str
    domain: str
    available: bool | None  # None: the provider could not answer
    message: str


def request_from_organization(customer: Organization) -> dict[str, str]:
    """What the customer's record says, as a creation request (the form's initial values)."""
    first_name, last_name = split_contact_name(customer.contact_name)
    return {
        "company_name": customer.legal_name,
        "first_name": first_name,
        "last_name": last_name,
        "email": customer.contact_email,
        "address_line1": customer.address_line1,
        "address_line2": customer.address_line2,
        "city": customer.city,
        "state": customer.state,
        "postal_code": customer.postal_code,
        "country": customer.country,
        "phone_number": customer.contact_phone,
        "organization_registration_number": "",
    }


def _clean_request(base: dict[str, str], corrections: dict[str, Any] | None) -> dict[str, str]:
    request = dict(base)
    for key, value in (corrections or {}).items():
        if key in REQUEST_FIELDS and value is not None:
            request[key] = str(value).strip()
    country = require_complete_address(request, request.get("country") or "")
    request["country"] = country
    if country in {"US", "CA", "AU", "BR", "MX", "IN"}:
        request["state"] = request["state"].strip().upper()
    # Partner Center asks customers in these countries for a registration number (errors 600049/600050).
    if country in PHONE_REQUIRED_COUNTRIES and not request.get("organization_registration_number"):
        raise DomainError(
            f"Microsoft needs the organisation registration number of customers in {country}.",
            field="organization_registration_number",
            code="registration_number_required",
        )
    return request


def check_domain(
    *, actor: Actor, customer: Organization, name: str, connection_id: int | None = None
) -> DomainCheck:
    """Is `<name>.onmicrosoft.com` free? Asked live (`HEAD /v1/domains/…`) while the person types."""
    common.require_customer(customer)
    domain = tenant_domain(name)
    connection = common.connection_for_customer(customer, connection_id)
    prefix = domain.removesuffix(TENANT_DOMAIN_SUFFIX)
    try:
        with common.provider(connection, interactive=True) as client:
            available = client.is_domain_available(domain)
    except ProviderError as error:
        return DomainCheck(
            prefix,
            domain,
            None,
            f"Partner Center could not check {domain} just now: {common.provider_text(error)}",
        )
    if available:
        return DomainCheck(prefix, domain, True, f"{domain} is available.")
    return DomainCheck(
        prefix,
        domain,
        False,
        f"{domain} is taken: a Microsoft tenant already has it. If it is this customer's, choose "
        "“tenant already exists” to link it.",
    )


def create_tenant(
    *,
    actor: Actor,
    customer_id: int,
    tenant_name: str,
    corrections: dict[str, Any] | None = None,
    connection_id: int | None = None,
) -> Tenant:
    """Write the new tenant's request (status creating) and hand it to the worker after commit."""
    with transaction.atomic():
        customer = Organization.objects.select_for_update().get(pk=customer_id)
        common.require_customer(customer)
        common.require(actor, Action.CHANGE, customer, "create a tenant")
        domain = tenant_domain(tenant_name)
        request = _clean_request(request_from_organization(customer), corrections)
        connection = common.connection_for_customer(customer, connection_id)
        common.check_free(customer, connection, domain)
        tenant = Tenant.objects.create(
            customer=customer,
            connection=connection,
            domain=domain,
            status=TenantStatus.CREATING,
            request_id=uuid.uuid4(),
            creation_request=request,
            created_by=actor.ref,
        )
        _provision_after_commit(tenant.pk)
    common.log.info("tenant %s requested for customer %s by %s", tenant.pk, customer.pk, actor.ref)
    return tenant


def _provision_after_commit(tenant_id: int) -> None:
    from cspbroker.tenants.tasks import provision_tenant

    transaction.on_commit(lambda: provision_tenant(tenant_id), robust=True)


def retry_tenant(
    *, actor: Actor, tenant_id: int, tenant_name: str | None = None, corrections: dict[str, Any] | None = None
) -> Tenant:
    """Try a failed new tenant again; a corrected request (name, address) gets a new request id.

    A linked tenant is retried by the sync app, which looks it up again.
    """
    with transaction.atomic():
        tenant = attempts.failed_tenant(actor, tenant_id)
        if tenant.is_linked:
            raise common.TenantNotReady(
                f"{tenant.domain} is an existing tenant: link it again instead.", field="tenant"
            )
        attempts.reopen(tenant, changed=_correct_request(tenant, tenant_name, corrections))
        _provision_after_commit(tenant.pk)
    return tenant


def _correct_request(tenant: Tenant, tenant_name: str | None, corrections: dict[str, Any] | None) -> bool:
    domain = tenant_domain(tenant_name) if tenant_name else tenant.domain
    request = _clean_request(
        tenant.creation_request or request_from_organization(tenant.customer), corrections
    )
    if domain.lower() != tenant.domain.lower():
        others = Tenant.objects.filter(connection=tenant.connection, domain__iexact=domain).exclude(
            pk=tenant.pk
        )
        if others.exists():
            raise common.TenantExists(
                f"{domain} already belongs to another customer here.", field="tenant_name"
            )
    changed = domain != tenant.domain or request != tenant.creation_request
    tenant.domain, tenant.creation_request = domain, request
    return changed


# --- The worker side --------------------------------------------------------------------------------


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


def provision(tenant_id: int) -> common.Outcome:
    """Create the tenant at Partner Center (worker). Outcome: done, failed, or retry in N seconds."""
    tenant = attempts.claim(tenant_id, linked=False, now=timezone.now())
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
    _read_directory_soon(tenant.pk)
    return {"ok": True, "tenant_id": tenant.pk, "provider_tenant_id": customer.id}


def _read_directory_soon(tenant_id: int) -> None:
    """The new tenant's directory (the administrator's user id); Partner Center may need a moment.

    A new tenant holds no subscriptions yet, so its users and licences are all there is to read.
    """
    from cspbroker.tenants.tasks import read_new_directory

    if not read_directory(tenant_id).get("ok"):
        read_new_directory.schedule((tenant_id,), delay=60)


def read_directory(tenant_id: int) -> common.Outcome:
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
        return {"ok": True, **directory.write(locked, users, timezone.now())}


def _activate(tenant_id: int, request_id: uuid.UUID, customer: Customer) -> bool:
    from cspbroker.tenants.services import users

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
