"""Background jobs of provisioning: run an operation, and recover the ones a crash left behind."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from cspbroker.clock import platform_clock
from cspbroker.provisioning import executor, notices

log = logging.getLogger(__name__)


@db_task()
def run_operation(operation_id: int) -> str:
    outcome, delay = executor.execute(operation_id, on_failure=notices.order_failed)
    if outcome is executor.Outcome.RETRY and delay is not None:
        run_operation.schedule((operation_id,), delay=delay.total_seconds())
    log.info("operation %s: %s", operation_id, outcome)
    return str(outcome)


@db_periodic_task(crontab(minute="*"))
def recover_operations() -> int:
    """Every minute: re-enqueue due retries and operations whose worker died mid-flight."""
    due = executor.due_operations(platform_clock)
    for operation_id in due:
        run_operation(operation_id)
    return len(due)
