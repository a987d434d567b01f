"""Fault injection: rate limiting, server errors, latency, dropped connections and timeouts.

A rule (JSON on `/_sandbox/faults`, snake_case or camelCase):

    {"kind": "429"|"500"|"503"|"latency"|"drop"|"timeout",
     "path_pattern": "regex searched in the path" | null (every API path),
     "method": "GET" | null, "rate": 0.0..1.0 (default 1.0), "next_n": int | null,
     "latency_ms": int, "retry_after": int (seconds, 429 and optionally 503)}

`next_n` makes the rule fire on the next N matching requests only (then it is removed); otherwise it
fires with probability `rate`, drawn from a `random.Random(seed)`, so a run is repeatable. Latency
rules add up and let the request go on; the first matching failure rule answers instead of the
handler. "drop" closes the connection without a response; "timeout" waits `latency_ms` (default 30 s)
and then drops. Paths under `/_sandbox`, the admin page `/` and token endpoints are only faulted by a
rule whose `path_pattern` names them (contains "_sandbox", "oauth2" or "token"); `/_sandbox/faults`
itself never is, so a fault can always be removed.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import re
import threading
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

from .app import RAW_SEND
from .errors import pc_error_body

KINDS = ("429", "500", "503", "latency", "drop", "timeout")
_EXEMPT = re.compile(r"^/_sandbox(/|$)|^/$|/oauth2/|/connect/token|/token$")
_EXEMPT_WORDS = ("_sandbox", "oauth2", "token")
DEFAULT_TIMEOUT_MS = 30_000


@dataclass
class FaultRule:
    kind: str
    path_pattern: str | None = None
    method: str | None = None
    rate: float = 1.0
    next_n: int | None = None
    latency_ms: int = 0
    retry_after: int = 2
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    fired: int = 0

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FaultRule:
        def pick(snake: str, camel: str) -> Any:
            return data.get(snake, data.get(camel))

        kind = str(data.get("kind", ""))
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}")
        pattern = pick("path_pattern", "pathPattern")
        if pattern is not None:
            re.compile(pattern)
        rate = float(data.get("rate", 1.0))
        if not 0.0 <= rate <= 1.0:
            raise ValueError("rate must be between 0 and 1")
        next_n = pick("next_n", "nextN")
        retry_after = pick("retry_after", "retryAfter")  # 0 is a valid answer: retry at once
        if next_n is not None and int(next_n) < 1:
            raise ValueError("next_n must be at least 1")
        method = data.get("method")
        return cls(
            kind=kind,
            path_pattern=pattern,
            method=str(method).upper() if method else None,
            rate=rate,
            next_n=int(next_n) if next_n is not None else None,
            latency_ms=int(pick("latency_ms", "latencyMs") or 0),
            retry_after=int(2 if retry_after is None else retry_after),
        )

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def matches(self, method: str, path: str) -> bool:
        if self.method and self.method != method.upper():
            return False
        if path.startswith("/_sandbox/faults"):
            return False
        if self.path_pattern is None:
            return not _EXEMPT.search(path)
        if not re.search(self.path_pattern, path):
            return False
        return not _EXEMPT.search(path) or any(word in self.path_pattern for word in _EXEMPT_WORDS)


class FaultInjector:
    """Holds the rules (in memory) and decides, deterministically for a seed, which one fires."""

    def __init__(self, seed: int = 0) -> None:
        self.seed = seed
        self._random = random.Random(seed)
        self._rules: list[FaultRule] = []
        self._lock = threading.Lock()

    def add(self, rule: FaultRule | dict[str, Any]) -> FaultRule:
        if isinstance(rule, dict):
            rule = FaultRule.from_json(rule)
        with self._lock:
            self._rules.append(rule)
        return rule

    def remove(self, rule_id: str) -> bool:
        with self._lock:
            before = len(self._rules)
            self._rules = [rule for rule in self._rules if rule.id != rule_id]
            return len(self._rules) < before

    def clear(self) -> None:
        with self._lock:
            self._rules = []
            self._random = random.Random(self.seed)

    def rules(self) -> list[FaultRule]:
        with self._lock:
            return list(self._rules)

    def _fires(self, rule: FaultRule) -> bool:
        if rule.next_n is not None:
            rule.next_n -= 1
            if rule.next_n <= 0:
                self._rules.remove(rule)
            return True
        return rule.rate >= 1.0 or self._random.random() < rule.rate

    def decide(self, method: str, path: str) -> tuple[int, FaultRule | None]:
        """(latency to add in ms, the failure rule to apply or None) for one request."""
        latency = 0
        with self._lock:
            for rule in list(self._rules):
                if not rule.matches(method, path):
                    continue
                if rule.kind == "latency":
                    if self._fires(rule):
                        rule.fired += 1
                        latency += rule.latency_ms
                    continue
                if self._fires(rule):
                    rule.fired += 1
                    return latency, rule
        return latency, None


def default_error_body(status: int, rule: FaultRule) -> dict[str, Any]:
    if status == 503:
        return pc_error_body(503, "The service is temporarily unavailable. Please try again later.")
    return pc_error_body(500, "An internal error occurred while processing the request.")


def rate_limit_body(retry_after: int) -> dict[str, Any]:
    return {"statusCode": 429, "message": f"Rate limit is exceeded. Try again in {retry_after} seconds."}


def _close_connection(scope: Scope, send: Send) -> bool:
    """Close the client's connection without a response (uvicorn: the cycle owns the transport)."""
    cycle = getattr(scope.get(RAW_SEND, send), "__self__", None)
    transport = getattr(cycle, "transport", None)
    if transport is None:
        return False
    transport.close()
    cycle.disconnected = True  # type: ignore[union-attr]
    return True


async def _wait_for_disconnect(receive: Receive, seconds: float) -> None:
    """Hold the request for `seconds`, or until the client gives up first."""

    async def disconnected() -> None:
        while (await receive())["type"] != "http.disconnect":
            pass

    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(disconnected(), seconds)


class FaultMiddleware:
    """ASGI middleware applying the injector's rules before the handler runs."""

    def __init__(
        self,
        app: ASGIApp,
        injector: FaultInjector,
        error_body: Callable[[int, FaultRule], dict[str, Any]] = default_error_body,
    ) -> None:
        self.app = app
        self.injector = injector
        self.error_body = error_body

    async def _respond(
        self, send: Send, status: int, body: dict[str, Any], headers: list[tuple[bytes, bytes]]
    ) -> None:
        payload = json.dumps(body).encode()
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(payload)).encode()),
                    *headers,
                ],
            }
        )
        await send({"type": "http.response.body", "body": payload})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        latency_ms, rule = self.injector.decide(scope["method"], scope["path"])
        if latency_ms:
            await asyncio.sleep(latency_ms / 1000)
        if rule is None:
            await self.app(scope, receive, send)
            return
        if rule.kind == "429":
            retry = str(rule.retry_after).encode()
            await self._respond(send, 429, rate_limit_body(rule.retry_after), [(b"retry-after", retry)])
        elif rule.kind in ("500", "503"):
            status = int(rule.kind)
            headers = [(b"retry-after", str(rule.retry_after).encode())] if status == 503 else []
            await self._respond(send, status, self.error_body(status, rule), headers)
        else:
            if rule.kind == "timeout":
                await _wait_for_disconnect(receive, (rule.latency_ms or DEFAULT_TIMEOUT_MS) / 1000)
            if not _close_connection(scope, send):
                raise ConnectionAbortedError("sandbox fault: connection dropped")
