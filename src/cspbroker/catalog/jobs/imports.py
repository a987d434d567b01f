"""A catalog import run (C1), in the worker or the CLI: read the provider's catalog, apply it, record it.

`run_import` reads the provider's catalog over HTTP (outside any transaction: it takes seconds),
then applies it in one transaction with the connection row locked, so two imports of one
connection never interleave and a failed import leaves nothing half-written. The import row says
how it went; it never stays running.
"""

from __future__ import annotations

import logging
import time
from contextlib import closing
from typing import Any

from django.db import transaction

from cspbroker.accounts.services import InvalidInput
from cspbroker.catalog.importer import apply_snapshot
from cspbroker.catalog.models import CatalogImport, ImportStatus
from cspbroker.catalog.snapshot import CatalogSnapshot, Progress
from cspbroker.catalog.sources import PRICE_CURRENCIES, distributor_snapshot, partner_center_snapshot
from cspbroker.connections import clients
from cspbroker.connections.models import Connection, ProviderKind
from cspbroker.domain.clock import Clock
from cspbroker.domain.errors import DomainError
from cspbroker.providers.errors import ProviderError, ProviderRejected

log = logging.getLogger(__name__)


def finish(
    import_id: int, status: str, clock: Clock, *, message: str = "", summary: dict[str, Any] | None = None
) -> None:
    fields: dict[str, object] = {"status": status, "finished_at": clock.now(), "message": message[:1000]}
    if summary is not None:
        fields["summary"] = summary
    CatalogImport.objects.filter(pk=import_id).update(**fields)


def recording_progress(import_id: int, *, every_seconds: float = 0.5) -> Progress:
    """A progress callback that writes to the import row, at most every `every_seconds`."""
    last = [0.0]

    def progress(done: int, total: int, label: str) -> None:
        now = time.monotonic()
        if now - last[0] >= every_seconds or done >= total:
            last[0] = now
            CatalogImport.objects.filter(pk=import_id).update(
                steps_done=done, steps_total=total, step_label=label[:200]
            )

    return progress


def read_catalog(connection: Connection, *, clock: Clock, progress: Progress) -> CatalogSnapshot:
    """Ask the provider behind `connection` for its whole catalog (several HTTP calls)."""
    owner = connection.organization
    if connection.kind == ProviderKind.PARTNER_CENTER:
        currencies = [owner.currency, *PRICE_CURRENCIES]
        with closing(clients.partner_center(connection)) as partner_center:
            return partner_center_snapshot(
                partner_center, country=owner.country, currencies=currencies, progress=progress
            )
    if connection.kind == ProviderKind.DISTRIBUTOR:
        with closing(clients.distributor(connection)) as distributor:
            return distributor_snapshot(distributor, on=clock.today(owner.time_zone), progress=progress)
    raise InvalidInput(f"“{connection.name}” has no catalog to import.", field="connection_id")


def _failure_message(error: Exception) -> str:
    if isinstance(error, ProviderRejected):
        return (
            f"The provider refused: {error.description or error.message} (code {error.code or error.status})."
        )
    if isinstance(error, ProviderError):
        return f"The provider could not be reached: {error.message}"
    if isinstance(error, DomainError):
        return error.message
    return "The import failed on our side; the error was logged."


def run_import(*, import_id: int, clock: Clock, progress: Progress | None = None) -> CatalogImport:
    """Run a queued import to its end; the row says how it went (it never stays running)."""
    run = CatalogImport.objects.select_related("connection__organization").get(pk=import_id)
    if run.is_finished:  # a duplicate delivery of the task
        return run
    CatalogImport.objects.filter(pk=import_id).update(status=ImportStatus.RUNNING, started_at=clock.now())
    report = progress or recording_progress(import_id)
    try:
        snapshot = read_catalog(run.connection, clock=clock, progress=report)
        with transaction.atomic():
            connection = Connection.objects.select_for_update().get(pk=run.connection_id)
            connection.organization = run.connection.organization
            summary = apply_snapshot(connection, snapshot, now=clock.now())
            finish(import_id, ImportStatus.SUCCEEDED, clock, summary=summary.as_dict())
    except Exception as error:
        message = _failure_message(error)
        finish(import_id, ImportStatus.FAILED, clock, message=message)
        if not isinstance(error, ProviderError | DomainError):
            log.exception("catalog import %s failed", import_id)
            raise
        log.warning("catalog import %s failed: %s", import_id, message)
    run.refresh_from_db()
    return run
