from typing import Any

from django.core.management.base import BaseCommand

from cspbroker.accounts import demo


class Command(BaseCommand):
    help = "Load the demo organisations and logins (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        logins = demo.load()
        self.stdout.write(self.style.SUCCESS("Demo data is loaded. Logins:"))
        width = max(len(login.email) for login in logins)
        for login in logins:
            note = "" if login.new else "  (existing user: password unchanged if you changed it)"
            who = f"{login.role.label:<15} {login.email:<{width}}  {login.password:<20}"
            self.stdout.write(f"  {who} {login.organization}{note}")
