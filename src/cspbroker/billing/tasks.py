"""The billing run as a huey task (the staff button and `POST /billing/runs`)."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone
from huey.contrib.djhuey import db_task

from cspbroker.billing.models import BillingRun, RunStatus
from cspbroker.billing.services.run import parse_cycle, run_billing
from cspbroker.domain.errors import DomainError

log = logging.getLogger(__name__)


def request_run(*, cycle: str, reseller_id: int | None, requested_by: str) -> BillingRun:
    """Record the run and enqueue it after commit."""
    parse_cycle(cycle)
    run = BillingRun.objects.create(cycle_label=cycle, reseller_id=reseller_id, requested_by=requested_by)
    transaction.on_commit(lambda: execute_run(run.pk))
    return run


@db_task()
def execute_run(run_id: int) -> None:
    run = BillingRun.objects.get(pk=run_id)
    BillingRun.objects.filter(pk=run_id).update(status=RunStatus.RUNNING)
    try:
        summary = run_billing(cycle=run.cycle_label, reseller_id=run.reseller_id)
    except DomainError as error:
        BillingRun.objects.filter(pk=run_id).update(
            status=RunStatus.FAILED, message=error.message[:1000], finished_at=timezone.now()
        )
        return
    except Exception:
        log.exception("Billing run %s failed", run_id)
        BillingRun.objects.filter(pk=run_id).update(
            status=RunStatus.FAILED, message="Unexpected error; see the log.", finished_at=timezone.now()
        )
        raise
    BillingRun.objects.filter(pk=run_id).update(
        status=RunStatus.DONE, summary=summary.as_dict(), finished_at=timezone.now()
    )
