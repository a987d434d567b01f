"""Build the provider client for a connection. The only place that reveals a connection's secret.

Services ask for the port of the connection's provider (`partner_center`, `distributor`, `esd`)
and depend on that Protocol only; `partner_center_client` gives the concrete client to the code
that still needs it (provisioning's executor and actions).
"""

from __future__ import annotations

from cspbroker.connections.models import Connection, ProviderKind
from cspbroker.providers.distributor import DistributorClient
from cspbroker.providers.esd import EsdClient
from cspbroker.providers.partnercenter.client import PartnerCenterClient
from cspbroker.providers.ports import DistributorClientPort, EsdClientPort, PartnerCenterClientPort

DEFAULT_ATTEMPTS = 5  # the worker's patient schedule; a person waiting gets fewer


class WrongProvider(TypeError):
    """A connection asked for a provider it is not."""


def _secret(connection: Connection) -> str:
    value = connection.client_secret
    return value.reveal() if hasattr(value, "reveal") else str(value)


def _require(connection: Connection, kind: ProviderKind) -> None:
    if connection.kind != kind:
        raise WrongProvider(f"{connection} is not a {kind.label} connection")


def _partner_center(connection: Connection, max_attempts: int) -> PartnerCenterClient:
    _require(connection, ProviderKind.PARTNER_CENTER)
    return PartnerCenterClient(
        tenant_id=connection.tenant_id,
        client_id=connection.client_id,
        client_secret=_secret(connection),
        base_url=connection.base_url,
        token_url=connection.token_url,
        max_attempts=max_attempts,
    )


def _distributor(connection: Connection, max_attempts: int) -> DistributorClient:
    _require(connection, ProviderKind.DISTRIBUTOR)
    return DistributorClient(
        connection.base_url,
        connection.token_url,
        connection.client_id,
        _secret(connection),
        max_attempts=max_attempts,
    )


def _esd(connection: Connection, max_attempts: int) -> EsdClient:
    _require(connection, ProviderKind.ESD)
    return EsdClient(
        connection.base_url,
        connection.token_url,
        connection.client_id,
        _secret(connection),
        max_attempts=max_attempts,
    )


def partner_center(
    connection: Connection, *, max_attempts: int = DEFAULT_ATTEMPTS
) -> PartnerCenterClientPort:
    return _partner_center(connection, max_attempts)


def distributor(connection: Connection, *, max_attempts: int = DEFAULT_ATTEMPTS) -> DistributorClientPort:
    return _distributor(connection, max_attempts)


def esd(connection: Connection, *, max_attempts: int = DEFAULT_ATTEMPTS) -> EsdClientPort:
    return _esd(connection, max_attempts)


def partner_center_client(connection: Connection) -> PartnerCenterClient:
    """The concrete client; a service asks for `partner_center` (its port) instead."""
    return _partner_center(connection, DEFAULT_ATTEMPTS)
