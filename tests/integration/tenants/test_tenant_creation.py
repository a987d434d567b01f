"""A new tenant (T2): live name check, complete address, created once by the worker, failures and retries."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

import pytest
from django.db import connection as db
from django.utils import timezone

from cspbroker.accounts.access import SYSTEM
from cspbroker.connections.clients import partner_center_client
from cspbroker.notifications.models import OutboundEmail
from cspbroker.tenants import attempts
from cspbroker.tenants.jobs import creation
from cspbroker.tenants.models import Tenant, TenantUser
from cspbroker.tenants.services import tenant_lifecycle
from tests.integration.tenants.conftest import create_tenant

PASSWORD = re.compile(r"Password:\s+(\S+)")


@pytest.fixture
def one_attempt(monkeypatch):
    """The worker's client tries once: a fault fires once instead of waiting out five attempts."""
    from cspbroker.connections import clients
    from cspbroker.tenants import common

    monkeypatch.setattr(
        common,
        "partner_center",
        lambda connection, max_attempts=1: clients.partner_center(connection, max_attempts=1),
    )


def test_the_name_is_checked_live_at_partner_center(demo, connection, api):
    customer = demo.organizations["adventureworks"].pk
    free = api().get(f"/customers/{customer}/tenants/domain-check", name="AdventureWorks")
    assert free.status_code == 200
    assert free.json() == {
        "name": "adventureworks",
        "domain": "adventureworks.onmicrosoft.com",
        "available": True,
        "message": "adventureworks.onmicrosoft.com is available.",
    }
    taken = api().get(f"/customers/{customer}/tenants/domain-check", name="contoso").json()
    assert taken["available"] is False and "contoso.onmicrosoft.com is taken" in taken["message"]


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("", "tenant_prefix_required"),
        ("adventure works", "tenant_prefix_characters"),
        ("a" * 28, "tenant_prefix_too_long"),
    ],
)
def test_a_bad_name_is_refused_with_the_rule_it_breaks(demo, connection, api, name, code):
    response = api().get(
        f"/customers/{demo.organizations['adventureworks'].pk}/tenants/domain-check", name=name
    )
    assert response.status_code == 422
    assert response.json()["code"] == code and response.json()["field"] == "tenant_prefix"


def test_a_new_tenant_is_created_with_the_contact_as_administrator_and_the_credentials_mailed(
    demo, connection, api, mailoutbox, caplog, django_capture_on_commit_callbacks
):
    caplog.set_level(logging.DEBUG)
    customer = demo.organizations["adventureworks"]
    with django_capture_on_commit_callbacks(execute=True):
        response = create_tenant(api(), customer.pk, "adventureworks")
    assert response.status_code == 202
    assert response.json()["status"] == "creating"  # the answer comes before the provider's
    tenant = Tenant.objects.get(pk=response.json()["id"])
    assert tenant.status == "active" and tenant.provider_tenant_id and tenant.attempts == 1
    assert tenant.domain == "adventureworks.onmicrosoft.com"
    admin = TenantUser.objects.get(tenant=tenant)
    assert admin.user_principal_name == "admin@adventureworks.onmicrosoft.com"
    assert (admin.first_name, admin.last_name, admin.provider_user_id != "") == ("Anna", "Berg", True)
    [mail] = mailoutbox
    assert mail.to == ["it@adventureworks.example"]
    assert mail.subject == "Your new Microsoft 365 tenant adventureworks.onmicrosoft.com is ready"
    assert "Hello Anna Berg" in mail.body and "User name: admin@adventureworks.onmicrosoft.com" in mail.body
    password = PASSWORD.search(mail.body).group(1)
    assert password not in caplog.text
    with db.cursor() as cursor:
        cursor.execute("SELECT body FROM notifications_outboundemail")
        stored = " ".join(str(row[0]) for row in cursor.fetchall())
        cursor.execute("SELECT creation_request FROM tenants_tenant")
        stored += str(cursor.fetchall())
    assert password not in stored
    assert OutboundEmail.objects.get().idempotency_key == f"tenant-admin:{tenant.pk}"


def test_the_address_must_be_complete_and_the_message_names_what_is_missing(demo, connection, api):
    customer = demo.organizations["litware"]
    customer.address_line1 = ""
    customer.save()
    response = create_tenant(api(), customer.pk, "litware", city=" ")
    assert response.status_code == 422
    problem = response.json()
    assert problem["code"] == "address_incomplete"
    assert problem["detail"] == "The company address is missing: address line 1, city."
    assert problem["field"] == "address_line1"
    assert not Tenant.objects.exists()


def test_a_customer_has_one_tenant_per_connection(new_tenant, api, demo):
    response = create_tenant(api(), demo.organizations["adventureworks"].pk, "adventureworks2")
    assert response.status_code == 422
    assert response.json()["code"] == "tenant_exists"
    assert "already has the tenant adventureworks.onmicrosoft.com" in response.json()["detail"]


def test_only_customers_have_tenants(demo, connection, api):
    response = create_tenant(api(), demo.organizations["tailspin"].pk, "tailspin")
    assert response.status_code == 404  # a reseller is no customer: there is no such resource


