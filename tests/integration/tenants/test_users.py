"""Users of a tenant (U1): the three password modes, the policy, usage location, delete, reset, list."""

from __future__ import annotations

import logging
import re

import pytest

from cspbroker.connections.clients import partner_center_client
from cspbroker.domain.passwords import check_password
from cspbroker.tenants.models import LicenceAssignment, TenantUser

PASSWORD = re.compile(r"Password:\s+(\S+)")
DOMAIN = "adventureworks.onmicrosoft.com"


def new_user(**overrides):
    return {
        "user_principal_name": f"uwe.rad@{DOMAIN}",
        "first_name": "Uwe",
        "last_name": "Rad",
        "display_name": "Uwe Rad",
        "usage_location": "de",
        "password_mode": "auto_generate_and_email",
        "email_to": "uwe@adventureworks.example",
        **overrides,
    }


def provider_user(tenant, upn):
    client = partner_center_client(tenant.connection)
    try:
        return next(u for u in client.list_users(tenant.provider_tenant_id) if u.user_principal_name == upn)
    finally:
        client.close()


def test_auto_generate_and_send_email(
    new_tenant, api, mailoutbox, caplog, django_capture_on_commit_callbacks
):
    caplog.set_level(logging.DEBUG)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = api().post(f"/tenants/{new_tenant.pk}/users", new_user())
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["user_principal_name"] == f"uwe.rad@{DOMAIN}" and body["usage_location"] == "DE"
    user = TenantUser.objects.get(pk=body["id"])
    assert user.provider_user_id == provider_user(new_tenant, f"uwe.rad@{DOMAIN}").id
    [mail] = mailoutbox
    assert mail.to == ["uwe@adventureworks.example"]
    assert mail.subject == f"Your Microsoft 365 account uwe.rad@{DOMAIN}"
    password = PASSWORD.search(mail.body).group(1)
    assert check_password(password, account_name=user.user_principal_name, full_name="Uwe Rad") == []
    assert password not in caplog.text


def test_specify_and_send_email(new_tenant, api, mailoutbox, django_capture_on_commit_callbacks):
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = api().post(
            f"/tenants/{new_tenant.pk}/users",
            new_user(password_mode="specify_and_email", password="Sattel#2026k"),
        )
    assert response.status_code == 201
    assert "Password:  Sattel#2026k" in mailoutbox[0].body


def test_specify_and_do_not_send_email(new_tenant, api, mailoutbox, django_capture_on_commit_callbacks):
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = api().post(
            f"/tenants/{new_tenant.pk}/users",
            new_user(password_mode="specify_no_email", password="Sattel#2026k", email_to=""),
        )
    assert response.status_code == 201 and mailoutbox == []


@pytest.mark.parametrize(
    ("overrides", "code", "field", "words"),
    [
        (
            {"password_mode": "specify_and_email", "password": "uwerad1"},
            "password_policy",
            "password",
            ["at least 8 characters", "upper-case", "non-word", "account name"],
        ),
        (
            {"password_mode": "specify_and_email", "password": ""},
            "password_required",
            "password",
            ["Enter a password"],
        ),
        ({"password": "Sattel#2026k"}, "password_not_expected", "password", ["generates the password"]),
        ({"password_mode": "sometimes"}, "invalid_password_mode", "password_mode", ["not a password mode"]),
        ({"usage_location": "Germany"}, "invalid_usage_location", "usage_location", ["two-letter"]),
        ({"usage_location": ""}, "invalid_usage_location", "usage_location", ["usage location"]),
        ({"user_principal_name": "uwe@contoso.com"}, "invalid_user", "user_principal_name", [f"@{DOMAIN}"]),
        ({"user_principal_name": "uwe rad"}, "invalid_user", "user_principal_name", ["name@domain"]),
        ({"email_to": ""}, "invalid_user", "email_to", ["email address"]),
        ({"email_to": "not-mail"}, "invalid_user", "email_to", ["not an email address"]),
        (
            {"display_name": "", "first_name": "", "last_name": ""},
            "invalid_user",
            "display_name",
            ["display name"],
        ),
    ],
)
def test_bad_input_is_refused_with_the_rule(new_tenant, api, overrides, code, field, words):
    response = api().post(f"/tenants/{new_tenant.pk}/users", new_user(**overrides))
    assert response.status_code == 422, response.content
    problem = response.json()
    assert (problem["code"], problem["field"]) == (code, field)
    for word in words:
        assert word in problem["detail"]
    assert TenantUser.objects.filter(tenant=new_tenant).count() == 1  # the administrator only


