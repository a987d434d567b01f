"""The hardened HTTP client: headers, idempotency ids, retries, Retry-After, typed errors."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from email.utils import format_datetime

import httpx
import pytest

from cspbroker.providers.auth import StaticBearerToken
from cspbroker.providers.errors import (
    NotFound,
    PreconditionFailed,
    ProviderError,
    ProviderRejected,
    ProviderUnavailable,
)
from cspbroker.providers.http import ProviderHttpClient, parse_retry_after

from .support import BASE_URL, FakeProvider, fixture_bytes, respond

NOW = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC).timestamp()


def http_client(
    fake: FakeProvider,
    sleeps: list[float],
    *,
    jitter: Callable[[], float] = lambda: 1.0,
    backoff_base: float = 1.0,
    backoff_cap: float = 30.0,
    max_retry_after: float = 300.0,
) -> ProviderHttpClient:
    return ProviderHttpClient(
        BASE_URL,
        StaticBearerToken("tok"),
        transport=fake.transport,
        sleep=sleeps.append,
        clock=lambda: NOW,
        jitter=jitter,
        backoff_base=backoff_base,
        backoff_cap=backoff_cap,
        max_retry_after=max_retry_after,
    )


def test_every_request_carries_the_partner_center_headers() -> None:
    fake = FakeProvider(respond(200, {"ok": True}))

    http_client(fake, []).get("/v1/customers/abc")

    headers = fake.requests[0].headers
    assert headers["Authorization"] == "Bearer tok"
    assert headers["Accept"] == "application/json"
    assert headers["X-Locale"] == "en-US"
    assert headers["MS-Contract-Version"] == "v1"
    assert headers["MS-RequestId"]
    assert headers["MS-CorrelationId"]
    assert headers["User-Agent"].startswith("cspbroker")


def test_request_id_is_stable_across_retries_and_correlation_id_is_new_per_attempt() -> None:
    fake = FakeProvider(respond(503), respond(500), respond(201, {"id": "cart-1"}))
    sleeps: list[float] = []

    response = http_client(fake, sleeps).post("/v1/customers/c/carts", json={"lineItems": []})

    request_ids = {r.headers["MS-RequestId"] for r in fake.requests}
    correlation_ids = [r.headers["MS-CorrelationId"] for r in fake.requests]
    assert len(fake.requests) == 3
    assert len(request_ids) == 1
    assert len(set(correlation_ids)) == 3
    assert response.request_id == request_ids.pop()
    assert response.correlation_id == correlation_ids[-1]


def test_caller_given_request_id_is_sent_on_every_attempt() -> None:
    fake = FakeProvider(respond(503), respond(200, {}))

    http_client(fake, []).post("/v1/customers", json={}, request_id="op-42")

    assert [r.headers["MS-RequestId"] for r in fake.requests] == ["op-42", "op-42"]


def test_two_logical_calls_get_two_request_ids() -> None:
    fake = FakeProvider(respond(200, {}), respond(200, {}))
    client = http_client(fake, [])

    client.get("/v1/a")
    client.get("/v1/a")

    assert fake.requests[0].headers["MS-RequestId"] != fake.requests[1].headers["MS-RequestId"]


def test_429_waits_the_retry_after_seconds_then_succeeds() -> None:
    throttled = respond(429, fixture_bytes("throttled_429.json"), headers={"Retry-After": "57"})
    fake = FakeProvider(throttled, respond(200, {"ok": True}))
    sleeps: list[float] = []

    response = http_client(fake, sleeps).get("/v1/customers/c/subscriptions")

    assert sleeps == [57.0]
    assert response.body == {"ok": True}


def test_retry_after_as_an_http_date_waits_until_that_date() -> None:
    later = format_datetime(datetime(2024, 5, 1, 12, 0, 30, tzinfo=UTC), usegmt=True)
    fake = FakeProvider(respond(503, headers={"Retry-After": later}), respond(200, {}))
    sleeps: list[float] = []

    http_client(fake, sleeps).get("/v1/x")

    assert sleeps == [30.0]


def test_5xx_backs_off_exponentially_with_jitter_up_to_the_cap() -> None:
    fake = FakeProvider(respond(500), respond(502), respond(503), respond(504), respond(200, {}))
    sleeps: list[float] = []

    http_client(fake, sleeps, backoff_base=1.0, backoff_cap=5.0, jitter=lambda: 0.5).get("/v1/x")

    # equal jitter: ceiling/2 + ceiling/2 × 0.5 with ceilings 1, 2, 4, 5 (capped)
    assert sleeps == [0.75, 1.5, 3.0, 3.75]


def test_backoff_never_waits_less_than_half_the_step() -> None:
    fake = FakeProvider(respond(500), respond(500), respond(200, {}))
    sleeps: list[float] = []

    http_client(fake, sleeps, backoff_base=2.0, jitter=lambda: 0.0).get("/v1/x")

    assert sleeps == [1.0, 2.0]


@pytest.mark.parametrize(
    "failure",
    [
        httpx.ConnectError("connection refused"),
        httpx.ConnectTimeout("connect timed out"),
        httpx.ReadTimeout("read timed out"),
        httpx.RemoteProtocolError("server disconnected"),
    ],
)
def test_network_errors_and_timeouts_are_retried(failure: Exception) -> None:
    fake = FakeProvider(failure, respond(200, {"ok": True}))
    sleeps: list[float] = []

    response = http_client(fake, sleeps).get("/v1/x")

    assert response.body == {"ok": True}
    assert len(sleeps) == 1


def test_after_the_last_attempt_provider_unavailable_is_raised() -> None:
    throttled = respond(429, fixture_bytes("throttled_429.json"), headers={"Retry-After": "2"})
    fake = FakeProvider(*[throttled] * 5)
    sleeps: list[float] = []

    with pytest.raises(ProviderUnavailable) as caught:
        http_client(fake, sleeps).get("/v1/x")

    assert len(fake.requests) == 5
    assert sleeps == [2.0, 2.0, 2.0, 2.0]
    assert caught.value.attempts == 5
    assert caught.value.status == 429
    assert caught.value.retry_after == 2.0
    assert caught.value.message == "Rate limit is exceeded. Try again in 57 seconds."


def test_a_retry_after_longer_than_allowed_gives_up_at_once_for_the_scheduler() -> None:
    fake = FakeProvider(respond(429, headers={"Retry-After": "3600"}))
    sleeps: list[float] = []

    with pytest.raises(ProviderUnavailable) as caught:
        http_client(fake, sleeps, max_retry_after=300.0).get("/v1/x")

    assert sleeps == []
    assert caught.value.retry_after == 3600.0


@pytest.mark.parametrize(
    ("status", "error"),
    [(400, ProviderRejected), (404, NotFound), (409, ProviderRejected), (412, PreconditionFailed)],
)
def test_client_errors_are_not_retried(status: int, error: type[Exception]) -> None:
    fake = FakeProvider(respond(status, {"code": 800002, "description": "no"}))
    sleeps: list[float] = []

    with pytest.raises(error):
        http_client(fake, sleeps).post("/v1/x", json={})

    assert len(fake.requests) == 1
    assert sleeps == []


def test_rejection_carries_the_provider_code_description_and_ids() -> None:
    body = fixture_bytes("error_license_quota.json")
    fake = FakeProvider(respond(400, body))

    with pytest.raises(ProviderRejected) as caught:
        http_client(fake, []).post("/v1/customers/c/users/u/licenseupdates", json={}, request_id="op-1")

    error = caught.value
    assert error.code == "60012"
    assert error.description == "We're sorry, it looks like you've run out of licenses..."
    assert error.source == "PartnerFD"
    assert error.request_id == "op-1"
    assert error.correlation_id == fake.requests[0].headers["MS-CorrelationId"]


def test_if_match_is_sent_when_given() -> None:
    fake = FakeProvider(respond(200, {}))

    http_client(fake, []).patch("/v1/x", json={"quantity": 3}, if_match='W/"etag-1"')

    assert fake.requests[0].headers["If-Match"] == 'W/"etag-1"'


def test_json_body_is_compact_camel_case_as_given_and_numbers_decode_as_decimal() -> None:
    fake = FakeProvider(respond(200, b'\xef\xbb\xbf{"unitPrice": 14.40, "quantity": 50}'))

    response = http_client(fake, []).post("/v1/x", json={"catalogItemId": "A:B:C", "quantity": 5})

    assert fake.requests[0].content == b'{"catalogItemId":"A:B:C","quantity":5}'
    assert fake.requests[0].headers["Content-Type"] == "application/json"
    assert response.body == {"unitPrice": Decimal("14.40"), "quantity": 50}
    assert type(response.body["unitPrice"]) is Decimal


def test_floats_are_refused_in_requests() -> None:
    with pytest.raises(TypeError):
        http_client(FakeProvider(), []).post("/v1/x", json={"unitPrice": 1.5})


def test_an_empty_success_body_is_none() -> None:
    fake = FakeProvider(respond(204))

    assert http_client(fake, []).delete("/v1/x").body is None


def test_a_non_json_success_body_is_an_error() -> None:
    fake = FakeProvider(httpx.Response(200, text="<html>login</html>"))

    with pytest.raises(ProviderError, match="not JSON"):
        http_client(fake, []).get("/v1/x")


def test_query_parameters_drop_none_and_write_booleans_in_lowercase() -> None:
    fake = FakeProvider(respond(200, {}))

    http_client(fake, []).get("/v1/x", params={"showExpiry": True, "filter": None, "size": 5})

    assert str(fake.requests[0].url) == f"{BASE_URL}/v1/x?showExpiry=true&size=5"


def test_debug_log_names_the_call_and_never_the_token(caplog: pytest.LogCaptureFixture) -> None:
    fake = FakeProvider(respond(200, {}))
    caplog.set_level(logging.DEBUG, logger="cspbroker.providers")

    http_client(fake, []).get("/v1/customers/abc", request_id="op-7")

    text = caplog.text
    assert "GET /v1/customers/abc -> 200 request_id=op-7" in text
    assert "tok" not in text.replace("token", "")


@pytest.mark.parametrize(
    ("header", "expected"),
    [("57", 57.0), ("0", 0.0), ("1.5", 1.5), (None, None), ("soon", None), ("-3", 0.0)],
)
def test_parse_retry_after(header: str | None, expected: float | None) -> None:
    assert parse_retry_after(header, now=NOW) == expected


def test_response_headers_are_case_insensitive() -> None:
    fake = FakeProvider(respond(200, {}, headers={"MS-CV": "abc.1"}))

    response = http_client(fake, []).get("/v1/x")

    assert response.headers["ms-cv"] == response.headers["MS-CV"] == "abc.1"
