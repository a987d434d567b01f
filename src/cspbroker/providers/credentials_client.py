"""The common shape of a provider client that authenticates with client credentials (distributor, ESD)."""

from __future__ import annotations

from typing import Self

import httpx

from cspbroker.providers.auth import ClientCredentials
from cspbroker.providers.http import DEFAULT_TIMEOUT, ProviderHttpClient


class CredentialsClient:
    """Owns one token source and one hardened HTTP client; subclasses add the provider's operations."""

    default_scope: str = ""

    def __init__(
        self,
        base_url: str,
        token_url: str,
        client_id: str,
        client_secret: str,
        *,
        scope: str | None = None,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        max_attempts: int = 5,
        backoff_base: float = 1.0,
        max_retry_after: float = 300.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._auth = ClientCredentials(
            token_url, client_id, client_secret, scope=scope or self.default_scope, transport=transport
        )
        self._http = ProviderHttpClient(
            base_url,
            self._auth,
            timeout=timeout,
            max_attempts=max_attempts,
            backoff_base=backoff_base,
            max_retry_after=max_retry_after,
            transport=transport,
            default_headers={},
        )

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()
        self._auth.close()

    @property
    def http(self) -> ProviderHttpClient:
        """The underlying HTTP client, for calls the subclass does not wrap."""
        return self._http