def test_a_refusal_marks_the_tenant_failed_and_a_corrected_retry_is_a_new_request(
    demo, connection, api, mailoutbox, django_capture_on_commit_callbacks
):
    customer = demo.organizations["adventureworks"]
    with django_capture_on_commit_callbacks(execute=True):
        response = create_tenant(api(), customer.pk, "contoso")  # the sandbox knows it as taken
    tenant = Tenant.objects.get(pk=response.json()["id"])
    assert tenant.status == "failed" and tenant.failure_code == "800002"
    assert "contoso.onmicrosoft.com is not available" in tenant.failure_message
    first_request = tenant.request_id
    page = demo.client_for("admin@tailspin.example").get(f"/backoffice/tenants/{tenant.pk}/")
    assert b"800002" in page.content and b"not available" in page.content and b"Retry" in page.content
    with django_capture_on_commit_callbacks(execute=True):
        retried = api().post(f"/tenants/{tenant.pk}/retry", {"name": "adventureworkscycles"})
    assert retried.status_code == 202
    tenant.refresh_from_db()
    assert tenant.status == "active" and tenant.domain == "adventureworkscycles.onmicrosoft.com"
    assert tenant.request_id != first_request and tenant.failure_code == ""
    assert len(mailoutbox) == 1


def test_a_retryable_failure_waits_and_the_same_request_then_succeeds(
    demo, connection, api, sandbox, one_attempt, django_capture_on_commit_callbacks
):
    sandbox.fault(kind="503", path_pattern="^/v1/customers$", method="POST", next_n=1)
    with django_capture_on_commit_callbacks(execute=True):
        response = create_tenant(api(), demo.organizations["adventureworks"].pk, "adventureworks")
    tenant = Tenant.objects.get(pk=response.json()["id"])
    assert (tenant.status, tenant.attempts, tenant.failure_code) == ("creating", 1, "")
    request_id = tenant.request_id
    outcome = creation.provision(tenant.pk)  # what the rescheduled task does
    tenant.refresh_from_db()
    assert outcome["ok"] and tenant.status == "active" and tenant.request_id == request_id
    assert tenant.attempts == 2


def test_the_retry_honours_retry_after(demo, connection, api, sandbox, django_capture_on_commit_callbacks):
    # Longer than the client will sleep in a worker: it gives up at once and the task reschedules.
    sandbox.fault(kind="429", path_pattern="^/v1/customers$", method="POST", next_n=1, retry_after=400)
    with django_capture_on_commit_callbacks(execute=False):
        response = create_tenant(api(), demo.organizations["adventureworks"].pk, "adventureworks")
    outcome = creation.provision(response.json()["id"])
    assert outcome["retry_in"] == 400.0
    assert attempts.retry_delay(1, None) == 30.0 and attempts.retry_delay(9, None) == 600.0


def test_after_many_unavailable_attempts_the_tenant_fails_and_an_unchanged_retry_keeps_its_request_id(
    demo, connection, api, sandbox, one_attempt, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        response = create_tenant(api(), demo.organizations["adventureworks"].pk, "adventureworks")
    Tenant.objects.filter(pk=response.json()["id"]).update(attempts=attempts.MAX_ATTEMPTS - 1)
    sandbox.fault(kind="503", path_pattern="^/v1/customers$", method="POST", next_n=1)
    creation.provision(response.json()["id"])
    tenant = Tenant.objects.get()
    assert tenant.status == "failed" and tenant.failure_code == "unavailable"
    request_id = tenant.request_id
    with django_capture_on_commit_callbacks(execute=True):
        tenant_lifecycle.retry_tenant(actor=SYSTEM, tenant_id=tenant.pk)
    tenant.refresh_from_db()
    assert tenant.status == "active" and tenant.request_id == request_id


def test_a_crash_after_the_provider_created_the_customer_creates_nothing_twice(
    demo, connection, api, sandbox, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        response = create_tenant(api(), demo.organizations["adventureworks"].pk, "adventureworks")
    tenant = Tenant.objects.get(pk=response.json()["id"])
    # The worker called Partner Center and died before writing the answer down.
    client = partner_center_client(connection)
    first = client.create_customer(creation.new_customer(tenant), request_id=str(tenant.request_id))
    client.close()
    assert Tenant.objects.get().status == "creating"
    stuck = attempts.stuck_tenants(linked=False, now=timezone.now(), older_than=timedelta(0))
    assert stuck == [tenant.pk]
    with django_capture_on_commit_callbacks(execute=True):
        creation.provision(tenant.pk)  # the job run again, e.g. by resume_stuck_tenants
    tenant.refresh_from_db()
    assert tenant.status == "active" and tenant.provider_tenant_id == first.id
    domains = [c["domain"] for c in sandbox.customers()]
    assert domains.count("adventureworks.onmicrosoft.com") == 1
    assert PASSWORD.search(mailoutbox[0].body).group(1) == first.user_credentials.password


def test_a_duplicate_job_does_nothing(new_tenant, mailoutbox):
    assert creation.provision(new_tenant.pk) == {"ok": True, "skipped": True}
    assert len(mailoutbox) == 1


def test_tenants_a_dead_worker_left_behind_are_resumed(
    demo, connection, api, mailoutbox, django_capture_on_commit_callbacks
):
    from cspbroker.tenants.tasks import resume_stuck_tenants

    with django_capture_on_commit_callbacks(execute=False):
        response = create_tenant(api(), demo.organizations["adventureworks"].pk, "adventureworks")
    long_ago = timezone.now() - timedelta(hours=1)
    Tenant.objects.filter(pk=response.json()["id"]).update(created_at=long_ago)
    with django_capture_on_commit_callbacks(execute=True):
        resume_stuck_tenants.call_local()
    assert Tenant.objects.get().status == "active" and len(mailoutbox) == 1
    assert attempts.stuck_tenants(linked=False, now=timezone.now()) == []
