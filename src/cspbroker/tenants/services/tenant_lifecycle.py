"""A new tenant (T2): check the name, write the request; the worker creates it (`jobs.creation`).

The request side only validates and writes: the Tenant row (status creating, a fresh request id)
and, after commit, the task. The retry action sends the same request again (same id) or a
corrected one (new id).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.db import transaction

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
from cspbroker.providers.errors import ProviderError
from cspbroker.tenants import attempts, common, tasks
from cspbroker.tenants.models import Tenant, TenantStatus

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
    transaction.on_commit(lambda: tasks.provision_tenant(tenant_id), robust=True)


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
