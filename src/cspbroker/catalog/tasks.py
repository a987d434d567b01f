"""huey wrapper of the catalog's job: the import, enqueued after commit by `services.request_import`."""

from __future__ import annotations

from typing import Any

from huey.contrib.djhuey import db_task

from cspbroker.catalog.jobs import imports
from cspbroker.clock import platform_clock


@db_task()
def run_catalog_import(import_id: int) -> dict[str, Any]:
    """Read the provider's catalog and apply it; the `CatalogImport` row records progress and outcome."""
    run = imports.run_import(import_id=import_id, clock=platform_clock)
    return {"status": run.status, "message": run.message, **run.summary}
