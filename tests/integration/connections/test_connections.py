"""Provider connections (K1): GUID validation, the secret encrypted and never shown, test connection."""

import logging

import pytest
from django.db import connection as db
from django.test import Client

from cspbroker.accounts import services as accounts
from cspbroker.accounts.models import User
from cspbroker.connections.models import Connection


def bearer(email):
    user = User.objects.get(email=email)
    return {"HTTP_AUTHORIZATION": f"Bearer {accounts.create_api_token(user_id=user.pk, name='t').secret}"}


def create(demo, sandbox, email="admin@alpine-cloud.example", owner="operator", **overrides):
    body = {
        "organization_id": demo.organizations[owner].pk,
        "kind": "partner_center",
        "name": "Partner Center (sandbox)",
        "base_url": sandbox.url,
        "token_url": sandbox.token_url,
        "tenant_id": sandbox.tenant_id,
        "client_id": sandbox.client_id,
        "client_secret": sandbox.client_secret,
        **overrides,
    }
    return Client().post("/api/v1/connections", data=body, content_type="application/json", **bearer(email))


def test_create_and_test_a_partner_center_connection_against_the_sandbox(demo, pc_sandbox, caplog):
    caplog.set_level(logging.DEBUG)
    created = create(demo, pc_sandbox)
    assert created.status_code == 201, created.content
    body = created.json()
    assert "client_secret" not in body and pc_sandbox.client_secret not in created.content.decode()
    assert body["status"] == "untested"
    tested = Client().post(f"/api/v1/connections/{body['id']}/test", **bearer("admin@alpine-cloud.example"))
    assert tested.status_code == 200
    assert tested.json()["ok"] is True, tested.json()
    assert Connection.objects.get(pk=body["id"]).status == "ok"
    assert pc_sandbox.client_secret not in caplog.text


def test_the_secret_is_encrypted_at_rest(demo, pc_sandbox):
    created = create(demo, pc_sandbox).json()
    with db.cursor() as cursor:
        cursor.execute("SELECT client_secret FROM connections_connection WHERE id = %s", [created["id"]])
        stored = cursor.fetchone()[0]
    assert pc_sandbox.client_secret not in stored and stored.startswith("gAAAAA")
    loaded = Connection.objects.get(pk=created["id"])
    assert loaded.client_secret.reveal() == pc_sandbox.client_secret
    assert pc_sandbox.client_secret not in repr(loaded.client_secret)


def test_a_wrong_secret_fails_the_test_with_the_providers_message(demo, pc_sandbox):
    created = create(demo, pc_sandbox, client_secret="wrong").json()
    url = f"/api/v1/connections/{created['id']}/test"
    result = Client().post(url, **bearer("admin@alpine-cloud.example")).json()
    assert result["ok"] is False
    assert "refused" in result["message"]
    assert Connection.objects.get(pk=created["id"]).status == "failed"


def test_an_unreachable_provider_fails_the_test_clearly(demo, pc_sandbox, settings):
    unreachable = "http://127.0.0.1:9"
    created = create(demo, pc_sandbox, base_url=unreachable, token_url=f"{unreachable}/{{tenant}}/t")
    result = (
        Client()
        .post(f"/api/v1/connections/{created.json()['id']}/test", **bearer("admin@alpine-cloud.example"))
        .json()
    )
    assert result["ok"] is False and "could not be reached" in result["message"]


@pytest.mark.parametrize(
    "client_id", ["8db0xxxx-xxxx-xxxx-xxxx-9155086axxxx", "not-a-guid", "12345678123412341234123456789012"]
)
def test_client_id_must_be_a_guid_and_the_message_says_so(demo, pc_sandbox, client_id):
    response = create(demo, pc_sandbox, client_id=client_id)
    assert response.status_code == 422
    problem = response.json()
    assert problem["field"] == "client_id" and "8-4-4-4-12" in problem["detail"]
    assert not Connection.objects.exists()


def test_secret_is_never_shown_again_on_the_page(demo, pc_sandbox):
    created = create(demo, pc_sandbox).json()
    page = demo.client_for("admin@alpine-cloud.example").get(f"/backoffice/connections/{created['id']}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert pc_sandbox.client_secret not in html and "stored encrypted" in html


def test_editing_without_a_secret_keeps_the_stored_one(demo, pc_sandbox):
    created = create(demo, pc_sandbox).json()
    response = Client().patch(
        f"/api/v1/connections/{created['id']}",
        data={"name": "Renamed"},
        content_type="application/json",
        **bearer("admin@alpine-cloud.example"),
    )
    assert response.status_code == 200 and response.json()["name"] == "Renamed"
    assert Connection.objects.get(pk=created["id"]).client_secret.reveal() == pc_sandbox.client_secret


def test_customers_see_no_connections_and_reseller_staff_cannot_add_one(demo, pc_sandbox):
    assert create(demo, pc_sandbox).status_code == 201
    listed = Client().get("/api/v1/connections", **bearer("admin@adventureworks.example"))
    assert listed.json() == []
    assert demo.client_for("admin@adventureworks.example").get("/backoffice/connections/").status_code == 404
    refused = create(demo, pc_sandbox, email="staff@tailspin.example", owner="tailspin", name="Staff's")
    assert refused.status_code == 403


def test_a_reseller_admin_adds_its_own_connection_from_the_page(demo, pc_sandbox):
    client = demo.client_for("admin@tailspin.example")
    form = {
        "organization": demo.organizations["tailspin"].pk,
        "kind": "partner_center",
        "name": "Tailspin PC",
        "base_url": pc_sandbox.url,
        "token_url": pc_sandbox.token_url,
        "tenant_id": pc_sandbox.tenant_id,
        "client_id": "not-a-guid",
        "client_secret": pc_sandbox.client_secret,
    }
    refused = client.post("/backoffice/connections/new/", form)
    assert refused.status_code == 400 and "8-4-4-4-12" in refused.content.decode()
    assert pc_sandbox.client_secret not in refused.content.decode()
    saved = client.post("/backoffice/connections/new/", {**form, "client_id": pc_sandbox.client_id})
    assert saved.status_code == 302
    connection = Connection.objects.get(name="Tailspin PC")
    result = client.post(f"/backoffice/connections/{connection.pk}/test/")
    assert "Connected to Partner Center" in result.content.decode()
