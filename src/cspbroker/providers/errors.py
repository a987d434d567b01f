"""Typed errors raised by every provider client.

Two families matter to callers: `ProviderUnavailable` (transient: network errors, timeouts, 429,
5xx; the operation may be retried later with the same request id) and `ProviderRejected` (final:
the provider understood the request and said no, with its own error code and message).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "ErrorBody",
    "NotFound",
    "PreconditionFailed",
    "ProviderAuthError",
    "ProviderError",
    "ProviderRejected",
    "ProviderUnavailable",
    "error_for_status",
    "is_retryable_status",
    "parse_error_body",
]

# Partner Center reports a stale etag as 400 with code 2055 ("Etag is no longer valid") as well as
# with HTTP 412, so both are surfaced as PreconditionFailed.
_STALE_ETAG_CODES = frozenset({"2055"})


class ProviderError(Exception):
    """Base class: something went wrong talking to a provider."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        request_id: str | None = None,
        correlation_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.request_id = request_id
        self.correlation_id = correlation_id


class ProviderUnavailable(ProviderError):
    """Transient failure (network, timeout, 429, 5xx): retry later with the same request id."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        request_id: str | None = None,
        correlation_id: str | None = None,
        retry_after: float | None = None,
        attempts: int = 1,
    ) -> None:
        super().__init__(message, status=status, request_id=request_id, correlation_id=correlation_id)
        self.retry_after = retry_after
        self.attempts = attempts


class ProviderRejected(ProviderError):
    """Final failure: the provider refused the request. `code` is the provider's own code as text."""

    def __init__(
        self,
        message: str,
        *,
        code: str = "",
        description: str = "",
        data: Sequence[Any] = (),
        source: str | None = None,
        status: int | None = None,
        request_id: str | None = None,
        correlation_id: str | None = None,
    ) -> None:
        super().__init__(message, status=status, request_id=request_id, correlation_id=correlation_id)
        self.code = code
        self.description = description
        self.data = tuple(data)
        self.source = source


class ProviderAuthError(ProviderRejected):
    """Credentials refused (401, AAD `invalid_client`, …): fix the connection, don't retry."""


class PreconditionFailed(ProviderRejected):
    """412 or code 2055: the etag sent in If-Match is stale; re-read the resource and decide again."""


class NotFound(ProviderRejected):
    """404: the resource does not exist (or not yet: Partner Center is eventually consistent)."""


@dataclass(frozen=True)
class ErrorBody:
    """The parts of a provider error body that we understand."""

    code: str = ""
    description: str = ""
    data: tuple[Any, ...] = ()
    source: str | None = None


def parse_error_body(body: Any) -> ErrorBody:
    """Read any of the error shapes providers send.

    - Partner Center: `{code, description, data, source}` (code is a number or a string);
    - throttling gateway: `{statusCode, message}`;
    - Azure AD token endpoint: `{error, error_description, error_codes}`;
    - anything else: a plain text body becomes the description.
    """
    if isinstance(body, str):
        return ErrorBody(description=body.strip()[:1024])
    if not isinstance(body, Mapping):
        return ErrorBody()
    if "error" in body and isinstance(body.get("error"), str):
        codes = body.get("error_codes")
        return ErrorBody(
            code=str(body["error"]),
            description=_text(body.get("error_description")),
            data=tuple(codes) if isinstance(codes, list) else (),
            source="aad",
        )
    if "code" in body or "description" in body:
        data = body.get("data")
        return ErrorBody(
            code=_text(body.get("code")),
            description=_text(body.get("description")),
            data=tuple(data) if isinstance(data, list) else (() if data is None else (data,)),
            source=_text(body.get("source")) or None,
        )
    if "statusCode" in body or "message" in body:
        return ErrorBody(code=_text(body.get("statusCode")), description=_text(body.get("message")))
    return ErrorBody()


def error_for_status(
    status: int,
    body: Any,
    *,
    request_id: str | None = None,
    correlation_id: str | None = None,
    retry_after: float | None = None,
) -> ProviderError:
    """The exception for a non-success HTTP status and its (decoded) body."""
    parsed = parse_error_body(body)
    if is_retryable_status(status):
        message = parsed.description or f"provider unavailable (HTTP {status})"
        return ProviderUnavailable(
            message,
            status=status,
            request_id=request_id,
            correlation_id=correlation_id,
            retry_after=retry_after,
        )
    cls: type[ProviderRejected] = ProviderRejected
    if status == 401 or parsed.code in {"invalid_client", "unauthorized_client", "invalid_grant"}:
        cls = ProviderAuthError
    elif status == 412 or parsed.code in _STALE_ETAG_CODES:
        cls = PreconditionFailed
    elif status == 404:
        cls = NotFound
    label = f"{parsed.code}: " if parsed.code else ""
    message = f"HTTP {status}: {label}{parsed.description or 'request rejected'}"
    return cls(
        message,
        code=parsed.code,
        description=parsed.description,
        data=parsed.data,
        source=parsed.source,
        status=status,
        request_id=request_id,
        correlation_id=correlation_id,
    )


def is_retryable_status(status: int) -> bool:
    """429, 408 and 5xx except 501 (not implemented will not get better by waiting)."""
    return status in (408, 429) or (500 <= status <= 599 and status != 501)


def _text(value: Any) -> str:
    if value is None:
        return ""
    return str(value)
