"""Background jobs of the tenants app: every Partner Center call about new tenants and their users.

Fire-and-forget jobs (creating, importing) return None so that huey keeps no result; the jobs a
page waits for (`users`) return their outcome for `run_in_worker`. A job that could not reach the
provider schedules itself again with backoff, honouring Retry-After. Linking an existing tenant and
syncing one are the sync app's jobs; licence assignment is provisioning's.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from cspbroker.tenants import attempts
from cspbroker.tenants.services import common, tenant_lifecycle, user_import, users


@db_task()
def provision_tenant(tenant_id: int) -> None:
    """Create a new tenant at Partner Center (T2)."""
    delay = tenant_lifecycle.provision(tenant_id).get("retry_in")
    if delay:
        provision_tenant.schedule((tenant_id,), delay=float(delay))


@db_task()
def read_new_directory(tenant_id: int) -> None:
    """Read a new tenant's users again, when Partner Center did not have them at once."""
    tenant_lifecycle.read_directory(tenant_id)


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


@db_periodic_task(crontab(minute="*/5"))
def resume_stuck_tenants() -> None:
    """New tenants a dead worker left half-way: run them again (the request id makes that harmless)."""
    for tenant_id in attempts.stuck_tenants(linked=False, now=timezone.now()):
        provision_tenant(tenant_id)
