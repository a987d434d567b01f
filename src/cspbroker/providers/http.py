"""The one hardened outbound HTTP client that every provider client is built on.

Per logical call it keeps one request id (Partner Center's `MS-RequestId`, its idempotency key) for
every retry, and sends a new correlation id per HTTP attempt. Transient failures (network errors,
timeouts, 429, 5xx) are retried with exponential backoff and jitter, honouring `Retry-After`; a
401 refreshes the token once. Everything else becomes a typed `ProviderRejected`.
"""

from __future__ import annotations

import logging
import random
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
from tenacity import RetryCallState, Retrying, retry_if_exception_type

from cspbroker.providers.auth import Authenticator
from cspbroker.providers.errors import ProviderError, ProviderUnavailable, error_for_status
from cspbroker.providers.parsing import decode_json, encode_json

__all__ = [
    "DEFAULT_TIMEOUT",
    "MICROSOFT_HEADERS",
    "ProviderHttpClient",
    "QueryParams",
    "Response",
    "parse_retry_after",
]

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=5.0)
# Partner Center asks for these on every call (reference §1.3). Other providers ignore them.
MICROSOFT_HEADERS: Mapping[str, str] = {"X-Locale": "en-US", "MS-Contract-Version": "v1"}

QueryValue = str | int | bool | list[str] | tuple[str, ...]
QueryParams = Mapping[str, QueryValue | None]


@dataclass(frozen=True)
class Response:
    """A successful response: status, headers, and the JSON body decoded with Decimal numbers."""

    status: int
    headers: Mapping[str, str]  # case-insensitive (httpx.Headers)
    body: Any
    request_id: str
    correlation_id: str
    elapsed_ms: float = field(default=0.0, compare=False)

    def object(self) -> Mapping[str, Any]:
        """The body as a JSON object; an empty or non-object body reads as `{}`."""
        return self.body if isinstance(self.body, Mapping) else {}


