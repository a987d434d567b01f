"""Fault injection: 429, 500, 503, latency, drop, timeout, next_n, rate; admin paths stay clean."""

from __future__ import annotations

import time

import httpx
import pytest

from .conftest import PC, fixture


def add(pc: PC, **rule: object) -> dict[str, object]:
    response = pc.admin("POST", "/faults", json=rule)
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_429_carries_retry_after_and_the_documented_body(pc: PC) -> None:
    add(pc, kind="429", path_pattern="^/v1/customers", retry_after=57, next_n=1)

    throttled = pc.get("/customers")
    after = pc.get("/customers")

    assert throttled.status_code == 429
    assert throttled.headers["Retry-After"] == "57"
    assert throttled.json() == fixture("rate_limit_429.json")
    assert after.status_code == 200


def test_500_and_503_carry_a_partner_center_error_body(pc: PC) -> None:
    add(pc, kind="500", next_n=1)
    add(pc, kind="503", next_n=1, retry_after=3)

    first, second = pc.get("/customers"), pc.get("/customers")

    assert first.status_code == 500 and set(first.json()) == {"code", "description", "data", "source"}
    assert second.status_code == 503 and second.headers["Retry-After"] == "3"
    assert pc.get("/customers").status_code == 200


def test_latency_delays_the_request(pc: PC) -> None:
    add(pc, kind="latency", latency_ms=400, method="GET")

    started = time.monotonic()
    response = pc.get("/customers")

    assert response.status_code == 200
    assert time.monotonic() - started >= 0.4


def test_drop_closes_the_connection_without_a_response(pc: PC) -> None:
    add(pc, kind="drop", path_pattern="/subscriptions", next_n=1)

    with pytest.raises(httpx.RemoteProtocolError):
        pc.get("/customers/00000000-0000-0000-0000-000000000000/subscriptions")
    assert pc.get("/customers").status_code == 200


def test_timeout_holds_the_request_past_the_client_timeout(pc: PC) -> None:
    add(pc, kind="timeout", latency_ms=3000, next_n=1)

    with pytest.raises(httpx.ReadTimeout):
        pc.get("/customers", timeout=0.5)
    assert pc.get("/customers").status_code == 200


def test_next_n_fires_exactly_n_times(pc: PC) -> None:
    add(pc, kind="503", next_n=2, method="POST")

    assert pc.get("/customers").status_code == 200  # other methods untouched
    statuses = [pc.post("/customers", json={}).status_code for _ in range(3)]

    assert statuses == [503, 503, 400]
    assert pc.admin("GET", "/faults").json()["items"] == []


def test_rate_is_deterministic_for_a_seed(pc: PC) -> None:
    def run() -> list[int]:
        pc.admin("DELETE", "/faults")
        add(pc, kind="500", rate=0.5)
        return [pc.get("/customers").status_code for _ in range(12)]

    first, second = run(), run()

    assert first == second and 500 in first and 200 in first


def test_admin_and_token_endpoints_are_not_faulted_by_global_rules(pc: PC) -> None:
    add(pc, kind="500")

    clock = pc.admin("GET", "/clock")
    token = pc.http.post(
        f"/{pc.config.partner_tenant_id}/oauth2/token",
        data={
            "grant_type": "client_credentials",
            "client_id": pc.config.client_id,
            "client_secret": pc.config.client_secret,
        },
    )

    assert clock.status_code == 200 and token.status_code == 200
    assert pc.get("/customers").status_code == 500
    assert pc.admin("DELETE", "/faults").status_code == 204
    assert pc.get("/customers").status_code == 200


def test_a_rule_naming_the_token_endpoint_faults_it(pc: PC) -> None:
    add(pc, kind="429", path_pattern="oauth2/token", next_n=1)

    response = pc.http.post(
        f"/{pc.config.partner_tenant_id}/oauth2/token", data={"grant_type": "client_credentials"}
    )

    assert response.status_code == 429


def test_bad_rules_are_refused(pc: PC) -> None:
    assert pc.admin("POST", "/faults", json={"kind": "418"}).status_code == 400
    assert pc.admin("POST", "/faults", json={"kind": "500", "rate": 2}).status_code == 400
    assert pc.admin("POST", "/faults", json={"kind": "500", "path_pattern": "("}).status_code == 400
