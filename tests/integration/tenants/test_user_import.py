"""User import and export (U2): a preview row by row, the import in the worker, one credentials email."""

from __future__ import annotations

import re
import time

from django.core.files.uploadedfile import SimpleUploadedFile

from cspbroker.connections.clients import partner_center_client
from cspbroker.domain.passwords import check_password
from cspbroker.tenants.models import TenantUser, UserImport
from tests.integration.tenants.conftest import NORTHWIND_DOMAIN

ADMIN = "admin@northwind.example"
HEADER = "userPrincipalName,firstName,lastName,displayName,usageLocation\r\n"
LINE = re.compile(r"^(\S+@\S+)\s+(\S+)$", re.MULTILINE)


def rows(count: int, start: int = 0) -> str:
    return "".join(
        f"user{i:05d}@{NORTHWIND_DOMAIN},Test,Person {i},Test Person {i},US\r\n"
        for i in range(start, start + count)
    )


def test_the_preview_says_per_row_what_will_happen_and_why(northwind, api):
    csv = (
        HEADER
        + f"robert.king@{NORTHWIND_DOMAIN},Robert,King,Robert King,us\r\n"
        + f"nancy.davolio@{NORTHWIND_DOMAIN},Nancy,Davolio,Nancy Davolio,US\r\n"
        + "anne.dodsworth@contoso.com,Anne,Dodsworth,Anne Dodsworth,GB\r\n"
        + f"michael.suyama@{NORTHWIND_DOMAIN},Michael,Suyama,,XX\r\n"
        + f"ROBERT.KING@{NORTHWIND_DOMAIN},Robert,King,Robert King,US\r\n"
    )
    response = api(ADMIN).post(
        f"/tenants/{northwind.pk}/users/imports", {"csv": csv, "notify_email": "it@northwind.example"}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "previewed" and body["total"] == 1
    assert body["summary"] == "1 to create, 1 already exist, 3 refused."
    actions = {row["line"]: (row["action"], " ".join(row["reasons"])) for row in body["rows"]}
    assert actions[2] == ("create", "")
    assert actions[3][0] == "skip" and "already exists" in actions[3][1]
    assert actions[4][0] == "refuse" and "not one of the tenant's domains" in actions[4][1]
    assert actions[5][0] == "refuse" and "displayName" in actions[5][1] and "XX" in actions[5][1]
    assert actions[6][0] == "refuse" and "already appears on line 2" in actions[6][1]
    assert TenantUser.objects.filter(tenant=northwind).count() == 6  # nothing created by a preview


def test_a_bad_file_or_address_is_refused(northwind, api):
    wrong_header = api(ADMIN).post(
        f"/tenants/{northwind.pk}/users/imports",
        {"csv": "email,name\r\n", "notify_email": "it@northwind.example"},
    )
    assert wrong_header.status_code == 422 and wrong_header.json()["code"] == "csv_header"
    assert "missing the columns userPrincipalName" in wrong_header.json()["detail"]
    no_address = api(ADMIN).post(
        f"/tenants/{northwind.pk}/users/imports", {"csv": HEADER, "notify_email": "nobody"}
    )
    assert no_address.status_code == 422 and no_address.json()["field"] == "notify_email"


def test_an_import_creates_the_users_and_emails_one_list_of_credentials(
    northwind, api, mailoutbox, django_capture_on_commit_callbacks
):
    admin = api(ADMIN)
    preview = admin.post(
        f"/tenants/{northwind.pk}/users/imports",
        {"csv": HEADER + rows(60), "notify_email": "it@northwind.example"},
    ).json()
    started_at = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        started = admin.post(f"/tenants/{northwind.pk}/users/imports/{preview['id']}/start")
    elapsed = time.monotonic() - started_at
    assert started.status_code == 202
    progress = admin.get(f"/tenants/{northwind.pk}/users/imports/{preview['id']}").json()
    assert (progress["status"], progress["percent"], progress["processed"]) == ("completed", 100, 60)
    assert (progress["created_count"], progress["failed_count"]) == (60, 0)
    assert progress["message"] == "60 users created; the passwords were emailed."
    assert TenantUser.objects.filter(tenant=northwind, user_principal_name__startswith="user0").count() == 60
    [mail] = mailoutbox
    assert mail.to == ["it@northwind.example"]
    assert mail.subject == f"60 Microsoft 365 accounts created in {NORTHWIND_DOMAIN}"
    credentials = dict(LINE.findall(mail.body))
    assert len(credentials) == 60
    name = f"user00007@{NORTHWIND_DOMAIN}"
    assert check_password(credentials[name], account_name=name, full_name="Test Person 7") == []
    client = partner_center_client(northwind.connection)
    at_provider = {u.user_principal_name for u in client.list_users(northwind.provider_tenant_id)}
    client.close()
    assert {f"user{i:05d}@{NORTHWIND_DOMAIN}" for i in range(60)} <= at_provider
    assert elapsed < 30
    again = admin.post(f"/tenants/{northwind.pk}/users/imports/{preview['id']}/start")
    assert again.status_code == 422 and "already completed" in again.json()["detail"]


def test_users_the_provider_refuses_are_reported_and_the_rest_created(
    northwind, api, sandbox, mailoutbox, django_capture_on_commit_callbacks
):
    admin = api(ADMIN)
    preview = admin.post(
        f"/tenants/{northwind.pk}/users/imports",
        {"csv": HEADER + rows(3), "notify_email": "it@northwind.example"},
    ).json()
    # Someone created one of them in the admin centre after the preview.
    sandbox.call(
        "POST",
        f"/customers/{northwind.provider_tenant_id}/users",
        json={"userPrincipalName": f"user00001@{NORTHWIND_DOMAIN}", "displayName": "Taken"},
    )
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(f"/tenants/{northwind.pk}/users/imports/{preview['id']}/start")
    record = UserImport.objects.get()
    assert (record.status, record.created_count, record.failed_count) == ("completed", 2, 1)
    assert record.failures[0]["line"] == 3 and "already exists" in record.failures[0]["reason"]
    assert len(LINE.findall(mailoutbox[0].body)) == 2


def test_export_then_import_changes_nothing(northwind, api):
    admin = api(ADMIN)
    exported = admin.client.get(f"/api/v1/tenants/{northwind.pk}/users/export")
    assert exported.status_code == 200 and exported["Content-Type"].startswith("text/csv")
    text = exported.content.decode()
    assert (
        text.startswith(HEADER) and f"nancy.davolio@{NORTHWIND_DOMAIN},Nancy,Davolio,Nancy Davolio,US" in text
    )
    preview = admin.post(
        f"/tenants/{northwind.pk}/users/imports", {"csv": text, "notify_email": "it@northwind.example"}
    ).json()
    assert preview["summary"] == "0 to create, 6 already exist, 0 refused."


def test_the_import_pages_preview_start_and_show_progress(
    northwind, demo, mailoutbox, django_capture_on_commit_callbacks
):
    client = demo.client_for(ADMIN)
    upload = SimpleUploadedFile("users.csv", (HEADER + rows(5) + "bad,row\r\n").encode("utf-8-sig"))
    preview = client.post(
        f"/store/tenant/{northwind.pk}/users/import/",
        {"file": upload, "notify_email": "it@northwind.example"},
    )
    page = preview.content.decode()
    assert preview.status_code == 200
    assert "5 to create, 0 already exist, 1 refused." in page and "Refused:" in page
    record = UserImport.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(f"/store/tenant/{northwind.pk}/users/import/{record.pk}/start/")
    assert started.status_code == 302
    progress = client.get(started["Location"])
    assert "5 users created; the passwords were emailed." in progress.content.decode()
    polled = client.get(f"/store/tenant/{northwind.pk}/users/import/{record.pk}/", HTTP_HX_REQUEST="true")
    assert b'data-status="completed"' in polled.content and b"hx-trigger" not in polled.content


def test_a_file_that_is_not_utf8_is_refused_on_the_page(northwind, demo):
    client = demo.client_for(ADMIN)
    upload = SimpleUploadedFile("users.csv", (HEADER + "jörg@x,J,Ö,JÖ,DE\r\n").encode("latin-1"))
    response = client.post(
        f"/store/tenant/{northwind.pk}/users/import/", {"file": upload, "notify_email": "a@b.example"}
    )
    assert response.status_code == 400 and "save it as “CSV UTF-8”" in response.content.decode()
