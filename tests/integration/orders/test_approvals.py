"""Approvals (S4): policies per customer and reseller default, decisions, emails, warnings."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from cspbroker.accounts import services as accounts
from cspbroker.domain.parties import Role
from cspbroker.notifications.models import OutboundEmail
from cspbroker.provisioning.models import ApprovalPolicy, Order, ProviderOperation
from tests.integration.subscriptions.shop import (
    CUSTOMER,
    RESELLER,
    RESELLER_STAFF,
    api,
    committed,
    post,
    problem_of,
    remote_subscriptions,
)

pytestmark = pytest.mark.django_db


def order_body(shop, quantity=5):
    return {"tenant_id": shop.tenant.pk, "offer_id": shop.offer.pk, "quantity": quantity}


def policy(organization, **fields):
    return ApprovalPolicy.objects.create(organization=organization, is_enabled=True, **fields)


def test_a_customer_order_waits_then_staff_approve_and_both_sides_hear_of_it(shop):
    policy(shop.tenant.customer)
    placed = post(api(CUSTOMER), "/api/v1/orders", order_body(shop)).json()
    assert placed["state"] == "awaiting_approval"
    assert not ProviderOperation.objects.exists() and remote_subscriptions(shop.world) == []
    requested = OutboundEmail.objects.get(template_key="approval_requested")
    assert RESELLER in requested.to and CUSTOMER not in requested.to
    assert api(CUSTOMER).get("/api/v1/approvals").json() == []
    [waiting] = api(RESELLER_STAFF).get("/api/v1/approvals").json()
    assert waiting["order"]["id"] == placed["id"] and waiting["warnings"] == [] and not waiting["own_request"]
    approved = post(api(RESELLER_STAFF), f"/api/v1/approvals/{placed['id']}/approve")
    assert approved.status_code == 200 and approved.json()["decided_by"] == RESELLER_STAFF
    seen = api(CUSTOMER).get(f"/api/v1/orders/{placed['id']}").json()
    assert seen["state"] == "completed" and len(remote_subscriptions(shop.world)) == 1
    decided = OutboundEmail.objects.get(template_key="approval_decided")
    assert CUSTOMER in decided.to and RESELLER_STAFF in decided.to
    problem_of(post(api(RESELLER), f"/api/v1/approvals/{placed['id']}/approve"), 422, "not_waiting")


def test_a_rejection_needs_a_reason_which_the_customer_reads(shop):
    policy(shop.tenant.customer)
    placed = post(api(CUSTOMER), "/api/v1/orders", order_body(shop)).json()
    problem_of(post(api(RESELLER), f"/api/v1/approvals/{placed['id']}/reject"), 422, "invalid_input")
    rejected = post(api(RESELLER), f"/api/v1/approvals/{placed['id']}/reject", {"reason": "Budget first"})
    assert rejected.json()["state"] == "rejected"
    seen = api(CUSTOMER).get(f"/api/v1/orders/{placed['id']}").json()
    assert (seen["state"], seen["decision_reason"]) == ("rejected", "Budget first")
    assert not ProviderOperation.objects.exists()


def test_customers_may_not_decide(shop):
    policy(shop.tenant.customer)
    placed = post(api(CUSTOMER), "/api/v1/orders", order_body(shop)).json()
    problem_of(post(api(CUSTOMER), f"/api/v1/approvals/{placed['id']}/approve"), 403, "permission_denied")
    problem_of(
        post(api("admin@woodgrove.example"), f"/api/v1/approvals/{placed['id']}/approve"), 404, "not_found"
    )


def test_nobody_approves_their_own_request(shop, demo):
    policy(shop.tenant.customer)
    placed = post(api(CUSTOMER), "/api/v1/orders", order_body(shop)).json()
    # The customer's admin later joins the reseller's staff: still not their own approver.
    accounts.add_member(
        organization_id=demo.organizations["tailspin"].pk,
        email=CUSTOMER,
        role=Role.RESELLER_STAFF,
        full_name="Anna",
    )
    [waiting] = api(CUSTOMER).get("/api/v1/approvals").json()
    assert waiting["own_request"] is True
    problem_of(post(api(CUSTOMER), f"/api/v1/approvals/{placed['id']}/approve"), 403, "own_request")


def test_the_reseller_default_applies_unless_the_customer_has_its_own(shop, demo):
    policy(demo.organizations["tailspin"])
    waiting = post(api(CUSTOMER), "/api/v1/orders", order_body(shop)).json()
    assert waiting["state"] == "awaiting_approval"
    ApprovalPolicy.objects.create(organization=shop.tenant.customer, is_enabled=False)
    assert post(api(CUSTOMER), "/api/v1/orders", order_body(shop)).json()["state"] == "approved"


def test_staff_orders_and_decreases_never_wait(shop):
    policy(shop.tenant.customer)
    assert post(api(RESELLER), "/api/v1/orders", order_body(shop)).json()["state"] == "approved"
    sub = Order.objects.get().subscription
    decrease = post(api(CUSTOMER), f"/api/v1/subscriptions/{sub.pk}/quantity", {"quantity": 3}).json()
    assert decrease["state"] == "approved"
    increase = post(api(CUSTOMER), f"/api/v1/subscriptions/{sub.pk}/quantity", {"quantity": 6}).json()
    assert increase["state"] == "awaiting_approval"
    preview = post(api(CUSTOMER), f"/api/v1/subscriptions/{sub.pk}/preview", {"quantity": 7}).json()
    assert preview["needs_approval"] is True


def test_only_orders_above_the_amount_wait(shop):
    policy(shop.tenant.customer, new_subscriptions=False, amount_above=Decimal("50"))
    assert post(api(CUSTOMER), "/api/v1/orders", order_body(shop, 2)).json()["state"] == "approved"  # 25.00
    assert post(api(CUSTOMER), "/api/v1/orders", order_body(shop, 5)).json()["state"] == "awaiting_approval"


def test_approvers_are_warned_about_old_requests_and_closing_windows(shop):
    sub = shop.buy(5)
    policy(shop.tenant.customer)
    placed = post(api(CUSTOMER), f"/api/v1/subscriptions/{sub.pk}/quantity", {"quantity": 8}).json()
    Order.objects.filter(pk=placed["id"]).update(created_at=timezone.now() - timedelta(days=4))
    soon = (timezone.now() + timedelta(hours=5)).isoformat()
    sub.refundable_lots = [{"quantity": 5, "allowed_until": soon}]
    sub.cancellation_allowed_until = timezone.now() + timedelta(hours=5)
    sub.save()
    [waiting] = api(RESELLER).get("/api/v1/approvals").json()
    warnings = waiting["warnings"]
    assert warnings[0].startswith("This request has waited 4 days")
    assert any(w.startswith("The window to cancel closes in 4 hours") for w in warnings), warnings
    assert any(w.startswith("The window to remove 5 seats closes in") for w in warnings), warnings


def test_policy_settings_pages(shop, demo):
    customer = shop.tenant.customer
    tailspin = demo.organizations["tailspin"]
    staff = demo.client_for(RESELLER_STAFF)
    page = staff.get("/backoffice/approvals/settings/")
    assert page.status_code == 200 and customer.legal_name in page.content.decode()
    saved = staff.post(
        f"/backoffice/approvals/settings/{customer.pk}/",
        {"is_enabled": "1", "new_subscriptions": "1", "amount_above": "100"},
    )
    assert saved.status_code == 302
    own = ApprovalPolicy.objects.get(organization=customer)
    assert (own.is_enabled, own.new_subscriptions, own.quantity_increases, own.amount_above) == (
        True,
        True,
        False,
        Decimal("100.00"),
    )
    # Reseller staff run customers but not the reseller's own default; its admin does.
    assert (
        staff.post(f"/backoffice/approvals/settings/{tailspin.pk}/", {"is_enabled": "1"}).status_code == 404
    )
    admin = demo.client_for(RESELLER)
    assert (
        admin.post(f"/backoffice/approvals/settings/{tailspin.pk}/", {"is_enabled": "1"}).status_code == 302
    )
    assert admin.post(f"/backoffice/approvals/settings/{customer.pk}/", {"inherit": "1"}).status_code == 302
    assert not ApprovalPolicy.objects.filter(organization=customer).exists()
    assert demo.client_for(CUSTOMER).get("/backoffice/approvals/settings/").status_code == 404
    other = demo.client_for("admin@woodgrove.example")
    assert other.get(f"/backoffice/approvals/settings/{customer.pk}/").status_code == 404


def test_staff_approve_and_reject_from_the_pages(shop, demo):
    policy(shop.tenant.customer)
    first = post(api(CUSTOMER), "/api/v1/orders", order_body(shop)).json()
    second = post(api(CUSTOMER), "/api/v1/orders", order_body(shop, 2)).json()
    staff = demo.client_for(RESELLER)
    page = staff.get("/backoffice/approvals/").content.decode()
    assert f"Order {first['id']}" in page and f"Order {second['id']}" in page
    with committed():
        staff.post(f"/backoffice/approvals/{first['id']}/decide/", {"decision": "approve"})
    staff.post(f"/backoffice/approvals/{second['id']}/decide/", {"decision": "reject", "reason": "Too many"})
    assert Order.objects.get(pk=first["id"]).state == "completed"
    assert Order.objects.get(pk=second["id"]).state == "rejected"
    store = demo.client_for(CUSTOMER).get(f"/store/orders/{second['id']}/").content.decode()
    assert "Rejected" in store and "Too many" in store
