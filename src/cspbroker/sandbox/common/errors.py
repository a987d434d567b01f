"""Partner Center error bodies: `{"code", "description", "data": [], "source": "PartnerFD"}`."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response


class ApiError(Exception):
    """Raise from a handler; `api_error_handler` renders it. `body` overrides the PC shape if given."""

    def __init__(
        self,
        status: int,
        code: int | str,
        description: str,
        data: list[Any] | None = None,
        *,
        source: str = "PartnerFD",
        body: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(description)
        self.status = status
        self.code = code
        self.description = description
        self.data = data or []
        self.source = source
        self._body = body
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        if self._body is not None:
            return self._body
        return pc_error_body(self.code, self.description, self.data, self.source)


def pc_error_body(
    code: int | str, description: str, data: list[Any] | None = None, source: str = "PartnerFD"
) -> dict[str, Any]:
    return {"code": code, "description": description, "data": data or [], "source": source}


def pc_error(status: int, code: int | str, description: str, data: list[Any] | None = None) -> JSONResponse:
    return JSONResponse(pc_error_body(code, description, data), status_code=status)


async def api_error_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return JSONResponse(exc.body(), status_code=exc.status, headers=exc.headers)


async def not_found_handler(request: Request, exc: Exception) -> Response:
    """Unknown routes answer in the PC shape, not Starlette's plain text."""
    status = getattr(exc, "status_code", 404)
    detail = getattr(exc, "detail", "Not Found")
    return JSONResponse(pc_error_body(status, str(detail)), status_code=status)
