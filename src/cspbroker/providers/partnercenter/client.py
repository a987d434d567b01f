"""PartnerCenterClient: every Partner Center capability over one hardened HTTP client.

Pointing a connection at the real Partner Center or at the sandbox is configuration only:
`base_url`, `token_url` and (for prices) `price_sheet_url`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

import httpx

from cspbroker.domain.commerce.order_types import PARTNER_CENTER_CAPABILITIES, ProviderCapabilities
from cspbroker.providers.auth import PARTNER_CENTER_RESOURCE, Authenticator, ClientCredentials
from cspbroker.providers.http import DEFAULT_TIMEOUT, MICROSOFT_HEADERS, ProviderHttpClient
from cspbroker.providers.partnercenter.audit import AuditApi
from cspbroker.providers.partnercenter.catalog import CatalogApi
from cspbroker.providers.partnercenter.customers import CustomersApi
from cspbroker.providers.partnercenter.entitlements import EntitlementsApi
from cspbroker.providers.partnercenter.orders import OrdersApi
from cspbroker.providers.partnercenter.reconciliation import ReconciliationApi
from cspbroker.providers.partnercenter.subscriptions import SubscriptionsApi
from cspbroker.providers.partnercenter.transitions import TransitionsApi
from cspbroker.providers.partnercenter.users import UsersApi

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_TOKEN_URL",
    "SANDBOX_PRICE_SHEET_PATH",
    "PartnerCenterClient",
]

DEFAULT_BASE_URL = "https://api.partnercenter.microsoft.com"
DEFAULT_TOKEN_URL = "https://login.microsoftonline.com/{tenant}/oauth2/token"
# Not a Microsoft route: the real price sheet is App+User only, on another host (see catalog.py).
SANDBOX_PRICE_SHEET_PATH = "/v1/sandbox/pricesheet"


class PartnerCenterClient(
    CustomersApi,
    UsersApi,
    CatalogApi,
    OrdersApi,
    SubscriptionsApi,
    TransitionsApi,
    EntitlementsApi,
    AuditApi,
    ReconciliationApi,
):
    """Implements TenantsPort, UsersAndLicencesPort, CatalogPort, OrdersPort, SubscriptionsPort,
    TransitionsPort, EntitlementsPort, AuditPort and ReconciliationPort."""

    capabilities: ProviderCapabilities = PARTNER_CENTER_CAPABILITIES

    def __init__(
        self,
        *,
        tenant_id: str,
        client_id: str,
        client_secret: str,
        base_url: str = DEFAULT_BASE_URL,
        token_url: str = DEFAULT_TOKEN_URL,
        resource: str = PARTNER_CENTER_RESOURCE,
        price_sheet_url: str | None = None,
        application_name: str = "cspbroker",
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        max_attempts: int = 5,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        token_clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """`tenant_id` is the partner's own Entra tenant (it goes into `token_url`'s `{tenant}`)."""
        auth = ClientCredentials(
            token_url.format(tenant=tenant_id),
            client_id,
            client_secret,
            resource=resource,
            transport=transport,
            clock=token_clock,
        )
        http = ProviderHttpClient(
            base_url,
            auth,
            timeout=timeout,
            max_attempts=max_attempts,
            transport=transport,
            sleep=sleep,
            default_headers={**MICROSOFT_HEADERS, "MS-PartnerCenter-Application": application_name},
        )
        self._setup(http, auth, price_sheet_url)

    @classmethod
    def from_http(
        cls, http: ProviderHttpClient, *, price_sheet_url: str | None = None
    ) -> PartnerCenterClient:
        """Wrap an already configured HTTP client (tests, or a custom authenticator)."""
        client = cls.__new__(cls)
        client._setup(http, None, price_sheet_url)
        return client

    def _setup(
        self, http: ProviderHttpClient, auth: Authenticator | None, price_sheet_url: str | None
    ) -> None:
        self._http = http
        self._auth = auth
        self._price_sheet_url = price_sheet_url or SANDBOX_PRICE_SHEET_PATH

    def close(self) -> None:
        self._http.close()
        if isinstance(self._auth, ClientCredentials):
            self._auth.close()

    def __enter__(self) -> PartnerCenterClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


if TYPE_CHECKING:
    from cspbroker.providers import ports

    def _implements_ports(client: PartnerCenterClient) -> None:
        """mypy proves here that the client satisfies every Partner Center port."""
        tenants: ports.TenantsPort = client
        users: ports.UsersAndLicencesPort = client
        catalog: ports.CatalogPort = client
        orders: ports.OrdersPort = client
        subscriptions: ports.SubscriptionsPort = client
        transitions: ports.TransitionsPort = client
        entitlements: ports.EntitlementsPort = client
        audit: ports.AuditPort = client
        reconciliation: ports.ReconciliationPort = client
        del tenants, users, catalog, orders, subscriptions, transitions, entitlements, audit
        del reconciliation
