"""Replay of repeated requests keyed by (client, method, path, MS-RequestId).

Partner Center: "MS-RequestId … used to ensure id-potency. If there's a timeout, the retry call should
include the same value." A POST (or PUT/PATCH/DELETE) that carries an `MS-RequestId` already seen from
the same client on the same path gets the first response back, byte for byte, and changes nothing.
Business failures are replayed too (the caller is told to reset the id after any answer); 5xx, 401,
408, 409 and 429 are not stored, so a retry after them runs again. A repeat that arrives while the
first is still running waits for it.

Usage: `idem = Idempotency(store)`; `Route(path, idem.wrap(endpoint), methods=["POST"])`.
The client key is `request.state.client_id` (set by the auth check), else "anonymous".
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from starlette.requests import Request
from starlette.responses import Response

from .store import Store

Endpoint = Callable[[Request], Awaitable[Response]]

_COLLECTION = "_idempotency"
_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_NOT_STORED = frozenset({401, 408, 409, 429})
_KEPT_HEADERS = ("content-type", "location", "etag", "retry-after")


class Idempotency:
    def __init__(self, store: Store, wait_seconds: float = 60.0) -> None:
        self.store = store
        self.wait_seconds = wait_seconds
        self._in_flight: dict[str, asyncio.Event] = {}

    @staticmethod
    def key_for(request: Request) -> str | None:
        if request.method not in _METHODS or not getattr(request.state, "request_id_sent", False):
            return None
        client = getattr(request.state, "client_id", None) or "anonymous"
        raw = f"{client}|{request.method}|{request.url.path}|{request.state.request_id}"
        return hashlib.sha256(raw.encode()).hexdigest()

    def _replay(self, key: str) -> Response | None:
        doc = self.store.get(_COLLECTION, key)
        if doc is None:
            return None
        response = Response(base64.b64decode(doc["body"]), status_code=doc["status"])
        for name, value in doc["headers"]:
            response.headers[name] = value
        return response

    def _remember(self, key: str, response: Response) -> None:
        if response.status_code >= 500 or response.status_code in _NOT_STORED:
            return
        body = bytes(getattr(response, "body", b""))
        headers = [[name, response.headers[name]] for name in _KEPT_HEADERS if name in response.headers]
        self.store.put(
            _COLLECTION,
            key,
            {
                "status": response.status_code,
                "headers": headers,
                "body": base64.b64encode(body).decode(),
                "at": datetime.now(UTC).isoformat(),
            },
        )

    async def run(self, request: Request, handler: Callable[[], Awaitable[Response]]) -> Response:
        key = self.key_for(request)
        if key is None:
            return await handler()
        while (event := self._in_flight.get(key)) is not None:
            try:
                await asyncio.wait_for(event.wait(), self.wait_seconds)
            except TimeoutError:
                break
        replayed = self._replay(key)
        if replayed is not None:
            return replayed
        event = asyncio.Event()
        self._in_flight[key] = event
        try:
            response = await handler()
            self._remember(key, response)
            return response
        finally:
            del self._in_flight[key]
            event.set()

    def wrap(self, endpoint: Endpoint) -> Endpoint:
        async def idempotent_endpoint(request: Request) -> Response:
            return await self.run(request, lambda: endpoint(request))

        idempotent_endpoint.__name__ = getattr(endpoint, "__name__", "idempotent_endpoint")
        return idempotent_endpoint
