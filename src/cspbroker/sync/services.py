"""Requests to bring a tenant in (T3) or read it again: they write, check and enqueue after commit.

Linking writes the Tenant (status creating, `is_linked`) and leaves the provider to the worker
(`jobs.linking`), which finds the customer in the partner's Partner Center account, activates the
tenant and syncs its directory (`jobs.directory`).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db import transaction

from cspbroker.accounts.access import Actor
from cspbroker.accounts.models import Organization
from cspbroker.domain.parties import Action
from cspbroker.sync import tasks
from cspbroker.tenants import attempts, common
from cspbroker.tenants.models import Tenant, TenantStatus
from cspbroker.tenants.references import is_tenant_id, parse_reference
from cspbroker.tenants.services import tenant_lifecycle


def link_tenant(
    *, actor: Actor, customer_id: int, reference: str, connection_id: int | None = None
) -> Tenant:
    """Write the link request for an existing tenant and hand it to the worker after commit."""
    with transaction.atomic():
        customer = Organization.objects.select_for_update().get(pk=customer_id)
        common.require_customer(customer)
        common.require(actor, Action.CHANGE, customer, "link a tenant")
        value = parse_reference(reference)
        connection = common.connection_for_customer(customer, connection_id)
        common.check_free(customer, connection, "" if is_tenant_id(value) else value)
        if Tenant.objects.filter(connection=connection, provider_tenant_id=value).exists():
            raise common.TenantExists(
                "That tenant is already linked to another customer here.", field="tenant_name"
            )
        tenant = Tenant.objects.create(
            customer=customer,
            connection=connection,
            domain=value,
            is_linked=True,
            status=TenantStatus.CREATING,
            request_id=uuid.uuid4(),
            creation_request={"reference": value},
            created_by=actor.ref,
        )
        _link_after_commit(tenant.pk)
    return tenant


def retry_tenant(
    *, actor: Actor, tenant_id: int, tenant_name: str | None = None, corrections: dict[str, Any] | None = None
) -> Tenant:
    """Try a failed tenant again: a linked one is looked up again, a new one is created again (T2).

    A corrected reference is a new request (a new request id); an unchanged one is the same.
    """
    if not Tenant.objects.filter(pk=tenant_id, is_linked=True).exists():
        return tenant_lifecycle.retry_tenant(
            actor=actor, tenant_id=tenant_id, tenant_name=tenant_name, corrections=corrections
        )
    with transaction.atomic():
        tenant = attempts.failed_tenant(actor, tenant_id)
        attempts.reopen(tenant, changed=_correct_reference(tenant, tenant_name))
        _link_after_commit(tenant.pk)
    return tenant


def _correct_reference(tenant: Tenant, reference: str | None) -> bool:
    if not reference:
        return False
    value = parse_reference(reference)
    changed: bool = value != tenant.creation_request.get("reference")
    tenant.creation_request = {"reference": value}
    tenant.domain = value
    return changed


def _link_after_commit(tenant_id: int) -> None:
    transaction.on_commit(lambda: tasks.link_tenant(tenant_id), robust=True)


def request_sync(*, actor: Actor, tenant_id: int) -> Tenant:
    """Ask the worker to import the tenant's subscriptions, users and assignments again."""
    tenant = Tenant.objects.select_related("customer").get(pk=tenant_id)
    common.require(actor, Action.CHANGE, tenant.customer, "sync a tenant")
    common.require_active(tenant)
    transaction.on_commit(lambda: tasks.sync_tenant(tenant.pk), robust=True)
    return tenant
