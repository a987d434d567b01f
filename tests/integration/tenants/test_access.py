"""Who may see and change which tenant: every endpoint and page of this feature, for every kind of person.

Adventure Works (a customer of the reseller Tailspin) has the tenant. Expected answers: the operator
and Tailspin's admin and staff may do everything; Adventure Works' admin may manage its own users
and licences; its plain user only looks (403 on changes); Woodgrove (another reseller), Litware
(Tailspin's other customer) and Northwind (a customer under the operator) get 404 — the tenant does
not exist for them. Back-office pages are for staff only, storefront pages for customers only.
"""

from __future__ import annotations

import pytest

from cspbroker.notifications.models import OutboundEmail
from cspbroker.tenants.models import TenantUser, UserImport

ALLOWED, LOOK_ONLY, STRANGER = "allowed", "look-only", "stranger"
PEOPLE = {
    "admin@alpine-cloud.example": (ALLOWED, "staff"),
    "admin@tailspin.example": (ALLOWED, "staff"),
    "staff@tailspin.example": (ALLOWED, "staff"),
    "admin@woodgrove.example": (STRANGER, "staff"),
    "admin@adventureworks.example": (ALLOWED, "customer"),
    "user@adventureworks.example": (LOOK_ONLY, "customer"),
    "admin@litware.example": (STRANGER, "customer"),
    "admin@northwind.example": (STRANGER, "customer"),
}


@pytest.fixture
def world(new_tenant, demo):
    admin = TenantUser.objects.get(tenant=new_tenant)
    record = UserImport.objects.create(tenant=new_tenant, requested_by="test", notify_email="a@b.example")
    return {
        "t": new_tenant.pk,
        "c": demo.organizations["adventureworks"].pk,
        "u": admin.pk,
        "i": record.pk,
    }


def api_reads(w):
    return [
        f"/customers/{w['c']}/tenants",
        f"/customers/{w['c']}/tenants/domain-check?name=adventureworks2",
        f"/tenants/{w['t']}",
        f"/tenants/{w['t']}/users",
        f"/tenants/{w['t']}/users/{w['u']}",
        f"/tenants/{w['t']}/users/export",
        f"/tenants/{w['t']}/users/imports/{w['i']}",
        f"/tenants/{w['t']}/licence-assignments",
    ]


def api_changes(w):
    """Requests that pass the access check and then fail validation: 422 for those allowed."""
    return [
        (f"/customers/{w['c']}/tenants", {"name": "again"}),
        (f"/tenants/{w['t']}/retry", {}),
        (
            f"/tenants/{w['t']}/users",
            {"user_principal_name": "x@adventureworks.onmicrosoft.com", "usage_location": "?"},
        ),
        (f"/tenants/{w['t']}/users/{w['u']}/reset-password", {"password_mode": "never"}),
        (f"/tenants/{w['t']}/users/imports", {"csv": "", "notify_email": "nobody"}),
        (f"/tenants/{w['t']}/users/imports/{w['i']}/start", {}),
        (f"/tenants/{w['t']}/licence-assignments", {"subscription_id": 0, "user_ids": [w["u"]]}),
        (f"/tenants/{w['t']}/licence-assignments/remove", {"subscription_id": 0, "user_ids": [w["u"]]}),
    ]


def pages(w, area):
    """(url, whether it is a form that changes something)."""
    base = f"/backoffice/tenants/{w['t']}/" if area == "backoffice" else f"/store/tenant/{w['t']}/"
    urls = [
        (base, False),
        (base + "status/", False),
        (base + "users/", False),
        (base + f"users/{w['u']}/", False),
        (base + f"users/import/{w['i']}/", False),
        (base + "users/export/", False),
        (base + "users/new/", True),
        (base + f"users/{w['u']}/delete/", True),
        (base + f"users/{w['u']}/reset-password/", True),
        (base + "users/import/", True),
    ]
    if area == "backoffice":
        urls += [
            (f"/backoffice/customers/{w['c']}/tenant/new/", False),
            (f"/backoffice/customers/{w['c']}/tenant/domain-check/", False),
        ]
    return urls


@pytest.mark.parametrize("email", list(PEOPLE))
def test_the_api(world, api, email):
    kind, _ = PEOPLE[email]
    client = api(email)
    for path in api_reads(world):
        expected = 404 if kind == STRANGER else 200
        assert client.get(path).status_code == expected, (email, path)
    for path, body in api_changes(world):
        expected = {ALLOWED: 422, LOOK_ONLY: 403, STRANGER: 404}[kind]
        response = client.post(path, body)
        assert response.status_code == expected, (email, path, response.content)
    sync = client.post(f"/tenants/{world['t']}/sync")
    assert sync.status_code == {ALLOWED: 202, LOOK_ONLY: 403, STRANGER: 404}[kind]
    deletion = client.delete(f"/tenants/{world['t']}/licence-assignments/999999")
    assert deletion.status_code == {ALLOWED: 404, LOOK_ONLY: 404, STRANGER: 404}[kind]


@pytest.mark.parametrize("email", list(PEOPLE))
def test_the_pages(world, demo, email):
    kind, door = PEOPLE[email]
    client = demo.client_for(email)
    for area in ("backoffice", "store"):
        admitted = (area == "backoffice") == (door == "staff")
        for url, changes in pages(world, area):
            expected = 200 if admitted and kind != STRANGER else 404
            if expected == 200 and changes and kind == LOOK_ONLY:
                expected = 403
            assert client.get(url).status_code == expected, (email, url)
    listing = client.get("/backoffice/tenants/")
    assert listing.status_code == (200 if door == "staff" else 404)
    assert (b"adventureworks.onmicrosoft.com" in listing.content) == (door == "staff" and kind == ALLOWED)


@pytest.mark.parametrize("email", list(PEOPLE))
def test_the_page_actions(world, demo, email):
    kind, door = PEOPLE[email]
    client = demo.client_for(email)
    area = "backoffice" if door == "staff" else "store"
    base = f"/{area}/tenant{'s' if area == 'backoffice' else ''}/{world['t']}/"
    expected = {ALLOWED: 400, LOOK_ONLY: 403, STRANGER: 404}[kind]
    new_user = client.post(base + "users/new/", {"user_principal_name": "x", "usage_location": "DE"})
    assert new_user.status_code == expected, (email, new_user.status_code)
    reset = client.post(base + f"users/{world['u']}/reset-password/", {"password_mode": "specify_and_email"})
    assert reset.status_code == expected
    licences = client.post(
        base + "licences/", {"action": "assign", "subscription_id": 0, "user_ids": [world["u"]]}
    )
    assert licences.status_code == {ALLOWED: 302, LOOK_ONLY: 403, STRANGER: 404}[kind]
    if door == "staff":
        retry = client.post(f"/backoffice/tenants/{world['t']}/retry/", {"tenant_name": "x"})
        assert retry.status_code == {ALLOWED: 400, STRANGER: 404}[kind]


def test_the_credentials_mail_belongs_to_the_customer(new_tenant):
    [email] = OutboundEmail.objects.all()
    assert email.organization_id == new_tenant.customer_id


def test_a_customer_user_sees_no_change_buttons(world, demo):
    page = demo.client_for("user@adventureworks.example").get(f"/store/tenant/{world['t']}/users/")
    assert page.status_code == 200
    assert b"+ New user" not in page.content and b"Assign subscription" not in page.content
    admin_page = demo.client_for("admin@adventureworks.example").get(f"/store/tenant/{world['t']}/users/")
    assert b"+ New user" in admin_page.content
