"""Build the provider client for a connection. The only place that reveals a connection's secret."""

from __future__ import annotations

from cspbroker.connections.models import Connection, ProviderKind
from cspbroker.providers.distributor import DistributorClient
from cspbroker.providers.esd import EsdClient
from cspbroker.providers.partnercenter.client import PartnerCenterClient

ProviderClient = PartnerCenterClient | DistributorClient | EsdClient


def _secret(connection: Connection) -> str:
    value = connection.client_secret
    return value.reveal() if hasattr(value, "reveal") else str(value)


def client_for(connection: Connection, *, max_attempts: int = 5) -> ProviderClient:
    if connection.kind == ProviderKind.PARTNER_CENTER:
        return PartnerCenterClient(
            tenant_id=connection.tenant_id,
            client_id=connection.client_id,
            client_secret=_secret(connection),
            base_url=connection.base_url,
            token_url=connection.token_url,
            max_attempts=max_attempts,
        )
    if connection.kind == ProviderKind.DISTRIBUTOR:
        return DistributorClient(
            connection.base_url,
            connection.token_url,
            connection.client_id,
            _secret(connection),
            max_attempts=max_attempts,
        )
    return EsdClient(
        connection.base_url,
        connection.token_url,
        connection.client_id,
        _secret(connection),
        max_attempts=max_attempts,
    )


def partner_center_client(connection: Connection) -> PartnerCenterClient:
    client = client_for(connection)
    if not isinstance(client, PartnerCenterClient):
        raise TypeError(f"{connection} is not a Partner Center connection")
    return client
