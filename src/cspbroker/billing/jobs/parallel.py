"""Preparing a run's chunks in worker processes while the run stores the ones before.

Computing a chunk's lines is pure Python and storing them is mostly the database's work, so on a
machine with two cores or more the run prepares chunk N+1 (reading only) in another process while it
stores chunk N. Chunks hold different customers, so their reads and writes never meet. Processes are
started fresh ("spawn": the run may be inside a threaded huey worker, where forking is unsafe), each
with the run's own database settings, and at most one chunk per process waits ahead, to bound memory.
A run of a few chunks, a run inside a transaction (the workers would not see its uncommitted rows),
or `CSPB_BILLING_PROCESSES=0`, prepares everything in its own process.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime
from itertools import islice

from django.conf import settings
from django.db import connection

from cspbroker.billing.jobs.chunks import ChunkPlan, prepare_chunk
from cspbroker.billing.jobs.worker_start import start_worker
from cspbroker.domain.periods import BillingCycle

# Below this many chunks the workers' start (about a second each) is not worth it.
MIN_CHUNKS = 4


def processes() -> int:
    """Worker processes preparing chunks (0: the run prepares them itself). By default one per core,
    up to four: preparing costs about twice what storing does, and storing is mostly the database's
    work, so on two cores two workers and the storing process measured fastest (docs/BILLING.md)."""
    configured = getattr(settings, "CSPB_BILLING_PROCESSES", None)
    if configured is not None:
        return max(int(configured), 0)
    return min(os.cpu_count() or 1, 4)


def _shared_database() -> bool:
    """Whether another process reads what this one has written: not from inside a transaction (its
    rows are not committed) nor from an in-memory SQLite database."""
    if connection.in_atomic_block:
        return False
    name = str(connection.settings_dict.get("NAME") or "")
    return not (connection.vendor == "sqlite" and (name in {"", ":memory:"} or "mode=memory" in name))


@dataclass(frozen=True, slots=True)
class ChunkJob:
    """One chunk of customers to prepare for `cycle`, on the billing organisation's `today`."""

    customer_ids: list[int]
    cycle: BillingCycle
    today: date


def prepared_chunks(jobs: Sequence[ChunkJob], *, now: datetime, dry_run: bool) -> Iterator[ChunkPlan]:
    """Each job's chunk prepared, in order. One pipeline for the whole run: every billing day's
    chunks flow through the same workers, started once."""
    workers = processes()
    if workers < 1 or len(jobs) < MIN_CHUNKS or not _shared_database():
        for job in jobs:
            yield prepare_chunk(job.customer_ids, job.cycle, today=job.today, now=now, dry_run=dry_run)
        return
    context = multiprocessing.get_context("spawn")
    database = dict(connection.settings_dict)
    with ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=start_worker, initargs=(database,)
    ) as pool:

        def submit(job: ChunkJob) -> Future[ChunkPlan]:
            return pool.submit(
                prepare_chunk, job.customer_ids, job.cycle, today=job.today, now=now, dry_run=dry_run
            )

        pending = iter(jobs)
        waiting: deque[Future[ChunkPlan]] = deque(submit(job) for job in islice(pending, workers + 1))
        while waiting:
            prepared = waiting.popleft().result()
            following = next(pending, None)
            if following is not None:
                waiting.append(submit(following))
            yield prepared
