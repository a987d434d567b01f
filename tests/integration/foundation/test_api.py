"""The API shell: authentication, /me, tokens, organisations, problem+json errors."""

import json
from datetime import UTC, datetime

from django.test import Client

from cspbroker.accounts import services
from cspbroker.accounts.models import ApiToken, Organization, User
from cspbroker.domain.clock import FrozenClock


def bearer(email):
    user = User.objects.get(email=email)
    return {"HTTP_AUTHORIZATION": f"Bearer {services.create_api_token(user_id=user.pk, name='t').secret}"}


def problem_of(response, status, code):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == code and body["status"] == status and body["title"]
    return body


def test_me_with_a_token_returns_the_caller_and_organisations(demo):
    response = Client().get("/api/v1/me", **bearer("staff@tailspin.example"))
    assert response.status_code == 200
    body = response.json()
    assert body["email"] == "staff@tailspin.example" and body["via"] == "token" and body["is_staff"] is True
    assert body["memberships"] == [
        {
            "organization": {
                "id": demo.organizations["tailspin"].pk,
                "kind": "reseller",
                "legal_name": "Tailspin IT Services GmbH",
            },
            "role": "reseller_staff",
            "is_staff": True,
        }
    ]


def test_me_with_a_session(demo):
    response = demo.client_for("admin@adventureworks.example").get("/api/v1/me")
    assert response.status_code == 200 and response.json()["via"] == "session"
    assert response.json()["is_staff"] is False


def test_no_credentials_is_401_problem(demo):
    problem_of(Client().get("/api/v1/me"), 401, "not_authenticated")


def test_malformed_unknown_and_revoked_tokens_are_401_problems(demo):
    for token in ["garbage", "cspb_nope_nope", "cspb__", "Bearer", "cspb_abc"]:
        problem_of(Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}"), 401, "invalid_token")
    headers = bearer("admin@tailspin.example")
    token = ApiToken.objects.latest("id")
    services.revoke_api_token(user_id=token.user_id, token_id=token.pk)
    problem_of(Client().get("/api/v1/me", **headers), 401, "invalid_token")


def test_a_token_records_its_use_at_most_once_a_minute_and_its_revocation_by_the_clock(demo):
    issued = services.create_api_token(user_id=User.objects.get(email="admin@tailspin.example").pk, name="t")
    clock = FrozenClock(datetime(2026, 3, 1, 9, 0, tzinfo=UTC))
    services.authenticate_token(issued.secret, clock=clock)
    clock.advance(seconds=30)
    services.authenticate_token(issued.secret, clock=clock)
    assert ApiToken.objects.get(pk=issued.token.pk).last_used_at == datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    clock.advance(seconds=31)
    services.authenticate_token(issued.secret, clock=clock)
    assert ApiToken.objects.get(pk=issued.token.pk).last_used_at == datetime(2026, 3, 1, 9, 1, 1, tzinfo=UTC)
    revoked = services.revoke_api_token(user_id=issued.token.user_id, token_id=issued.token.pk, clock=clock)
    assert revoked.revoked_at == datetime(2026, 3, 1, 9, 1, 1, tzinfo=UTC)


def test_tokens_are_created_shown_once_listed_without_secret_and_revoked(demo):
    client = Client()
    headers = bearer("admin@tailspin.example")
    created = client.post(
        "/api/v1/me/tokens", data={"name": "billing script"}, content_type="application/json", **headers
    )
    assert created.status_code == 201
    secret = created.json()["token"]
    assert secret.startswith("cspb_")
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 200
    listed = client.get("/api/v1/me/tokens", **headers).json()
    assert {t["name"] for t in listed} == {"t", "billing script"}
    assert all("token" not in t for t in listed)
    assert secret.split("_", 2)[2] not in json.dumps(listed)
    stored = ApiToken.objects.get(pk=created.json()["id"])
    assert secret.split("_", 2)[2] not in stored.secret_hash
    revoked = client.delete(f"/api/v1/me/tokens/{created.json()['id']}", **headers)
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    problem_of(client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}"), 401, "invalid_token")


def test_someone_elses_token_cannot_be_revoked(demo):
    other = bearer("admin@woodgrove.example")
    token_id = ApiToken.objects.latest("id").pk
    problem_of(
        Client().delete(f"/api/v1/me/tokens/{token_id}", **bearer("admin@tailspin.example")), 404, "not_found"
    )
    assert Client().get("/api/v1/me", **other).status_code == 200


