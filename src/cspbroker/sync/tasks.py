"""huey wrappers of the sync's jobs; a job that could not reach the provider is scheduled again.

They return None, so huey keeps no result: nobody waits for a link or a sync.
"""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from cspbroker.sync.jobs import directory, linking


@db_task()
def link_tenant(tenant_id: int) -> None:
    """Link an existing tenant and import what it holds (T3)."""
    delay = linking.perform_link(tenant_id).get("retry_in")
    if delay:
        link_tenant.schedule((tenant_id,), delay=float(delay))


@db_task()
def sync_tenant(tenant_id: int) -> None:
    """Import the tenant's subscriptions, users and licence assignments again (idempotent)."""
    directory.sync(tenant_id)


@db_periodic_task(crontab(minute="*/5"))
def resume_stuck_links() -> None:
    """Links a dead worker left half-way: run them again (the request id makes that harmless)."""
    for tenant_id in linking.stuck_links():
        link_tenant(tenant_id)
