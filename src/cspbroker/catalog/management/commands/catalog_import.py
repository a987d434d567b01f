"""`cspbroker catalog import [--connection ID]`: import provider catalogs now, with a progress bar."""

from __future__ import annotations

import time
from typing import IO, Any, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from cspbroker.accounts.access import SYSTEM
from cspbroker.catalog import services
from cspbroker.catalog.jobs import imports
from cspbroker.catalog.models import CatalogImport, ImportStatus
from cspbroker.catalog.sources import IMPORTABLE_KINDS
from cspbroker.clock import platform_clock
from cspbroker.connections.models import Connection
from cspbroker.domain.errors import DomainError


class Command(BaseCommand):
    help = "Import the catalog and provider prices of one connection, or of every active catalog connection."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--connection", type=int, help="The connection id (default: all active ones).")

    def _connections(self, connection_id: int | None) -> list[Connection]:
        connections = Connection.objects.filter(kind__in=IMPORTABLE_KINDS)
        if connection_id is not None:
            found = list(connections.filter(pk=connection_id))
            if not found:
                raise CommandError(f"No Partner Center or distributor connection with id {connection_id}.")
            return found
        found = list(connections.filter(is_active=True).order_by("pk"))
        if not found:
            raise CommandError("There is no active Partner Center or distributor connection to import from.")
        return found

    def handle(self, *args: Any, **options: Any) -> None:
        # rich writes to the stream itself: OutputWrapper would add a newline to every chunk.
        console = Console(file=cast(IO[str], self.stdout._out), highlight=False)
        failures = 0
        for connection in self._connections(options.get("connection")):
            run = self._import(console, connection)
            self._report(console, connection, run)
            failures += run.status == ImportStatus.FAILED
        if failures:
            raise CommandError(f"{failures} import(s) failed.")

    def _import(self, console: Console, connection: Connection) -> CatalogImport:
        try:
            run = services.request_import(
                actor=SYSTEM, connection_id=connection.pk, clock=platform_clock, enqueue=False
            )
        except DomainError as error:
            raise CommandError(error.message) from error
        if run.status == ImportStatus.RUNNING:
            raise CommandError(f"An import of “{connection.name}” is already running (import {run.pk}).")
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        record = imports.recording_progress(run.pk)
        started = time.perf_counter()
        with Progress(*columns, console=console, transient=False) as bar:
            task = bar.add_task(f"{connection.name}: connecting", total=None)

            def progress(done: int, total: int, label: str) -> None:
                bar.update(task, completed=done, total=total, description=f"{connection.name}: {label}")
                record(done, total, label)

            run = imports.run_import(import_id=run.pk, clock=platform_clock, progress=progress)
        run.summary["seconds"] = round(time.perf_counter() - started, 2)
        return run

    def _report(self, console: Console, connection: Connection, run: CatalogImport) -> None:
        if run.status == ImportStatus.FAILED:
            console.print(f"[red]Import of “{connection.name}” failed:[/red] {run.message}")
            return
        summary = run.summary
        table = Table(title=f"{connection.name} — imported in {summary.get('seconds', '?')} s")
        for column in ("", "created", "updated", "unavailable"):
            table.add_column(column, justify="right" if column else "left")
        for level, count in summary["levels"].items():
            table.add_row(level, str(count["created"]), str(count["updated"]), str(count["unavailable"]))
        table.add_row("total", str(summary["created"]), str(summary["updated"]), str(summary["unavailable"]))
        console.print(table)
        console.print(
            f"Provider prices: {summary['prices_created']} new, {summary['price_changes']} changed "
            "(the previous price is kept as history)."
        )
        for warning in summary.get("warnings", []):
            console.print(f"[yellow]Warning:[/yellow] {warning}")
