"""Background jobs of the tenants app: every Partner Center call about tenants, users and licences.

Fire-and-forget jobs (creating, linking, syncing, importing) return None so that huey keeps no
result; the jobs a page waits for (`users`, `licences`) return their outcome for `run_in_worker`.
A job that could not reach the provider schedules itself again with backoff, honouring Retry-After.
"""

from __future__ import annotations

from typing import Any

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from cspbroker.tenants.services import common, licences, linking, tenant_lifecycle, user_import, users


def _again_later(task: Any, tenant_id: int, outcome: common.Outcome) -> None:
    delay = outcome.get("retry_in")
    if delay:
        task.schedule((tenant_id,), delay=float(delay))


@db_task()
def provision_tenant(tenant_id: int) -> None:
    """Create a new tenant at Partner Center (T2)."""
    _again_later(provision_tenant, tenant_id, tenant_lifecycle.provision(tenant_id))


@db_task()
def link_tenant(tenant_id: int) -> None:
    """Link an existing tenant and import what it holds (T3)."""
    _again_later(link_tenant, tenant_id, linking.perform_link(tenant_id))


@db_task()
def sync_tenant(tenant_id: int) -> None:
    """Import the tenant's subscriptions, users and licence assignments again (idempotent)."""
    linking.sync(tenant_id)


@db_task()
def run_import_task(import_id: int) -> None:
    user_import.run_import(import_id)


@db_task()
def create_user_task(payload: dict[str, Any]) -> common.Outcome:
    return users.perform_create_user(payload)


@db_task()
def delete_user_task(tenant_id: int, user_id: int) -> common.Outcome:
    return users.perform_delete_user(tenant_id, user_id)


@db_task()
def reset_password_task(payload: dict[str, Any]) -> common.Outcome:
    return users.perform_reset_password(payload)


@db_task()
def update_licences_task(tenant_id: int, licence: str, user_ids: list[int], action: str) -> common.Outcome:
    return licences.perform_update_licences(tenant_id, licence, user_ids, action)


@db_periodic_task(crontab(minute="*/5"))
def resume_stuck_tenants() -> None:
    """Tenants a dead worker left half-way: run them again (the request id makes that harmless)."""
    from cspbroker.tenants.models import Tenant

    for tenant_id, is_linked in Tenant.objects.filter(pk__in=tenant_lifecycle.stuck_tenants()).values_list(
        "pk", "is_linked"
    ):
        (link_tenant if is_linked else provision_tenant)(tenant_id)
