"""Client-credentials tokens: request shape, caching, early refresh, 401 refresh, errors, secrecy."""

from __future__ import annotations

import logging
import threading
from urllib.parse import parse_qs

import httpx
import pytest

from cspbroker.providers.auth import ClientCredentials, InvalidClientId, validate_client_id
from cspbroker.providers.errors import ProviderAuthError, ProviderUnavailable

from .support import (
    ACCESS_TOKEN,
    CLIENT_ID,
    CLIENT_SECRET,
    PARTNER_TENANT,
    FakeProvider,
    fixture_bytes,
    make_client,
    respond,
)

TOKEN_ENDPOINT = f"https://login.example.test/{PARTNER_TENANT}/oauth2/token"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def credentials(fake: FakeProvider, clock: Clock | None = None) -> ClientCredentials:
    return ClientCredentials(
        TOKEN_ENDPOINT,
        CLIENT_ID,
        CLIENT_SECRET,
        resource="https://api.partnercenter.microsoft.com",
        transport=fake.transport,
        clock=clock or Clock(),
    )


@pytest.mark.parametrize(
    "value", ["not-a-guid", "11111111222233334444555555555555", "1111111-2222-3333-4444-555555555555", ""]
)
def test_client_id_must_be_a_guid(value: str) -> None:
    with pytest.raises(InvalidClientId, match="client id must be a GUID: 8-4-4-4-12 hex digits with dashes"):
        validate_client_id(value)


def test_a_guid_client_id_is_accepted_without_surrounding_blanks() -> None:
    assert validate_client_id(f"  {CLIENT_ID.upper()} ") == CLIENT_ID.upper()


def test_token_request_is_form_encoded_client_credentials_for_partner_center() -> None:
    fake = FakeProvider()

    authorization = credentials(fake).authorization()

    request = fake.token_requests[0]
    assert request.method == "POST"
    assert str(request.url) == TOKEN_ENDPOINT
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert parse_qs(request.content.decode()) == {
        "grant_type": ["client_credentials"],
        "client_id": [CLIENT_ID],
        "client_secret": [CLIENT_SECRET],
        "resource": ["https://api.partnercenter.microsoft.com"],
    }
    assert authorization == f"Bearer {ACCESS_TOKEN}"


def test_a_scope_can_replace_the_resource_for_other_identity_servers() -> None:
    fake = FakeProvider()
    auth = ClientCredentials(
        "https://identity.example.test/connect/token",
        "client",
        "secret",
        scope="rhipeapi",
        require_guid_client_id=False,
        transport=fake.transport,
    )

    auth.authorization()

    form = parse_qs(fake.token_requests[0].content.decode())
    assert form["scope"] == ["rhipeapi"]
    assert "resource" not in form


def test_token_is_cached_until_five_minutes_before_expiry() -> None:
    fake = FakeProvider()
    clock = Clock()
    auth = credentials(fake, clock)

    auth.authorization()
    clock.now += 3600 - 301
    auth.authorization()
    assert len(fake.token_requests) == 1

    clock.now += 1
    auth.authorization()
    assert len(fake.token_requests) == 2


def test_invalidate_drops_only_the_refused_token() -> None:
    fake = FakeProvider()
    auth = credentials(fake)
    auth.authorization()

    auth.invalidate("Bearer some-older-token")
    auth.authorization()
    assert len(fake.token_requests) == 1

    auth.invalidate(f"Bearer {ACCESS_TOKEN}")
    auth.authorization()
    assert len(fake.token_requests) == 2


def test_concurrent_callers_share_one_token_request() -> None:
    fake = FakeProvider()
    auth = credentials(fake)
    results: list[str] = []

    threads = [threading.Thread(target=lambda: results.append(auth.authorization())) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(fake.token_requests) == 1
    assert set(results) == {f"Bearer {ACCESS_TOKEN}"}


def test_a_401_refreshes_the_token_once_and_replays_the_call() -> None:
    fake = FakeProvider(
        respond(401, {"code": 800001, "description": "Partner Token missing"}), respond(200, {"id": "c1"})
    )
    client = make_client(fake)

    customer = client.get_customer("c1")

    assert customer.id == "c1"
    assert len(fake.token_requests) == 2
    assert fake.requests[0].headers["MS-RequestId"] == fake.requests[1].headers["MS-RequestId"]
    assert fake.requests[0].headers["MS-CorrelationId"] != fake.requests[1].headers["MS-CorrelationId"]


def test_a_second_401_is_an_auth_error_without_more_retries() -> None:
    refused = respond(401, {"code": 800001, "description": "Partner Token missing in request context"})
    fake = FakeProvider(refused, refused)
    sleeps: list[float] = []

    with pytest.raises(ProviderAuthError) as caught:
        make_client(fake, sleeps=sleeps).get_customer("c1")

    assert caught.value.code == "800001"
    assert len(fake.requests) == 2
    assert sleeps == []


def test_refused_credentials_raise_an_auth_error_with_the_aad_code() -> None:
    fake = FakeProvider(token_status=401, token_body=fixture_bytes("aad_invalid_client.json"))

    with pytest.raises(ProviderAuthError) as caught:
        credentials(fake).authorization()

    assert caught.value.code == "invalid_client"
    assert caught.value.description.startswith("AADSTS7000215")
    assert caught.value.data == (7000215,)
    assert CLIENT_SECRET not in str(caught.value)


def test_an_unreachable_token_endpoint_is_unavailable_and_retried_by_the_client() -> None:
    fake = FakeProvider(respond(200, {"id": "c1"}), token_script=[httpx.ConnectError("refused")])
    sleeps: list[float] = []

    customer = make_client(fake, sleeps=sleeps).get_customer("c1")

    assert customer.id == "c1"
    assert len(fake.token_requests) == 2
    assert len(sleeps) == 1


def test_token_errors_without_body_are_unavailable_on_5xx() -> None:
    fake = FakeProvider(token_status=503, token_body=b"")

    with pytest.raises(ProviderUnavailable):
        credentials(fake).authorization()


def test_secrets_and_tokens_stay_out_of_reprs_and_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    fake = FakeProvider(respond(200, {"id": "c1"}))
    client = make_client(fake)

    client.get_customer("c1")

    assert CLIENT_SECRET not in repr(client._auth)
    assert CLIENT_SECRET not in caplog.text
    assert ACCESS_TOKEN not in caplog.text
