"""Bills close by themselves: the hourly job bills every cycle that ended, once."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from cspbroker.billing.jobs.closing import close_ended_cycles
from cspbroker.billing.models import Bill, BillingRun
from cspbroker.billing.tasks import close_cycles, renew_terms
from cspbroker.domain.clock import FrozenClock

pytestmark = pytest.mark.django_db


def test_the_schedule_bills_the_cycle_that_ended_and_only_once(bw):
    bw.subscription("adventureworks", start=date(2026, 10, 1), quantity=3, price="10.00")
    bw.subscription("wingtip", start=date(2026, 10, 1), quantity=1, price="20.00")
    # 16 Oct in Berlin: Tailspin's cycle ending 15 Oct is over, Woodgrove's ending 31 Oct is not.
    clock = FrozenClock(datetime(2026, 10, 16, 6, tzinfo=UTC))

    closed = close_ended_cycles(clock=clock)

    cycles = {(item.organization_id, item.cycle) for item in closed}
    assert (bw.org("tailspin").pk, "2026-10") in cycles and (bw.org("woodgrove").pk, "2026-09") in cycles
    assert Bill.objects.get(customer=bw.org("adventureworks"), cycle_label="2026-10").total == 30
    assert not Bill.objects.filter(customer=bw.org("wingtip")).exists()  # nothing in September
    runs = BillingRun.objects.filter(requested_by="schedule").count()
    again = close_ended_cycles(clock=clock)
    assert all(item.summary.lines_created == 0 for item in again)
    assert BillingRun.objects.filter(requested_by="schedule").count() == runs


def test_the_periodic_tasks_are_registered_with_the_scheduler():
    from huey.contrib.djhuey import HUEY

    periodic = {task.name for task in HUEY._registry.periodic_tasks}
    assert {renew_terms.task_class.__name__, close_cycles.task_class.__name__} <= periodic
