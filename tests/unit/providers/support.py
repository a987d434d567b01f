"""Fakes for the provider client tests: a scripted Partner Center behind httpx.MockTransport."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

from cspbroker.providers.partnercenter import PartnerCenterClient

FIXTURES = Path(__file__).parent / "fixtures"
BASE_URL = "https://pc.example.test"
TOKEN_URL = "https://login.example.test/{tenant}/oauth2/token"
PARTNER_TENANT = "7d3e0c8e-1f4b-4c55-9a0e-1e2f3a4b5c6d"
CLIENT_ID = "11111111-2222-3333-4444-555555555555"
CLIENT_SECRET = "s3cr3t-value-never-logged"
ACCESS_TOKEN = "eyJ0eXAiOiJKV1Qi.sandbox-token"

Script = httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def fixture(name: str) -> Any:
    return json.loads(fixture_bytes(name), parse_float=Decimal)


def respond(
    status: int = 200, body: Any = None, *, headers: Mapping[str, str] | None = None
) -> httpx.Response:
    """A response whose body is `body` as JSON (bytes are sent as they are)."""
    if body is None:
        return httpx.Response(status, headers=headers)
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return httpx.Response(
        status, content=content, headers={"Content-Type": "application/json", **(headers or {})}
    )


def collection(items: list[Any], next_uri: str | None = None, token: str | None = None) -> dict[str, Any]:
    links: dict[str, Any] = {"self": {"uri": "/self", "method": "GET", "headers": []}}
    if next_uri is not None:
        headers = [{"key": "MS-ContinuationToken", "value": token}] if token else []
        links["next"] = {"uri": next_uri, "method": "GET", "headers": headers}
    return {
        "totalCount": len(items),
        "items": items,
        "links": links,
        "attributes": {"objectType": "Collection"},
    }


class FakeProvider:
    """Answers the token endpoint itself, records API requests and replays a script for them."""

    def __init__(
        self,
        *script: Script,
        token_status: int = 200,
        token_body: Any = None,
        token_script: list[Script] | None = None,
    ) -> None:
        self.script = list(script)
        self.token_script = list(token_script or [])
        self.requests: list[httpx.Request] = []
        self.token_requests: list[httpx.Request] = []
        self.token_status = token_status
        self.token_body = token_body if token_body is not None else fixture_bytes("token_response.json")

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/token"):
            self.token_requests.append(request)
            if not self.token_script:
                return respond(self.token_status, self.token_body)
            return self._play(self.token_script.pop(0), request)
        self.requests.append(request)
        if not self.script:
            raise AssertionError(f"unexpected request {request.method} {request.url}")
        return self._play(self.script.pop(0), request)

    @staticmethod
    def _play(step: Script, request: httpx.Request) -> httpx.Response:
        if isinstance(step, Exception):
            raise step
        if callable(step):
            return step(request)
        return step

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)

    def body(self, index: int = -1) -> Any:
        return json.loads(self.requests[index].content)


def make_client(
    fake: FakeProvider, *, sleeps: list[float] | None = None, **kwargs: Any
) -> PartnerCenterClient:
    waits = sleeps if sleeps is not None else []
    return PartnerCenterClient(
        tenant_id=PARTNER_TENANT,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        base_url=BASE_URL,
        token_url=TOKEN_URL,
        transport=fake.transport,
        sleep=waits.append,
        **kwargs,
    )


def floats_in(value: Any, path: str = "$") -> list[str]:
    """Paths of every float reachable from `value` (dataclasses, mappings, sequences)."""
    if isinstance(value, float):
        return [path]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        found: list[str] = []
        for f in dataclasses.fields(value):
            found += floats_in(getattr(value, f.name), f"{path}.{f.name}")
        return found
    if isinstance(value, Mapping):
        return [p for k, v in value.items() for p in floats_in(v, f"{path}[{k!r}]")]
    if isinstance(value, list | tuple):
        return [p for i, v in enumerate(value) for p in floats_in(v, f"{path}[{i}]")]
    return []
