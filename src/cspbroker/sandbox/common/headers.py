"""Partner Center response headers: echo MS-RequestId / MS-CorrelationId, add MS-CV and MS-ServerId.

`RequestHeadersMiddleware` is plain ASGI. It generates the ids when the caller sent none and puts
them in `scope["state"]` (`request.state.request_id`, `request.state.correlation_id`,
`request.state.request_id_sent`) so handlers can use them for idempotency and audit records.
"""

from __future__ import annotations

import base64
import secrets
import uuid
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUEST_ID = "ms-requestid"
CORRELATION_ID = "ms-correlationid"


def header(scope: Scope, name: str) -> str | None:
    wanted = name.lower().encode()
    for key, value in scope.get("headers", []):
        if key.lower() == wanted:
            return str(value.decode("latin-1"))
    return None


def _cv() -> str:
    return base64.b64encode(secrets.token_bytes(12)).decode().rstrip("=")[:16] + ".0"


class RequestHeadersMiddleware:
    def __init__(self, app: ASGIApp, server_id: str = "102030524") -> None:
        self.app = app
        self.server_id = server_id

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        sent_request_id = header(scope, REQUEST_ID)
        request_id = sent_request_id or str(uuid.uuid4())
        correlation_id = header(scope, CORRELATION_ID) or str(uuid.uuid4())
        state: dict[str, Any] = scope.setdefault("state", {})
        state["request_id"] = request_id
        state["request_id_sent"] = sent_request_id is not None
        state["correlation_id"] = correlation_id
        extra = [
            (b"ms-requestid", request_id.encode("latin-1")),
            (b"ms-correlationid", correlation_id.encode("latin-1")),
            (b"ms-cv", _cv().encode()),
            (b"ms-serverid", self.server_id.encode()),
        ]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {b"ms-requestid", b"ms-correlationid", b"ms-cv", b"ms-serverid"}
                kept = [(k, v) for k, v in message.get("headers", []) if k.lower() not in names]
                message = {**message, "headers": kept + extra}
            await send(message)

        await self.app(scope, receive, send_with_headers)
