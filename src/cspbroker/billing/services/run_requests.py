"""Staff (the button, `POST /billing/runs`) ask for a billing run: recorded, then run by the worker."""

from __future__ import annotations

from django.db import transaction

from cspbroker.billing.jobs.run import parse_cycle
from cspbroker.billing.models import BillingRun
from cspbroker.billing.tasks import execute_run


def request_run(*, cycle: str, reseller_id: int | None, requested_by: str) -> BillingRun:
    """Record the run and enqueue it after commit."""
    parse_cycle(cycle)
    run = BillingRun.objects.create(cycle_label=cycle, reseller_id=reseller_id, requested_by=requested_by)
    transaction.on_commit(lambda: execute_run(run.pk))
    return run