def test_a_user_name_is_unique(new_tenant, api, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        api().post(f"/tenants/{new_tenant.pk}/users", new_user())
    again = api().post(f"/tenants/{new_tenant.pk}/users", new_user(user_principal_name=f"UWE.RAD@{DOMAIN}"))
    assert again.status_code == 422 and "already exists" in again.json()["detail"]


def test_delete_a_user(northwind, api):
    nancy = TenantUser.objects.get(user_principal_name__startswith="nancy.davolio")
    assert nancy.licences.count() == 2
    response = api("admin@northwind.example").delete(f"/tenants/{northwind.pk}/users/{nancy.pk}")
    assert response.status_code == 204
    nancy.refresh_from_db()
    assert not nancy.is_active and not LicenceAssignment.objects.filter(user=nancy).exists()
    client = partner_center_client(northwind.connection)
    remaining = {u.user_principal_name for u in client.list_users(northwind.provider_tenant_id)}
    client.close()
    assert nancy.user_principal_name not in remaining
    again = api("admin@northwind.example").delete(f"/tenants/{northwind.pk}/users/{nancy.pk}")
    assert again.status_code == 422 and again.json()["code"] == "not_found"


def test_reset_a_password(northwind, api, mailoutbox, django_capture_on_commit_callbacks):
    andrew = TenantUser.objects.get(user_principal_name__startswith="andrew.fuller")
    with django_capture_on_commit_callbacks(execute=True):
        response = api("admin@northwind.example").post(
            f"/tenants/{northwind.pk}/users/{andrew.pk}/reset-password",
            {"email_to": "andrew@northwind.example"},
        )
    assert response.status_code == 204
    [mail] = mailoutbox
    assert "the password of your Microsoft 365 account has been reset" in mail.body
    weak = api("admin@northwind.example").post(
        f"/tenants/{northwind.pk}/users/{andrew.pk}/reset-password",
        {"password_mode": "specify_no_email", "password": "Andrew-Fuller-1"},
    )
    assert weak.status_code == 422 and "account name" in weak.json()["detail"]


def test_list_searches_and_pages(northwind, api):
    admin = api("admin@northwind.example")
    page = admin.get(f"/tenants/{northwind.pk}/users", page_size=2).json()
    assert (page["total"], page["pages"], len(page["items"])) == (6, 3, 2)
    assert [
        u["display_name"] for u in admin.get(f"/tenants/{northwind.pk}/users", q="lever").json()["items"]
    ] == ["Janet Leverling"]
    nancy = admin.get(f"/tenants/{northwind.pk}/users", q="nancy").json()["items"][0]
    assert len(nancy["licences"]) == 2


def test_the_user_list_takes_a_fixed_number_of_queries(northwind, api, django_assert_max_num_queries):
    bulk = [
        TenantUser(
            tenant=northwind,
            user_principal_name=f"u{i}@x.example",
            display_name=f"User {i}",
            provider_user_id=f"p{i}",
        )
        for i in range(120)
    ]
    TenantUser.objects.bulk_create(bulk)
    LicenceAssignment.objects.bulk_create(
        [
            LicenceAssignment(user=user, licence_sku_id="sku")
            for user in TenantUser.objects.filter(tenant=northwind)
        ]
    )
    admin = api("admin@northwind.example")
    with django_assert_max_num_queries(12):
        assert len(admin.get(f"/tenants/{northwind.pk}/users", page_size=100).json()["items"]) == 100
