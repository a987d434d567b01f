"""Writes for provider connections."""

from __future__ import annotations

import logging
from contextlib import closing
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction

from cspbroker.accounts.access import Actor, may
from cspbroker.accounts.models import Organization
from cspbroker.accounts.services import InvalidInput, PermissionDenied
from cspbroker.clock import platform_clock
from cspbroker.connections import clients
from cspbroker.connections.models import DEFAULT_ENDPOINTS, Connection, ConnectionStatus, ProviderKind
from cspbroker.domain.clock import Clock
from cspbroker.domain.parties import Action, OrganizationKind
from cspbroker.domain.tenants import validate_guid
from cspbroker.providers.errors import ProviderError, ProviderRejected

log = logging.getLogger(__name__)


def _check_url(value: str, field: str) -> str:
    value = value.strip()
    try:
        URLValidator(schemes=["http", "https"])(value.replace("{tenant}", "tenant"))
    except ValidationError as error:
        raise InvalidInput(
            f"{field.replace('_', ' ').capitalize()} must be an http(s) URL.", field=field
        ) from error
    return value


def _clean(kind: ProviderKind, fields: dict[str, Any]) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    if "name" in fields:
        cleaned["name"] = str(fields["name"]).strip()
        if not cleaned["name"] or len(cleaned["name"]) > 100:
            raise InvalidInput("Give the connection a name of 1 to 100 characters.", field="name")
    default_base, default_token = DEFAULT_ENDPOINTS[kind]
    for field, default in (("base_url", default_base), ("token_url", default_token)):
        if field in fields:
            value = str(fields[field] or default)
            if not value:
                raise InvalidInput(f"{field.replace('_', ' ').capitalize()} is required.", field=field)
            cleaned[field] = _check_url(value, field)
    if "client_id" in fields:
        cleaned["client_id"] = validate_guid(str(fields["client_id"]).strip(), "client_id")
    if "tenant_id" in fields:
        cleaned["tenant_id"] = str(fields["tenant_id"] or "").strip()
        if kind == ProviderKind.PARTNER_CENTER:
            if not cleaned["tenant_id"]:
                raise InvalidInput("Partner Center needs your partner tenant id (a GUID).", field="tenant_id")
            validate_guid(cleaned["tenant_id"], "tenant_id")
    if fields.get("client_secret"):
        cleaned["client_secret"] = str(fields["client_secret"]).strip()
    return cleaned


def _owner_for(actor: Actor, organization_id: int) -> Organization:
    owner = Organization.objects.get(pk=organization_id)
    if owner.kind == OrganizationKind.CUSTOMER:
        raise InvalidInput(
            "Connections belong to the operator or a reseller, not to a customer.", field="organization"
        )
    if not may(actor, Action.ADMINISTER, owner):
        raise PermissionDenied(f"You may not manage the connections of {owner.legal_name}.")
    return owner


@transaction.atomic
def create_connection(*, actor: Actor, organization_id: int, kind: str, **fields: Any) -> Connection:
    try:
        provider = ProviderKind(kind)
    except ValueError as error:
        raise InvalidInput("Kind must be partner_center, distributor or esd.", field="kind") from error
    owner = _owner_for(actor, organization_id)
    required = {"name", "client_id", "client_secret"}
    missing = sorted(f for f in required if not str(fields.get(f) or "").strip())
    if missing:
        raise InvalidInput(f"Missing: {', '.join(missing)}.", field=missing[0])
    cleaned = _clean(provider, {"base_url": "", "token_url": "", "tenant_id": "", **fields})
    if Connection.objects.filter(organization=owner, name=cleaned["name"]).exists():
        raise InvalidInput(
            f"{owner.legal_name} already has a connection named {cleaned['name']!r}.", field="name"
        )
    return Connection.objects.create(organization=owner, kind=provider.value, **cleaned)


@transaction.atomic
def update_connection(*, actor: Actor, connection_id: int, **fields: Any) -> Connection:
    connection = Connection.objects.select_for_update().get(pk=connection_id)
    _owner_for(actor, connection.organization_id)
    cleaned = _clean(ProviderKind(connection.kind), fields)
    if "is_active" in fields:
        cleaned["is_active"] = bool(fields["is_active"])
    for name, value in cleaned.items():
        setattr(connection, name, value)
    if {"base_url", "token_url", "tenant_id", "client_id", "client_secret"} & set(cleaned):
        connection.status = ConnectionStatus.UNTESTED
    connection.save()
    return connection


@dataclass(frozen=True)
class TestResult:
    ok: bool
    message: str


def _probe(connection: Connection) -> str:
    # A person is waiting for the answer: one retry, not the worker's patient schedule.
    if connection.kind == ProviderKind.PARTNER_CENTER:
        with closing(clients.partner_center(connection, max_attempts=2)) as partner_center:
            first = next(iter(partner_center.list_customers(page_size=1)), None)
        return "Connected to Partner Center." + (f" First customer: {first.domain}." if first else "")
    if connection.kind == ProviderKind.DISTRIBUTOR:
        with closing(clients.distributor(connection, max_attempts=2)) as distributor:
            partner = distributor.me()
        return f"Connected to the distributor as {getattr(partner, 'name', 'partner')}."
    with closing(clients.esd(connection, max_attempts=2)) as esd:
        products = esd.list_products()
    return f"Connected to ESD: {len(products)} products in the catalog."


def test_connection(*, actor: Actor, connection_id: int, clock: Clock = platform_clock) -> TestResult:
    """Call the provider with the stored credentials and record what happened."""
    connection = Connection.objects.get(pk=connection_id)
    _owner_for(actor, connection.organization_id)
    try:
        result = TestResult(True, _probe(connection))
    except ProviderRejected as error:
        result = TestResult(False, f"The provider refused: {error.description or error} (code {error.code}).")
    except ProviderError as error:
        result = TestResult(False, f"The provider could not be reached: {error}")
    log.info("connection %s tested: %s", connection.pk, "ok" if result.ok else "failed")
    Connection.objects.filter(pk=connection.pk).update(
        status=ConnectionStatus.OK if result.ok else ConnectionStatus.FAILED,
        last_tested_at=clock.now(),
        last_test_message=result.message[:500],
    )
    return result
