"""Request and response helpers of the Partner Center sandbox: JSON, envelopes, seek paging."""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse

from ..common.errors import ApiError

CONTINUATION_HEADER = "MS-ContinuationToken"


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


class PCJSONResponse(JSONResponse):
    """JSON with Decimal support; `application/json; charset=utf-8` like the real service."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return json.dumps(content, default=_default, ensure_ascii=False, separators=(",", ":")).encode()


def respond(content: Any, status: int = 200, headers: dict[str, str] | None = None) -> PCJSONResponse:
    return PCJSONResponse(content, status_code=status, headers=headers)


def invalid_input(description: str, data: list[Any] | None = None) -> ApiError:
    return ApiError(400, 800002, description, data)


def not_found(code: int, description: str) -> ApiError:
    return ApiError(404, code, description)


def camelize(value: Any) -> Any:
    """Requests may use PascalCase (the docs' samples do); the sandbox reads camelCase."""
    if isinstance(value, dict):
        return {
            (key[:1].lower() + key[1:] if isinstance(key, str) else key): camelize(v)
            for key, v in value.items()
        }
    if isinstance(value, list):
        return [camelize(item) for item in value]
    return value


async def read_json(request: Request, *, required: bool = True) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip():
        if required:
            raise invalid_input("Invalid request input: the request body is empty.")
        return {}
    try:
        data = json.loads(raw)
    except ValueError as error:
        raise invalid_input(f"Invalid request input: the body is not valid JSON ({error}).") from error
    if not isinstance(data, dict):
        raise invalid_input("Invalid request input: the body must be a JSON object.")
    return dict(camelize(data))


def link(uri: str, method: str = "GET", headers: list[dict[str, str]] | None = None) -> dict[str, Any]:
    return {"uri": uri, "method": method, "headers": headers or []}


def collection(
    items: Sequence[Any],
    self_uri: str,
    *,
    next_link: dict[str, Any] | None = None,
    object_type: str = "Collection",
) -> dict[str, Any]:
    links: dict[str, Any] = {"self": link(self_uri)}
    if next_link:
        links["next"] = next_link
    return {
        "totalCount": len(items),
        "items": list(items),
        "links": links,
        "attributes": {"objectType": object_type},
    }


def int_param(request: Request, name: str, default: int, *, low: int = 1, high: int = 10_000) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as error:
        raise invalid_input(f"Invalid request input: '{name}' must be a whole number.") from error
    if not low <= value <= high:
        raise invalid_input(f"Invalid request input: '{name}' must be between {low} and {high}.")
    return value


def _token(offset: int) -> str:
    return base64.b64encode(json.dumps({"o": offset}).encode()).decode()


def _offset(token: str) -> int:
    try:
        value = json.loads(base64.b64decode(token, validate=True))
        offset = int(value["o"])
    except (ValueError, KeyError, TypeError) as error:
        raise invalid_input("Invalid request input: the continuation token is not valid.") from error
    if offset < 0:
        raise invalid_input("Invalid request input: the continuation token is not valid.")
    return offset


def seek_page(
    request: Request,
    items: Sequence[Any],
    path: str,
    *,
    default_size: int,
    max_size: int,
    extra_params: dict[str, str] | None = None,
) -> dict[str, Any]:
    """One page of a seek-paged collection.

    The first call sends `?size=`; the next page is `links.next`: the same query plus
    `seekOperation=Next`, with the token in the `MS-ContinuationToken` header (as Partner Center).
    `path` is relative to `/v1` (the real service's links are too).
    """
    size = int_param(request, "size", default_size, high=max_size)
    offset = 0
    seek = request.query_params.get("seekOperation") or request.query_params.get("seekoperation")
    token = request.headers.get(CONTINUATION_HEADER)
    if seek:
        if seek.lower() != "next":
            raise invalid_input("Invalid request input: seekOperation must be 'Next'.")
        if not token:
            raise invalid_input(
                f"Invalid request input: seekOperation=Next needs the {CONTINUATION_HEADER} header."
            )
        offset = _offset(token)
    params = {**(extra_params or {}), "size": str(size)}
    self_uri = f"{path}?{urlencode(params)}"
    page = items[offset : offset + size]
    next_link = None
    if offset + size < len(items):
        next_link = link(
            f"{path}?{urlencode({**params, 'seekOperation': 'Next'})}",
            headers=[{"key": CONTINUATION_HEADER, "value": _token(offset + size)}],
        )
    return collection(page, self_uri, next_link=next_link)
