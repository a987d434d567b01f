"""huey wrapper of the licence job: the page waits for its outcome (`common.run_in_worker`)."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from cspbroker.provisioning.licences import jobs
from cspbroker.tenants.common import Outcome


@db_task()
def update_licences(tenant_id: int, licence: str, user_ids: list[int], action: str) -> Outcome:
    return jobs.update_licences(tenant_id, licence, user_ids, action)
