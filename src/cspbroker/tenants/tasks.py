"""huey wrappers of the tenants app's jobs (`jobs/`): they run one and, if asked, schedule it again.

Fire-and-forget jobs (creating, importing) return None so that huey keeps no result; the jobs a
page waits for (`jobs.users`) return their outcome for `common.run_in_worker`. A job that could
not reach the provider says when to try again (`retry_in`, honouring Retry-After). Linking an
existing tenant and syncing one are the sync app's tasks; licence assignment is provisioning's.
"""

from __future__ import annotations

from typing import Any

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from cspbroker.clock import platform_clock
from cspbroker.tenants import attempts, common
from cspbroker.tenants.jobs import creation, user_import, users

DIRECTORY_AGAIN_SECONDS = 60  # Partner Center may list a new tenant's users only after a moment


@db_task()
def provision_tenant(tenant_id: int) -> None:
    """Create a new tenant at Partner Center (T2), then read its directory."""
    outcome = creation.provision(tenant_id)
    if outcome.get("retry_in"):
        provision_tenant.schedule((tenant_id,), delay=float(outcome["retry_in"]))
    elif outcome.get("directory_read") is False:
        read_new_directory.schedule((tenant_id,), delay=DIRECTORY_AGAIN_SECONDS)


@db_task()
def read_new_directory(tenant_id: int) -> None:
    """Read a new tenant's users and licences again, when Partner Center did not list them at once."""
    creation.read_directory(tenant_id)


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
    for tenant_id in attempts.stuck_tenants(linked=False, now=platform_clock.now()):
        provision_tenant(tenant_id)
