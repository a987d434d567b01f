"""A requested billing run's record and its state machine: queued → running → done | failed.

One function per transition, each checking the state it leaves; nothing else assigns `status`.
"""

from __future__ import annotations

import logging

from django.db import transaction

from cspbroker.billing.jobs.run import run_billing
from cspbroker.billing.models import BillingRun, RunStatus
from cspbroker.domain.clock import Clock
from cspbroker.domain.errors import DomainError

log = logging.getLogger(__name__)
SCHEDULE = "schedule"


class InvalidRunTransition(DomainError):
    code = "invalid_run_transition"


@transaction.atomic
def _transition(run_id: int, leaving: tuple[str, ...], to: str, **fields: object) -> BillingRun:
    run = BillingRun.objects.select_for_update().get(pk=run_id)
    if run.status not in leaving:
        raise InvalidRunTransition(f"Billing run {run.pk} is {run.status}, not {' or '.join(leaving)}.")
    run.status = to
    for name, value in fields.items():
        setattr(run, name, value)
    run.save(update_fields=["status", *fields])
    return run


def start_run(run_id: int) -> BillingRun:
    return _transition(run_id, (RunStatus.QUEUED,), RunStatus.RUNNING)


def finish_run(run_id: int, summary: dict[str, object], *, clock: Clock) -> BillingRun:
    return _transition(run_id, (RunStatus.RUNNING,), RunStatus.DONE, summary=summary, finished_at=clock.now())


def fail_run(run_id: int, message: str, *, clock: Clock) -> BillingRun:
    return _transition(
        run_id,
        (RunStatus.QUEUED, RunStatus.RUNNING),
        RunStatus.FAILED,
        message=message[:1000],
        finished_at=clock.now(),
    )


def record_scheduled_run(
    *, cycle: str, reseller_id: int, summary: dict[str, object], clock: Clock
) -> BillingRun:
    """A run the schedule made (it was never queued): recorded as done, for the runs list."""
    return BillingRun.objects.create(
        cycle_label=cycle,
        reseller_id=reseller_id,
        status=RunStatus.DONE,
        requested_by=SCHEDULE,
        summary=summary,
        finished_at=clock.now(),
    )


def execute_requested_run(run_id: int, *, clock: Clock) -> None:
    """Carry out a requested run (in the worker): its record follows what happened."""
    run = start_run(run_id)
    try:
        summary = run_billing(cycle=run.cycle_label, reseller_id=run.reseller_id, clock=clock)
    except DomainError as error:
        fail_run(run_id, error.message, clock=clock)
        return
    except Exception:
        log.exception("Billing run %s failed", run_id)
        fail_run(run_id, "Unexpected error; see the log.", clock=clock)
        raise
    finish_run(run_id, summary.as_dict(), clock=clock)