def test_a_token_with_an_empty_name_is_refused_with_the_field(demo):
    response = Client().post(
        "/api/v1/me/tokens",
        data={"name": "  "},
        content_type="application/json",
        **bearer("admin@tailspin.example"),
    )
    body = problem_of(response, 422, "invalid_input")
    assert body["field"] == "name"


def test_organizations_are_scoped_and_another_customers_is_404(demo):
    headers = bearer("admin@adventureworks.example")
    listed = Client().get("/api/v1/organizations", **headers).json()
    assert [o["legal_name"] for o in listed] == ["Adventure Works Cycles GmbH"]
    problem_of(
        Client().get(f"/api/v1/organizations/{demo.organizations['wingtip'].pk}", **headers), 404, "not_found"
    )


def test_reseller_adds_a_customer_through_the_api(demo):
    body = {
        "kind": "customer",
        "parent_id": demo.organizations["tailspin"].pk,
        "legal_name": "Fourth Coffee GmbH",
        "country": "de",
        "currency": "eur",
        "time_zone": "Europe/Berlin",
        "billing_day": 15,
    }
    response = Client().post(
        "/api/v1/organizations",
        data=body,
        content_type="application/json",
        **bearer("admin@tailspin.example"),
    )
    assert response.status_code == 201, response.content
    created = Organization.objects.get(legal_name="Fourth Coffee GmbH")
    assert (created.country, created.currency, created.parent_id) == (
        "DE",
        "EUR",
        demo.organizations["tailspin"].pk,
    )
    assert created.path == f"{demo.organizations['tailspin'].path}{created.pk}/"


def test_bad_organization_input_is_a_clear_problem_and_writes_nothing(demo):
    before = Organization.objects.count()
    base = {
        "kind": "customer",
        "parent_id": demo.organizations["tailspin"].pk,
        "legal_name": "X",
        "country": "DE",
        "currency": "EUR",
    }
    cases = [
        ({**base, "currency": "EURO"}, 422),
        ({**base, "country": "Germany"}, 422),
        ({**base, "billing_day": 32}, 422),
        ({**base, "time_zone": "Mars/Olympus"}, 422),
        ({**base, "kind": "customer", "parent_id": demo.organizations["adventureworks"].pk}, 422),
        ({**base, "kind": "planet"}, 422),
        ({"kind": "customer"}, 422),
    ]
    for body, status in cases:
        response = Client().post(
            "/api/v1/organizations",
            data=body,
            content_type="application/json",
            **bearer("admin@tailspin.example"),
        )
        assert response.status_code == status, (body, response.content)
        assert response["Content-Type"] == "application/problem+json"
        assert response.json()["detail"]
    assert Organization.objects.count() == before


def test_customers_cannot_add_organisations_under_their_reseller(demo):
    body = {
        "kind": "customer",
        "parent_id": demo.organizations["tailspin"].pk,
        "legal_name": "Sneaky",
        "country": "DE",
        "currency": "EUR",
    }
    response = Client().post(
        "/api/v1/organizations",
        data=body,
        content_type="application/json",
        **bearer("admin@adventureworks.example"),
    )
    problem_of(response, 404, "not_found")


def test_reseller_staff_cannot_change_the_resellers_settings(demo):
    response = Client().patch(
        f"/api/v1/organizations/{demo.organizations['tailspin'].pk}",
        data={"billing_day": 3},
        content_type="application/json",
        **bearer("staff@tailspin.example"),
    )
    problem_of(response, 403, "permission_denied")
    demo.organizations["tailspin"].refresh_from_db()
    assert demo.organizations["tailspin"].billing_day == 15


def test_unknown_api_url_is_a_404_problem(demo):
    problem_of(Client().get("/api/v1/no-such-thing", **bearer("admin@tailspin.example")), 404, "not_found")


def test_openapi_lists_the_resources(db):
    spec = Client().get("/api/v1/openapi.json").json()
    assert spec["info"]["title"] == "cspbroker API"
    assert {"/api/v1/me", "/api/v1/me/tokens", "/api/v1/organizations"} <= set(spec["paths"])
    assert Client().get("/api/v1/docs").status_code == 200
