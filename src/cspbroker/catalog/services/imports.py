"""Catalog import requests (C1): ask for one (page, API, CLI); the worker runs it (`jobs.imports`).

`request_import` writes a queued `CatalogImport` and enqueues the worker task after commit; an
import already under way is returned instead, and one the worker lost is failed and replaced.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction

from cspbroker.accounts.access import Actor, may
from cspbroker.accounts.services import InvalidInput, PermissionDenied
from cspbroker.catalog import tasks
from cspbroker.catalog.jobs.imports import finish
from cspbroker.catalog.models import CatalogImport, ImportStatus
from cspbroker.catalog.sources import IMPORTABLE_KINDS
from cspbroker.connections.models import Connection
from cspbroker.domain.clock import Clock
from cspbroker.domain.parties import Action

# A queued or running import older than this was lost (the worker died); a new request replaces it.
STALE_AFTER = timedelta(hours=1)
_PENDING = (ImportStatus.QUEUED, ImportStatus.RUNNING)


def request_import(*, actor: Actor, connection_id: int, clock: Clock, enqueue: bool = True) -> CatalogImport:
    """Queue an import of `connection_id`'s catalog; an import already under way is returned instead."""
    with transaction.atomic():
        connection = (
            Connection.objects.select_for_update(of=("self",))
            .select_related("organization")
            .get(pk=connection_id)
        )
        if not may(actor, Action.ADMINISTER, connection.organization):
            raise PermissionDenied(f"You may not import the catalog of {connection.organization.legal_name}.")
        if connection.kind not in IMPORTABLE_KINDS:
            raise InvalidInput(
                f"“{connection.name}” is an ESD connection; catalogs come from Partner Center or a "
                "distributor.",
                field="connection_id",
            )
        if not connection.is_active:
            raise InvalidInput(f"“{connection.name}” is switched off.", field="connection_id")
        pending = CatalogImport.objects.filter(connection=connection, status__in=_PENDING).first()
        if pending is not None and pending.created_at > clock.now() - STALE_AFTER:
            return pending
        if pending is not None:
            finish(pending.pk, ImportStatus.FAILED, clock, message="Abandoned: the worker never finished it.")
        run = CatalogImport.objects.create(
            connection=connection, requested_by=actor.ref, created_at=clock.now()
        )
        if enqueue:
            transaction.on_commit(lambda: tasks.run_catalog_import(run.pk))
    return run
