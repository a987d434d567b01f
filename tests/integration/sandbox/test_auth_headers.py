"""Tokens, the bearer requirement and Partner Center's request/response headers."""

from __future__ import annotations

import uuid

import httpx

from .conftest import PC, fixture


def token(pc: PC, secret: str, client_id: str | None = None) -> httpx.Response:
    return pc.http.post(
        f"/{pc.config.partner_tenant_id}/oauth2/token",
        data={
            "grant_type": "client_credentials",
            "client_id": client_id or pc.config.client_id,
            "client_secret": secret,
        },
    )


def test_token_response_has_the_azure_ad_v1_shape(pc: PC) -> None:
    response = token(pc, pc.config.client_secret)

    assert response.status_code == 200
    body = response.json()
    assert set(fixture("token_response_keys.json")) <= set(body)
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == "3600"


def test_v2_token_endpoint_also_issues_tokens(pc: PC) -> None:
    response = pc.http.post(
        "/common/oauth2/v2.0/token",
        data={
            "grant_type": "client_credentials",
            "client_id": pc.config.client_id,
            "client_secret": pc.config.client_secret,
        },
    )

    assert response.status_code == 200


def test_wrong_secret_is_refused_with_an_aadsts_body(pc: PC) -> None:
    response = token(pc, "not-the-secret")

    assert response.status_code == 401
    body = response.json()
    assert body["error"] == "invalid_client"
    assert body["error_codes"] == [7000215]
    assert body["error_description"].startswith("AADSTS7000215: Invalid client secret provided")


def test_unknown_client_is_refused(pc: PC) -> None:
    response = token(pc, pc.config.client_secret, client_id=str(uuid.uuid4()))

    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_v1_calls_without_a_valid_token_get_401_800001(pc: PC) -> None:
    missing = pc.http.get("/v1/customers")
    forged = pc.http.get("/v1/customers", headers={"Authorization": "Bearer abc.def.ghi"})

    assert missing.status_code == 401
    assert missing.json()["code"] == 800001
    assert missing.json()["source"] == "PartnerFD"
    assert forged.status_code == 401


def test_request_and_correlation_ids_are_echoed_or_generated(pc: PC) -> None:
    request_id, correlation_id = str(uuid.uuid4()), str(uuid.uuid4())

    echoed = pc.get("/customers", headers={"MS-RequestId": request_id, "MS-CorrelationId": correlation_id})
    generated = pc.get("/customers")

    assert echoed.headers["MS-RequestId"] == request_id
    assert echoed.headers["MS-CorrelationId"] == correlation_id
    assert echoed.headers["MS-CV"] and echoed.headers["MS-ServerId"]
    assert uuid.UUID(generated.headers["MS-RequestId"])
    assert uuid.UUID(generated.headers["MS-CorrelationId"])


def test_unknown_paths_answer_in_the_partner_center_error_shape(pc: PC) -> None:
    response = pc.get("/nothing/here")

    assert response.status_code == 404
    assert set(response.json()) == {"code", "description", "data", "source"}
