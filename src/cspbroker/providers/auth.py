"""OAuth 2.0 client-credentials tokens, cached until shortly before they expire.

Used for Partner Center (Azure AD v1 endpoint with `resource=`) and for distributors whose identity
server takes `scope=` instead. Secrets and tokens never appear in logs, reprs or error messages.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable
from typing import Protocol

import httpx

from cspbroker.providers.errors import (
    ProviderAuthError,
    ProviderError,
    ProviderUnavailable,
    error_for_status,
)
from cspbroker.providers.parsing import as_mapping, decode_json, opt_decimal, opt_str

__all__ = [
    "PARTNER_CENTER_RESOURCE",
    "Authenticator",
    "ClientCredentials",
    "InvalidClientId",
    "StaticBearerToken",
    "validate_client_id",
]

logger = logging.getLogger(__name__)

PARTNER_CENTER_RESOURCE = "https://api.partnercenter.microsoft.com"
_GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_TOKEN_TIMEOUT = httpx.Timeout(30.0, connect=5.0)
_CLIENT_ID_MESSAGE = "client id must be a GUID: 8-4-4-4-12 hex digits with dashes"


class InvalidClientId(ValueError):
    """The client id is not a GUID."""


def validate_client_id(client_id: str) -> str:
    """Return the client id stripped of surrounding blanks, or raise InvalidClientId."""
    candidate = client_id.strip()
    if not _GUID.fullmatch(candidate):
        raise InvalidClientId(_CLIENT_ID_MESSAGE)
    return candidate


class Authenticator(Protocol):
    """What the HTTP client needs: an Authorization header value, and a way to drop a bad token."""

    def authorization(self) -> str:
        """The `Authorization` header value, e.g. `Bearer eyJ…`."""
        ...

    def invalidate(self, authorization: str) -> None:
        """Forget `authorization` (the provider answered 401 to it) so the next call fetches anew."""
        ...


class StaticBearerToken:
    """A fixed bearer token (for providers that issue long-lived API keys, and for tests)."""

    def __init__(self, token: str) -> None:
        self._token = token

    def authorization(self) -> str:
        return f"Bearer {self._token}"

    def invalidate(self, authorization: str) -> None:
        """Nothing to refresh: a fixed token that is refused stays refused."""

    def __repr__(self) -> str:
        return "StaticBearerToken(token=***)"


class ClientCredentials:
    """`grant_type=client_credentials` tokens, cached and refreshed `refresh_margin` seconds early.

    Thread-safe: one lock guards the cache, so concurrent callers share a single token request.
    """

    def __init__(
        self,
        token_url: str,
        client_id: str,
        client_secret: str,
        *,
        resource: str | None = None,
        scope: str | None = None,
        require_guid_client_id: bool = True,
        refresh_margin: float = 300.0,
        timeout: httpx.Timeout | float = _TOKEN_TIMEOUT,
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
        user_agent: str = "cspbroker",
    ) -> None:
        if resource is None and scope is None:
            raise ValueError("give the token request a resource or a scope")
        self.client_id = validate_client_id(client_id) if require_guid_client_id else client_id.strip()
        if not client_secret:
            raise ValueError("client secret is empty")
        self.token_url = token_url
        self.resource = resource
        self.scope = scope
        self._client_secret = client_secret
        self._refresh_margin = refresh_margin
        self._clock = clock
        self._lock = threading.Lock()
        self._token: str | None = None
        self._expires_at = 0.0
        self._http = httpx.Client(
            timeout=timeout,
            transport=transport,
            headers={"User-Agent": user_agent, "Accept": "application/json"},
            limits=httpx.Limits(max_connections=4, max_keepalive_connections=2),
        )

    def __repr__(self) -> str:
        return f"ClientCredentials(token_url={self.token_url!r}, client_id={self.client_id!r}, secret=***)"

    def authorization(self) -> str:
        with self._lock:
            if self._token is None or self._clock() >= self._expires_at - self._refresh_margin:
                self._token, lifetime = self._fetch()
                self._expires_at = self._clock() + lifetime
            return f"Bearer {self._token}"

    def invalidate(self, authorization: str) -> None:
        with self._lock:
            # Only drop the cached token if it is the one that was refused: another thread may
            # already have replaced it.
            if self._token is not None and authorization == f"Bearer {self._token}":
                self._token = None
                self._expires_at = 0.0

    def close(self) -> None:
        self._http.close()

    def _form(self) -> dict[str, str]:
        form = {
            "grant_type": "client_credentials",
            "client_id": self.client_id,
            "client_secret": self._client_secret,
        }
        if self.resource is not None:
            form["resource"] = self.resource
        if self.scope is not None:
            form["scope"] = self.scope
        return form

    def _fetch(self) -> tuple[str, float]:
        started = time.perf_counter()
        try:
            response = self._http.post(self.token_url, data=self._form())
        except httpx.TimeoutException as exc:
            raise ProviderUnavailable("token request timed out") from exc
        except httpx.TransportError as exc:
            raise ProviderUnavailable(f"token endpoint unreachable: {type(exc).__name__}") from exc
        logger.debug(
            "token request POST %s -> %s in %.0f ms",
            response.url.path,
            response.status_code,
            (time.perf_counter() - started) * 1000,
        )
        try:
            body = decode_json(response.content)
        except ValueError:
            body = response.text
        if response.status_code != 200:
            error = error_for_status(response.status_code, body)
            if isinstance(error, ProviderUnavailable):
                raise error
            raise ProviderAuthError(
                f"token request refused: {getattr(error, 'code', '') or response.status_code}",
                code=getattr(error, "code", ""),
                description=getattr(error, "description", ""),
                data=getattr(error, "data", ()),
                source="token",
                status=response.status_code,
            )
        data = as_mapping(body)
        token = opt_str(data.get("access_token"))
        if not token:
            raise ProviderError("token response carries no access_token", status=response.status_code)
        # AAD v1 sends expires_in as a string ("3600"); v2 and most others send a number.
        lifetime = opt_decimal(data.get("expires_in"))
        return token, float(lifetime) if lifetime is not None else 3600.0
