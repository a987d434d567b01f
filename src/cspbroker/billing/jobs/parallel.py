"""Preparing a run's chunks in worker processes while the run stores the ones before.

Computing a chunk's lines is pure Python and storing them is mostly the database's work, so on a
machine with two cores or more the run prepares chunk N+1 (reading only) in another process while it
stores chunk N. Chunks hold different customers, so their reads and writes never meet. Processes are
started fresh ("spawn": the run may be inside a threaded huey worker, where forking is unsafe), each
with the run's own database settings, and at most one chunk per process waits ahead, to bound memory.
A run of a few chunks, or `CSPB_BILLING_PROCESSES=1`, prepares everything in its own process.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from datetime import date, datetime

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


def prepared_chunks(
    chunks: Sequence[list[int]], cycle: BillingCycle, *, today: date, now: datetime, dry_run: bool
) -> Iterator[ChunkPlan]:
    """Each chunk prepared, in order."""
    workers = processes()
    if workers < 1 or len(chunks) < MIN_CHUNKS:
        for customer_ids in chunks:
            yield prepare_chunk(customer_ids, cycle, today=today, now=now, dry_run=dry_run)
        return
    context = multiprocessing.get_context("spawn")
    database = dict(connection.settings_dict)
    with ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=start_worker, initargs=(database,)
    ) as pool:
        waiting: deque[Future[ChunkPlan]] = deque()
        pending = iter(chunks)
        for customer_ids in pending:
            waiting.append(
                pool.submit(prepare_chunk, customer_ids, cycle, today=today, now=now, dry_run=dry_run)
            )
            if len(waiting) > workers:
                break
        while waiting:
            prepared = waiting.popleft().result()
            following = next(pending, None)
            if following is not None:
                waiting.append(
                    pool.submit(prepare_chunk, following, cycle, today=today, now=now, dry_run=dry_run)
                )
            yield prepared
