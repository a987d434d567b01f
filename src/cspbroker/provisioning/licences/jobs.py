"""The licence change in the worker: one provider call per user, each recorded once it is confirmed.

Each user's change is written as soon as the provider confirms it, so the counts are right even
when a later user of the set fails.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db import transaction

from cspbroker.providers.errors import ProviderError, ProviderRejected
from cspbroker.tenants import common
from cspbroker.tenants.models import LicenceAssignment, Tenant, TenantUser

ASSIGN, REMOVE = "assign", "remove"
_STOPPING = frozenset({"60012", "unavailable"})  # Partner Center's "out of licences", or no answer


def update_licences(tenant_id: int, licence: str, user_ids: list[int], action: str) -> common.Outcome:
    """Assign (or remove) `licence` for each user; the outcome lists the users the provider refused."""
    tenant = Tenant.objects.select_related("connection").get(pk=tenant_id)
    users = list(TenantUser.objects.filter(tenant=tenant, pk__in=user_ids).order_by("pk"))
    batch = uuid.uuid4()
    changed = 0
    failures: list[dict[str, Any]] = []
    with common.provider(tenant.connection) as client:
        for user in users:
            doing = f"{action} the licence {'to' if action == ASSIGN else 'of'} {user.user_principal_name}"
            try:
                client.update_user_licenses(
                    tenant.provider_tenant_id,
                    user.provider_user_id,
                    assign=[licence] if action == ASSIGN else (),
                    remove=[licence] if action == REMOVE else (),
                    request_id=str(uuid.uuid5(batch, str(user.pk))),
                )
            except ProviderError as error:
                refused = common.as_domain_error(error, doing=doing)
                code = error.code if isinstance(error, ProviderRejected) else "unavailable"
                failures.append({"user_id": user.pk, "code": code, "message": refused.message})
                if code in _STOPPING:
                    break  # out of seats or unreachable: the next users would fail the same way
                continue
            _record(user, licence, action)
            changed += 1
    return {"ok": not failures, "changed": changed, "failures": failures}


def _record(user: TenantUser, licence: str, action: str) -> None:
    with transaction.atomic():
        if action == ASSIGN:
            LicenceAssignment.objects.get_or_create(user=user, licence_sku_id=licence)
        else:
            LicenceAssignment.objects.filter(user=user, licence_sku_id=licence).delete()
