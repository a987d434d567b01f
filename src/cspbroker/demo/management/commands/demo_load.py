from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from cspbroker.demo import loader


class Command(BaseCommand):
    help = "Load the demo organisations, logins and sandbox connections (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--no-provider-work",
            action="store_true",
            help="Only people, organisations and connections: queue no catalog import or tenant linking.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        result = loader.load(provider_work=not options["no_provider_work"])
        self.stdout.write(self.style.SUCCESS("Demo data is loaded. Logins:"))
        width = max(len(login.email) for login in result.logins)
        for login in result.logins:
            note = "" if login.new else "  (existing user: password unchanged if you changed it)"
            who = f"{login.role.label:<15} {login.email:<{width}}  {login.password:<20}"
            self.stdout.write(f"  {who} {login.organization}{note}")
        for connection in result.connections:
            self.stdout.write(f"  Connection: {connection.name} → {connection.base_url}")
        for work in result.queued:
            self.stdout.write(f"  Queued for the worker: {work}")
