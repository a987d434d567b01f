"""The billing app's background jobs: requested runs, and the hourly renewals and closing of cycles."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from cspbroker.billing.jobs.closing import close_ended_cycles
from cspbroker.billing.jobs.run_records import execute_requested_run
from cspbroker.clock import platform_clock
from cspbroker.subscriptions.renewals import renew_due

log = logging.getLogger(__name__)


@db_task()
def execute_run(run_id: int) -> None:
    execute_requested_run(run_id, clock=platform_clock)


@db_periodic_task(crontab(minute="5"))
def renew_terms() -> int:
    """Hourly: record the renewal (or expiry) of every term that ended, in each reseller's time zone."""
    count = renew_due(clock=platform_clock)
    log.info("renewals: %s term(s) recorded", count)
    return count


@db_periodic_task(crontab(minute="20"))
def close_cycles() -> int:
    """Hourly: bill every cycle that ended (idempotent; unchanged customers are skipped)."""
    return len(close_ended_cycles(clock=platform_clock))
