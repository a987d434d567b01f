import getpass
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from cspbroker.accounts import services
from cspbroker.accounts.models import Organization
from cspbroker.domain.errors import DomainError
from cspbroker.domain.parties import OrganizationKind, Role


class Command(BaseCommand):
    help = "Create the operator organisation (the service provider) and its first admin login."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--legal-name")
        parser.add_argument("--email", help="The admin's login email.")
        parser.add_argument("--password", help="The admin's password (prompted when omitted on a terminal).")
        parser.add_argument("--full-name", default="")
        parser.add_argument("--country", help="ISO 3166 two-letter code, e.g. DE")
        parser.add_argument("--currency", help="ISO 4217 code, e.g. EUR")
        parser.add_argument("--time-zone", default="UTC")
        parser.add_argument("--billing-day", type=int, default=1, help="Microsoft billing day, 1-31")
        parser.add_argument("--no-input", action="store_true", help="Never prompt; fail on missing values.")

    def _value(self, options: dict[str, Any], name: str, prompt: str, secret: bool = False) -> str:
        value = options.get(name)
        if value:
            return str(value)
        if options["no_input"] or not sys.stdin.isatty():
            raise CommandError(f"--{name.replace('_', '-')} is required (no terminal to ask on).")
        value = getpass.getpass(f"{prompt}: ") if secret else input(f"{prompt}: ")
        if not value.strip():
            raise CommandError(f"{prompt} is required.")
        return value.strip()

    def handle(self, *args: Any, **options: Any) -> None:
        if Organization.objects.filter(kind=OrganizationKind.OPERATOR.value).exists():
            raise CommandError("An operator already exists; there is one per installation.")
        legal_name = self._value(options, "legal_name", "Legal name")
        country = self._value(options, "country", "Country (ISO-2)")
        currency = self._value(options, "currency", "Currency (ISO 4217)")
        email = self._value(options, "email", "Admin email")
        password = self._value(options, "password", "Admin password", secret=True)
        try:
            with transaction.atomic():
                operator = services.create_organization(
                    kind=OrganizationKind.OPERATOR,
                    parent_id=None,
                    legal_name=legal_name,
                    country=country,
                    currency=currency,
                    time_zone=options["time_zone"],
                    billing_day=options["billing_day"],
                    contact_email=email,
                )
                services.add_member(
                    organization_id=operator.pk,
                    email=email,
                    role=Role.OPERATOR_ADMIN,
                    full_name=options["full_name"],
                    password=password,
                )
        except DomainError as error:
            raise CommandError(error.message) from error
        self.stdout.write(self.style.SUCCESS(f"Operator {operator.legal_name} created; {email} can log in."))
