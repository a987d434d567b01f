"""Admin endpoints every sandbox has (never faulted, no token needed: they stand for the test harness).

- `GET /_sandbox/clock` → `{"now": iso, "offsetSeconds": n}`
- `POST /_sandbox/clock` with `{"advance": "P3D" | "PT2H" | "P1DT3H" | seconds}` or `{"set": iso}` →
  `{"now": iso, ...}`; 400 when the body is malformed or would move the clock back.
- `GET /_sandbox/faults` → `{"items": [rule, ...]}`; `POST` a rule (see `faults`) → 201 with the rule
  and its `id`; `DELETE /_sandbox/faults` removes all; `DELETE /_sandbox/faults/{id}` removes one.
- `POST /_sandbox/reset` → wipes the store (state, clock offset), clears faults, then calls `on_reset`
  (which re-seeds) → `{"reset": true}`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from .clock import SandboxClock
from .faults import FaultInjector

_DURATION = re.compile(
    r"^P(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?"
    r"(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?$"
)


def parse_duration(value: Any) -> timedelta:
    """ISO 8601 durations in weeks, days, hours, minutes and seconds (no months/years), or seconds."""
    if isinstance(value, bool):
        raise ValueError("a duration is an ISO 8601 string like P3D or a number of seconds")
    if isinstance(value, int | float):
        return timedelta(seconds=float(value))
    match = _DURATION.match(str(value).strip().upper())
    if not match or str(value).strip().upper() in ("P", "PT"):
        raise ValueError(f"not an ISO 8601 duration: {value!r} (use e.g. P3D, PT2H, P1DT30M)")
    parts = {name: float(amount) for name, amount in match.groupdict().items() if amount}
    return timedelta(**parts)


def parse_instant(value: Any) -> datetime:
    text = str(value).strip().replace("Z", "+00:00")
    at = datetime.fromisoformat(text)
    if at.tzinfo is None:
        raise ValueError("the time must carry a time zone, e.g. 2026-01-31T00:00:00Z")
    return at


def _bad_request(message: str) -> JSONResponse:
    return JSONResponse({"error": "bad_request", "message": message}, status_code=400)


async def _json(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip():
        return {}
    data = await request.json()
    if not isinstance(data, dict):
        raise ValueError("the body must be a JSON object")
    return data


def sandbox_admin_routes(
    clock: SandboxClock,
    faults: FaultInjector,
    extra: list[BaseRoute] | None = None,
    *,
    on_reset: Callable[[], None] | None = None,
) -> list[BaseRoute]:
    def clock_body() -> dict[str, Any]:
        return {"now": clock.now().isoformat(), "offsetSeconds": clock.offset().total_seconds()}

    async def get_clock(request: Request) -> Response:
        return JSONResponse(clock_body())

    async def post_clock(request: Request) -> Response:
        try:
            body = await _json(request)
            if "advance" in body:
                clock.advance(parse_duration(body["advance"]))
            elif "set" in body:
                clock.set(parse_instant(body["set"]))
            else:
                raise ValueError('send {"advance": "P3D"} or {"set": "2026-01-31T00:00:00Z"}')
        except ValueError as error:
            return _bad_request(str(error))
        return JSONResponse(clock_body())

    async def list_faults(request: Request) -> Response:
        return JSONResponse({"items": [rule.to_json() for rule in faults.rules()]})

    async def add_fault(request: Request) -> Response:
        try:
            rule = faults.add(await _json(request))
        except (ValueError, TypeError, re.error) as error:
            return _bad_request(str(error))
        return JSONResponse(rule.to_json(), status_code=201)

    async def clear_faults(request: Request) -> Response:
        faults.clear()
        return Response(status_code=204)

    async def remove_fault(request: Request) -> Response:
        if not faults.remove(request.path_params["rule_id"]):
            return JSONResponse({"error": "not_found", "message": "no such fault rule"}, status_code=404)
        return Response(status_code=204)

    async def reset(request: Request) -> Response:
        faults.clear()
        clock.store.wipe()
        if on_reset is not None:
            on_reset()
        return JSONResponse({"reset": True, **clock_body()})

    return [
        Route("/_sandbox/clock", get_clock, methods=["GET"]),
        Route("/_sandbox/clock", post_clock, methods=["POST"]),
        Route("/_sandbox/faults", list_faults, methods=["GET"]),
        Route("/_sandbox/faults", add_fault, methods=["POST"]),
        Route("/_sandbox/faults", clear_faults, methods=["DELETE"]),
        Route("/_sandbox/faults/{rule_id}", remove_fault, methods=["DELETE"]),
        Route("/_sandbox/reset", reset, methods=["POST"]),
        *(extra or []),
    ]
