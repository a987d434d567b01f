"""The ESD sandbox's routes (camelCase JSON, our model). Handlers only translate HTTP to `state`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from html import escape
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route

from cspbroker.sandbox.common.auth import TokenIssuer
from cspbroker.sandbox.common.idempotency import Idempotency
from cspbroker.sandbox.distributor.wire import DecimalJSONResponse, loads

from .state import EsdError, EsdState, product_view

Endpoint = Callable[[Request], Awaitable[Response]]
SOURCE = "EsdSandbox"


def error_response(status: int, code: str, description: str, data: list[Any] | None = None) -> Response:
    body = {"code": code, "description": description, "data": data or [], "source": SOURCE}
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return DecimalJSONResponse(body, status_code=status, headers=headers)


async def esd_error_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, EsdError)
    return error_response(exc.status, exc.code, exc.description, exc.data)


async def http_error_handler(request: Request, exc: Exception) -> Response:
    status = getattr(exc, "status_code", 500)
    names = {404: "NotFound", 405: "MethodNotAllowed"}
    response = error_response(status, names.get(status, str(status)), str(getattr(exc, "detail", "")))
    for name, value in (getattr(exc, "headers", None) or {}).items():
        response.headers[name] = value
    return response


EXCEPTION_HANDLERS = {EsdError: esd_error_handler, HTTPException: http_error_handler}


async def _json_body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    try:
        body = loads(raw) if raw.strip() else {}
    except ValueError as error:
        raise EsdError(400, "InvalidJson", f"The body is not valid JSON: {error}") from error
    if not isinstance(body, dict):
        raise EsdError(400, "InvalidJson", "The body must be a JSON object.")
    return body


def _collection(items: list[dict[str, Any]]) -> dict[str, Any]:
    return {"items": items, "totalCount": len(items)}


def api_routes(state: EsdState, issuer: TokenIssuer, idempotency: Idempotency) -> list[BaseRoute]:
    def guard(endpoint: Endpoint) -> Endpoint:
        async def guarded(request: Request) -> Response:
            claims = issuer.claims_for(request.headers.get("authorization"))
            if claims is None:
                return error_response(401, "Unauthorized", "A valid Bearer token is required.")
            request.state.client_id = claims.get("appid")
            return await endpoint(request)

        return guarded

    async def products(request: Request) -> Response:
        return DecimalJSONResponse(_collection([product_view(p) for p in state.products.values()]))

    async def product(request: Request) -> Response:
        found = state.products.get(request.path_params["product_id"])
        if found is None:
            raise EsdError(
                404, "ProductNotFound", f"Product {request.path_params['product_id']} was not found."
            )
        return DecimalJSONResponse(product_view(found))

    async def accounts(request: Request) -> Response:
        return DecimalJSONResponse(_collection(state.accounts()))

    async def put_account(request: Request) -> Response:
        account, created = state.sync_account(request.path_params["account_id"], await _json_body(request))
        return DecimalJSONResponse(account, status_code=201 if created else 200)

    async def get_account(request: Request) -> Response:
        return DecimalJSONResponse(state.account(request.path_params["account_id"]))

    async def issue_tokens(request: Request) -> Response:
        body = await _json_body(request)
        base_url = str(request.base_url).rstrip("/")
        tokens = state.issue_tokens(request.path_params["account_id"], body, base_url)
        return DecimalJSONResponse(tokens, status_code=201)

    async def account_tokens(request: Request) -> Response:
        return DecimalJSONResponse(_collection(state.tokens_of(request.path_params["account_id"])))

    async def get_token(request: Request) -> Response:
        return DecimalJSONResponse(state.token(request.path_params["token_id"]))

    async def return_token(request: Request) -> Response:
        return DecimalJSONResponse(state.return_token(request.path_params["token_id"]))

    async def renew_download_link(request: Request) -> Response:
        return DecimalJSONResponse(state.renew_download_link(request.path_params["token_id"]))

    def route(path: str, endpoint: Endpoint, method: str, *, idempotent: bool = False) -> Route:
        return Route(path, guard(idempotency.wrap(endpoint) if idempotent else endpoint), methods=[method])

    return [
        route("/api/v1/products", products, "GET"),
        route("/api/v1/products/{product_id}", product, "GET"),
        route("/api/v1/accounts", accounts, "GET"),
        route("/api/v1/accounts/{account_id}", put_account, "PUT", idempotent=True),
        route("/api/v1/accounts/{account_id}", get_account, "GET"),
        route("/api/v1/accounts/{account_id}/tokens", issue_tokens, "POST", idempotent=True),
        route("/api/v1/accounts/{account_id}/tokens", account_tokens, "GET"),
        route("/api/v1/tokens/{token_id}", get_token, "GET"),
        route("/api/v1/tokens/{token_id}/return", return_token, "POST", idempotent=True),
        route("/api/v1/tokens/{token_id}/download-link", renew_download_link, "POST", idempotent=True),
    ]


def link_routes(state: EsdState) -> list[BaseRoute]:
    """What the links in a licence email open: no token needed, like Microsoft's own download pages."""

    async def activate(request: Request) -> Response:
        token = state.token(request.path_params["token_id"])
        if token["status"] == "Returned":
            return HTMLResponse("<h1>This licence was returned.</h1>", status_code=410)
        return HTMLResponse(
            f"<h1>Activate {escape(token['productName'])}</h1><p>Product key: "
            f"<code>{escape(token['productKey'])}</code></p>"
        )

    async def download(request: Request) -> Response:
        token = state.token(request.path_params["token_id"])
        current = token["downloadLink"].rpartition("?v=")[2]
        if (
            token["status"] == "Returned"
            or state.download_expired(token)
            or request.query_params.get("v", "1") != current
        ):
            return HTMLResponse("<h1>This download link has expired.</h1>", status_code=410)
        return HTMLResponse(f"<h1>Download {escape(token['productName'])}</h1><p>(sandbox: no file)</p>")

    return [
        Route("/activate/{token_id}", activate, methods=["GET"]),
        Route("/download/{token_id}", download, methods=["GET"]),
    ]
