"""HTTP plumbing of the distributor's handlers: errors, bearer check, JSON bodies, the token endpoint."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qs

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from cspbroker.sandbox.common.auth import TokenError, TokenIssuer

from .state import DistributorError
from .wire import DecimalJSONResponse, loads

Endpoint = Callable[[Request], Awaitable[Response]]

SOURCE = "DistributorSandbox"
SCOPE = "rhipeapi"
TOKEN_PATH = "/core/connect/token"


def error_response(
    status: int,
    code: str,
    description: str,
    data: list[Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """Errors in the shape of reference §1.5 (`code`, `description`, `data`, `source`)."""
    body = {"code": code, "description": description, "data": data or [], "source": SOURCE}
    extra = {"WWW-Authenticate": "Bearer"} if status == 401 else {}
    return DecimalJSONResponse(body, status_code=status, headers={**extra, **(headers or {})})


async def distributor_error_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DistributorError)
    return error_response(exc.status, exc.code, exc.description, exc.data, exc.headers)


async def http_error_handler(request: Request, exc: Exception) -> Response:
    status = getattr(exc, "status_code", 500)
    names = {404: "NotFound", 405: "MethodNotAllowed"}
    response = error_response(status, names.get(status, str(status)), str(getattr(exc, "detail", "")))
    for name, value in (getattr(exc, "headers", None) or {}).items():
        response.headers[name] = value
    return response


EXCEPTION_HANDLERS = {DistributorError: distributor_error_handler, HTTPException: http_error_handler}


def require_bearer(issuer: TokenIssuer) -> Callable[[Endpoint], Endpoint]:
    """Refuse requests without a valid token of ours (401); remember the client for idempotency."""

    def decorate(endpoint: Endpoint) -> Endpoint:
        async def guarded(request: Request) -> Response:
            claims = issuer.claims_for(request.headers.get("authorization"))
            if claims is None:
                return error_response(401, "Unauthorized", "A valid Bearer token is required.")
            request.state.client_id = claims.get("appid")
            return await endpoint(request)

        guarded.__name__ = getattr(endpoint, "__name__", "guarded")
        return guarded

    return decorate


async def json_body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    try:
        body = loads(raw) if raw.strip() else {}
    except ValueError as error:
        raise DistributorError(400, "InvalidJson", f"The body is not valid JSON: {error}") from error
    if not isinstance(body, dict):
        raise DistributorError(400, "InvalidJson", "The body must be a JSON object.")
    return body


def token_route(issuer: TokenIssuer) -> Route:
    """PRISM's identity server: form `grant_type=client_credentials&client_id&client_secret&scope`."""

    async def token(request: Request) -> Response:
        raw = (await request.body()).decode("utf-8", errors="replace")
        form = {key: values[0] for key, values in parse_qs(raw).items()}
        if form.get("grant_type") != "client_credentials":
            return JSONResponse({"error": "unsupported_grant_type"}, status_code=400)
        if SCOPE not in form.get("scope", "").split():
            return JSONResponse({"error": "invalid_scope"}, status_code=400)
        try:
            issued = issuer.issue(form.get("client_id"), form.get("client_secret"), SCOPE)
        except TokenError:
            # The identity server does not say which of the two was wrong.
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        body = {
            "access_token": issued["access_token"],
            "expires_in": int(issued["expires_in"]),
            "token_type": "Bearer",
            "scope": SCOPE,
        }
        return JSONResponse(body, headers={"cache-control": "no-store", "pragma": "no-cache"})

    return Route(TOKEN_PATH, token, methods=["POST"])
