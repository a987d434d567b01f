"""`cspbroker billing run --cycle YYYY-MM [--reseller ID] [--dry-run]`: every bill of a cycle."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn
from rich.table import Table

from cspbroker.billing.jobs.run import RunSummary, run_billing
from cspbroker.domain.errors import DomainError
from cspbroker.domain.money import Money


class Command(BaseCommand):
    help = "Compute every customer's bill of a billing cycle (idempotent: a second run adds nothing)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cycle", required=True, help="The month in which the cycle ends, YYYY-MM.")
        parser.add_argument("--reseller", type=int, default=None, help="Only this reseller's customers (id).")
        parser.add_argument("--dry-run", action="store_true", help="Compute and print; write nothing.")
        parser.add_argument("--chunk-size", type=int, default=500, help="Customers per transaction.")

    def handle(self, *args: Any, **options: Any) -> None:
        console = Console(file=self.stdout, force_terminal=False, width=110)  # type: ignore[arg-type]
        columns = ("{task.description}", BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        try:
            with Progress(*columns, console=console, transient=True) as progress:
                task = progress.add_task(f"Billing {options['cycle']}", total=None)

                def advance(done: int, total: int) -> None:
                    progress.update(task, completed=done, total=total)

                summary = run_billing(
                    cycle=options["cycle"],
                    reseller_id=options["reseller"],
                    dry_run=options["dry_run"],
                    chunk_size=options["chunk_size"],
                    progress=advance,
                )
        except DomainError as error:
            raise CommandError(error.message) from error
        console.print(summary_table(summary))


def summary_table(summary: RunSummary) -> Table:
    title = f"Billing run {summary.cycle}" + (" (dry run: nothing written)" if summary.dry_run else "")
    table = Table(title=title, show_header=False)
    rows = [
        ("Customers", f"{summary.customers} ({summary.customers_skipped} unchanged, skipped)"),
        ("Subscriptions", str(summary.subscriptions)),
        ("Lines computed", str(summary.lines_computed)),
        ("Lines created", str(summary.lines_created)),
        ("Bills", str(summary.bills)),
        *(
            (f"Total {currency}", str(Money(total, currency).rounded()))
            for currency, total in sorted(summary.totals.items())
        ),
        ("Not billed", str(len(summary.errors))),
        ("Seconds", f"{summary.seconds:.2f}"),
    ]
    for label, value in rows:
        table.add_row(label, value)
    for sub_id, message in list(summary.errors.items())[:10]:
        table.add_row(f"  subscription {sub_id}", message)
    return table
