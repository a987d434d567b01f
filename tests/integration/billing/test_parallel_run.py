"""A large run prepares its chunks in worker processes: the bills are exactly those of a run that
prepares everything itself, and a re-run starts no process and changes nothing.

Committed data (the workers read the database through their own connections), so transactional.
"""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from datetime import date
from typing import Any

import pytest

from cspbroker.billing.jobs import parallel
from cspbroker.billing.models import Bill, ChargeLine, Invoice, LedgerMark
from cspbroker.billing.planning import stored_line
from cspbroker.domain.billing.adjustments import signature

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

CUSTOMERS = ("adventureworks", "litware", "wingtip", "northwind")


class CountingPool(ProcessPoolExecutor):
    """The real pool, counting the chunks it is handed."""

    submitted = 0

    def submit(self, *args: Any, **kwargs: Any):  # type: ignore[no-untyped-def, override]
        CountingPool.submitted += 1
        return super().submit(*args, **kwargs)


def _world(bw) -> None:  # type: ignore[no-untyped-def]
    for index, customer in enumerate(CUSTOMERS):
        subscription = bw.subscription(customer, start=date(2026, 9, 20 + index), quantity=3 + index)
        bw.quantity(subscription, date(2026, 10, 1 + index), 5 + index)
        bw.subscription(customer, "annual_monthly", start=date(2026, 9, 25), quantity=2, price="99.00")


def _lines() -> list[tuple[object, ...]]:
    return sorted(
        (row.customer_id, *signature(stored_line(row)))
        for row in ChargeLine.objects.filter(bill__cycle_label="2026-10")
    )


def _forget_the_run() -> None:
    ChargeLine.objects.all().delete()
    Invoice.objects.all().delete()
    Bill.objects.all().delete()
    LedgerMark.objects.all().delete()


def test_worker_processes_store_the_bills_a_single_process_stores(bw, settings, monkeypatch) -> None:
    _world(bw)
    settings.CSPB_BILLING_PROCESSES = 0
    alone = bw.run("2026-10", chunk_size=1)
    expected = _lines()
    assert len(expected) >= 2 * len(CUSTOMERS)
    _forget_the_run()

    monkeypatch.setattr(parallel, "MIN_CHUNKS", 1)
    monkeypatch.setattr(parallel, "ProcessPoolExecutor", CountingPool)
    settings.CSPB_BILLING_PROCESSES = 2
    CountingPool.submitted = 0
    together = bw.run("2026-10", chunk_size=1)

    assert CountingPool.submitted == together.customers - together.customers_skipped >= len(CUSTOMERS)
    assert _lines() == expected
    assert together.totals == alone.totals
    assert together.lines_created == alone.lines_created
    assert Invoice.objects.filter(bill__cycle_label="2026-10").count() == together.bills

    CountingPool.submitted = 0
    again = bw.run("2026-10", chunk_size=1)
    assert CountingPool.submitted == 0
    assert again.lines_created == 0 and again.customers_skipped == again.customers
    assert _lines() == expected