def parse_retry_after(value: str | None, *, now: float) -> float | None:
    """Seconds to wait from a `Retry-After` header: delta-seconds or an HTTP date."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - now)


@dataclass
class _Call:
    """State of one logical call across its attempts."""

    method: str
    path: str
    content: bytes | None
    params: QueryParams | None
    headers: Mapping[str, str]
    request_id: str
    attempts: int = 0
    refreshed_token: bool = False


class ProviderHttpClient:
    """Synchronous JSON-over-HTTP client with retries, idempotency ids and typed errors."""

    def __init__(
        self,
        base_url: str,
        auth: Authenticator | None,
        *,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        max_attempts: int = 5,
        backoff_base: float = 1.0,
        backoff_cap: float = 30.0,
        max_retry_after: float = 300.0,
        transport: httpx.BaseTransport | None = None,
        user_agent: str = "cspbroker-provider-client/0.1",
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        jitter: Callable[[], float] = random.random,
        default_headers: Mapping[str, str] = MICROSOFT_HEADERS,
        request_id_header: str = "MS-RequestId",
        correlation_id_header: str = "MS-CorrelationId",
        new_id: Callable[[], str] = lambda: str(uuid.uuid4()),
        max_connections: int = 10,
        max_keepalive_connections: int = 5,
    ) -> None:
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        self.base_url = base_url
        self._auth = auth
        self._max_attempts = max_attempts
        self._backoff_base = backoff_base
        self._backoff_cap = backoff_cap
        self._max_retry_after = max_retry_after
        self._sleep = sleep
        self._clock = clock
        self._jitter = jitter
        self._request_id_header = request_id_header
        self._correlation_id_header = correlation_id_header
        self._new_id = new_id
        self._client = httpx.Client(
            base_url=base_url,
            timeout=timeout,
            transport=transport,
            follow_redirects=False,
            limits=httpx.Limits(
                max_connections=max_connections, max_keepalive_connections=max_keepalive_connections
            ),
            headers={"User-Agent": user_agent, "Accept": "application/json", **default_headers},
        )

    def __enter__(self) -> ProviderHttpClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    # -- the public surface -------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: QueryParams | None = None,
        headers: Mapping[str, str] | None = None,
        request_id: str | None = None,
        if_match: str | None = None,
    ) -> Response:
        """Send one logical request, retrying transient failures; raise a ProviderError subclass."""
        extra = dict(headers or {})
        if if_match is not None:
            extra["If-Match"] = if_match
        content = None
        if json is not None:
            content = encode_json(json)
            extra.setdefault("Content-Type", "application/json")
        call = _Call(
            method=method.upper(),
            path=path,
            content=content,
            params=_clean_params(params),
            headers=extra,
            request_id=request_id or self._new_id(),
        )
        retrying = Retrying(
            stop=self._should_stop,
            wait=self._wait_seconds,
            retry=retry_if_exception_type(ProviderUnavailable),
            sleep=self._sleep,
            before_sleep=self._log_retry,
            reraise=True,
        )
        try:
            return retrying(self._attempt, call)
        except ProviderUnavailable as exc:
            exc.attempts = call.attempts
            raise

    def get(
        self,
        path: str,
        *,
        json: Any = None,
        params: QueryParams | None = None,
        headers: Mapping[str, str] | None = None,
        request_id: str | None = None,
        if_match: str | None = None,
    ) -> Response:
        return self.request(
            "GET", path, json=json, params=params, headers=headers, request_id=request_id, if_match=if_match
        )

    def post(
        self,
        path: str,
        *,
        json: Any = None,
        params: QueryParams | None = None,
        headers: Mapping[str, str] | None = None,
        request_id: str | None = None,
        if_match: str | None = None,
    ) -> Response:
        return self.request(
            "POST", path, json=json, params=params, headers=headers, request_id=request_id, if_match=if_match
        )

    def put(
        self,
        path: str,
        *,
        json: Any = None,
        params: QueryParams | None = None,
        headers: Mapping[str, str] | None = None,
        request_id: str | None = None,
        if_match: str | None = None,
    ) -> Response:
        return self.request(
            "PUT", path, json=json, params=params, headers=headers, request_id=request_id, if_match=if_match
        )

    def patch(
        self,
        path: str,
        *,
        json: Any = None,
        params: QueryParams | None = None,
        headers: Mapping[str, str] | None = None,
        request_id: str | None = None,
        if_match: str | None = None,
    ) -> Response:
        return self.request(
            "PATCH", path, json=json, params=params, headers=headers, request_id=request_id, if_match=if_match
        )

    def delete(
        self,
        path: str,
        *,
        json: Any = None,
        params: QueryParams | None = None,
        headers: Mapping[str, str] | None = None,
        request_id: str | None = None,
        if_match: str | None = None,
    ) -> Response:
        return self.request(
            "DELETE",
            path,
            json=json,
            params=params,
            headers=headers,
            request_id=request_id,
            if_match=if_match,
        )

    def head(
        self,
        path: str,
        *,
        json: Any = None,
        params: QueryParams | None = None,
        headers: Mapping[str, str] | None = None,
        request_id: str | None = None,
        if_match: str | None = None,
    ) -> Response:
        return self.request(
            "HEAD", path, json=json, params=params, headers=headers, request_id=request_id, if_match=if_match
        )

    # -- one attempt ----------------------------------------------------------------------------

    def _attempt(self, call: _Call) -> Response:
        call.attempts += 1
        while True:
            correlation_id = self._new_id()
            authorization = self._auth.authorization() if self._auth is not None else None
            response, elapsed_ms = self._send(call, correlation_id, authorization)
            if response.status_code == 401 and authorization is not None and not call.refreshed_token:
                # The token may have been revoked or rotated before its announced expiry: drop it
                # and try once more with a fresh one (same request id, new correlation id).
                assert self._auth is not None
                self._auth.invalidate(authorization)
                call.refreshed_token = True
                continue
            return self._result(call, response, correlation_id, elapsed_ms)

    def _send(
        self, call: _Call, correlation_id: str, authorization: str | None
    ) -> tuple[httpx.Response, float]:
        headers = {
            **call.headers,
            self._request_id_header: call.request_id,
            self._correlation_id_header: correlation_id,
        }
        if authorization is not None:
            headers["Authorization"] = authorization
        started = time.perf_counter()
        try:
            response = self._client.request(
                call.method, call.path, content=call.content, params=call.params, headers=headers
            )
        except (httpx.UnsupportedProtocol, httpx.InvalidURL) as exc:
            raise ProviderError(f"bad provider URL for {call.path}: {exc}") from exc
        except httpx.TimeoutException as exc:
            self._log(call, None, correlation_id, started)
            raise ProviderUnavailable(
                f"{call.method} {call.path} timed out ({type(exc).__name__})",
                request_id=call.request_id,
                correlation_id=correlation_id,
            ) from exc
        except httpx.TransportError as exc:
            self._log(call, None, correlation_id, started)
            raise ProviderUnavailable(
                f"{call.method} {call.path} failed: {type(exc).__name__}",
                request_id=call.request_id,
                correlation_id=correlation_id,
            ) from exc
        return response, self._log(call, response.status_code, correlation_id, started)

    def _result(
        self, call: _Call, response: httpx.Response, correlation_id: str, elapsed_ms: float
    ) -> Response:
        try:
            body: Any = decode_json(response.content)
        except ValueError:
            body = response.text
        if 200 <= response.status_code < 300:
            if isinstance(body, str):
                raise ProviderError(
                    f"{call.method} {call.path} returned a body that is not JSON",
                    status=response.status_code,
                    request_id=call.request_id,
                    correlation_id=correlation_id,
                )
            return Response(
                status=response.status_code,
                headers=response.headers,
                body=body,
                request_id=call.request_id,
                correlation_id=correlation_id,
                elapsed_ms=elapsed_ms,
            )
        raise error_for_status(
            response.status_code,
            body,
            request_id=call.request_id,
            correlation_id=correlation_id,
            retry_after=parse_retry_after(response.headers.get("Retry-After"), now=self._clock()),
        )

    # -- retry policy ---------------------------------------------------------------------------

    def _should_stop(self, state: RetryCallState) -> bool:
        if state.attempt_number >= self._max_attempts:
            return True
        error = state.outcome.exception() if state.outcome is not None else None
        # A provider asking for a very long pause is better served by the job scheduler than by
        # a worker sleeping: give up now and let the caller reschedule with exc.retry_after.
        return (
            isinstance(error, ProviderUnavailable)
            and error.retry_after is not None
            and error.retry_after > self._max_retry_after
        )

    def _wait_seconds(self, state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome is not None else None
        if isinstance(error, ProviderUnavailable) and error.retry_after is not None:
            return error.retry_after
        ceiling = min(self._backoff_cap, self._backoff_base * 2.0 ** (state.attempt_number - 1))
        # "Equal jitter": at least half the exponential step, so retries from many workers spread
        # out without collapsing to zero.
        return ceiling / 2 + ceiling / 2 * self._jitter()

    def _log_retry(self, state: RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome is not None else None
        wait = state.next_action.sleep if state.next_action is not None else 0.0
        logger.debug("retrying after attempt %d (%s); waiting %.2f s", state.attempt_number, error, wait)

    def _log(self, call: _Call, status: int | None, correlation_id: str, started: float) -> float:
        elapsed_ms = (time.perf_counter() - started) * 1000
        logger.debug(
            "%s %s -> %s request_id=%s correlation_id=%s %.0f ms",
            call.method,
            call.path.split("?", 1)[0],
            status if status is not None else "no response",
            call.request_id,
            correlation_id,
            elapsed_ms,
        )
        return elapsed_ms


def _clean_params(params: QueryParams | None) -> dict[str, QueryValue] | None:
    if params is None:
        return None
    cleaned: dict[str, QueryValue] = {}
    for key, value in params.items():
        if value is None:
            continue
        cleaned[key] = ("true" if value else "false") if isinstance(value, bool) else value
    return cleaned
