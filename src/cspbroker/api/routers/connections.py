from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.responses import Status

from cspbroker.api.auth import actor
from cspbroker.connections import selectors, services
from cspbroker.connections.models import Connection

router = Router(tags=["connections"])


class ConnectionOut(Schema):
    """A connection as the API shows it: the client secret is never returned."""

    id: int
    organization_id: int
    kind: str
    name: str
    base_url: str
    token_url: str
    tenant_id: str
    client_id: str
    is_active: bool
    status: str
    last_tested_at: datetime | None
    last_test_message: str


class ConnectionIn(Schema):
    organization_id: int
    kind: str
    name: str
    base_url: str = ""
    token_url: str = ""
    tenant_id: str = ""
    client_id: str
    client_secret: str


class ConnectionPatch(Schema):
    name: str | None = None
    base_url: str | None = None
    token_url: str | None = None
    tenant_id: str | None = None
    client_id: str | None = None
    client_secret: str | None = None
    is_active: bool | None = None


class TestOut(Schema):
    ok: bool
    message: str


@router.get("", response=list[ConnectionOut])
def list_connections(request: HttpRequest) -> list[Connection]:
    return list(selectors.connections_for(actor(request)))


@router.get("/{connection_id}", response=ConnectionOut)
def get_connection(request: HttpRequest, connection_id: int) -> Connection:
    return selectors.connection_for(actor(request), connection_id)


@router.post(
    "", response={201: ConnectionOut}, summary="Add a provider connection (the secret is stored encrypted)"
)
def create_connection(request: HttpRequest, body: ConnectionIn) -> Status[Connection]:
    who = actor(request)
    from cspbroker.accounts import selectors as accounts

    accounts.organization_for(who, body.organization_id)  # 404 for an owner you cannot see
    return Status(201, services.create_connection(actor=who, **body.dict()))


@router.patch(
    "/{connection_id}", response=ConnectionOut, summary="Change a connection; omit the secret to keep it"
)
def update_connection(request: HttpRequest, connection_id: int, body: ConnectionPatch) -> Connection:
    who = actor(request)
    connection = selectors.connection_for(who, connection_id)
    return services.update_connection(actor=who, connection_id=connection.pk, **body.dict(exclude_unset=True))


@router.post(
    "/{connection_id}/test", response=TestOut, summary="Call the provider with the stored credentials"
)
def test_connection(request: HttpRequest, connection_id: int) -> services.TestResult:
    who = actor(request)
    connection = selectors.connection_for(who, connection_id)
    return services.test_connection(actor=who, connection_id=connection.pk)
