from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cspbroker.accounts import services
from cspbroker.accounts.models import User
from cspbroker.domain.errors import DomainError


class Command(BaseCommand):
    help = "Create a personal API token for a user and print it (shown once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", required=True)
        parser.add_argument("--name", default="cli")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(email=options["email"].strip().lower(), is_active=True).first()
        if user is None:
            raise CommandError(f"No active user with the email {options['email']!r}.")
        try:
            issued = services.create_api_token(user_id=user.pk, name=options["name"])
        except DomainError as error:
            raise CommandError(error.message) from error
        self.stdout.write(issued.secret)
