"""Licence assignment (U3): available and consumed seats, refused beyond the purchase, provider refusals."""

from __future__ import annotations

import pytest

from cspbroker.connections.clients import partner_center_client
from cspbroker.subscriptions.models import Subscription
from cspbroker.tenants.models import LicenceAssignment, TenantUser
from tests.integration.tenants.test_linking import POWER_BI, STANDARD

ADMIN = "admin@northwind.example"


@pytest.fixture
def people(northwind) -> dict[str, TenantUser]:
    return {user.first_name.lower() or "admin": user for user in TenantUser.objects.filter(tenant=northwind)}


def power_bi(tenant) -> Subscription:
    return Subscription.objects.get(tenant=tenant, offer__availability__sku__licence_sku_id=POWER_BI)


def provider_licences(tenant, user) -> set[str]:
    client = partner_center_client(tenant.connection)
    try:
        return {
            item.product_sku.id
            for item in client.list_user_licenses(tenant.provider_tenant_id, user.provider_user_id)
        }
    finally:
        client.close()


def test_the_tenant_shows_purchased_assigned_and_available_seats(northwind, api):
    body = api(ADMIN).get(f"/tenants/{northwind.pk}").json()
    seats = {
        line["name"]: (line["purchased"], line["assigned"], line["available"]) for line in body["licences"]
    }
    assert seats == {
        "Microsoft 365 Business Standard": (10, 3, 7),
        "Exchange Online (Plan 1)": (5, 1, 4),
        "Power BI Pro": (3, 1, 2),
    }
    subscription = next(s for s in body["subscriptions"] if s["licence_sku_id"] == POWER_BI)
    assert (subscription["quantity"], subscription["assigned"], subscription["available"]) == (3, 1, 2)


def test_assign_to_a_ticked_set_of_users_and_the_counts_update_at_once(northwind, people, api):
    response = api(ADMIN).post(
        f"/tenants/{northwind.pk}/licence-assignments",
        {"subscription_id": power_bi(northwind).pk, "user_ids": [people["andrew"].pk, people["janet"].pk]},
    )
    assert response.status_code == 201, response.content
    assert response.json() == {
        "licence_sku_id": POWER_BI,
        "changed": 2,
        "unchanged": 0,
        "pending": False,
        "purchased": 3,
        "assigned": 3,
        "available": 0,
    }
    assert POWER_BI in provider_licences(northwind, people["andrew"])
    listed = api(ADMIN).get(f"/tenants/{northwind.pk}/licence-assignments", licence_sku_id=POWER_BI).json()
    assert sorted(a["user_principal_name"].split(".")[0] for a in listed) == ["andrew", "janet", "nancy"]


def test_assigning_beyond_the_purchase_is_refused_before_the_provider_is_called(northwind, people, api):
    users = [people["andrew"].pk, people["janet"].pk, people["margaret"].pk]
    response = api(ADMIN).post(
        f"/tenants/{northwind.pk}/licence-assignments",
        {"subscription_id": power_bi(northwind).pk, "user_ids": users},
    )
    assert response.status_code == 422
    assert response.json()["code"] == "licences_exhausted"
    assert response.json()["detail"] == "Only 2 of 3 licences are free; you selected 3 users."
    assert POWER_BI not in provider_licences(northwind, people["andrew"])
    assert LicenceAssignment.objects.filter(licence_sku_id=POWER_BI).count() == 1


def test_users_who_already_hold_the_licence_do_not_count(northwind, people, api):
    users = [people["nancy"].pk, people["andrew"].pk]  # Nancy has Power BI already
    response = api(ADMIN).post(
        f"/tenants/{northwind.pk}/licence-assignments",
        {"subscription_id": power_bi(northwind).pk, "user_ids": users},
    )
    assert response.status_code == 201
    assert (response.json()["changed"], response.json()["unchanged"], response.json()["available"]) == (
        1,
        1,
        1,
    )


def test_a_refusal_by_partner_center_is_shown(northwind, people, api, sandbox):
    # Both free seats were taken in the Microsoft 365 admin centre; we have not synced since.
    for name in ("steven", "margaret"):
        sandbox.call(
            "POST",
            f"/customers/{northwind.provider_tenant_id}/users/{people[name].provider_user_id}/licenses",
            json={"assign": [POWER_BI]},
        )
    response = api(ADMIN).post(
        f"/tenants/{northwind.pk}/licence-assignments",
        {"subscription_id": power_bi(northwind).pk, "user_ids": [people["andrew"].pk]},
    )
    assert response.status_code == 422
    problem = response.json()
    assert problem["code"] == "provider_rejected"
    assert "run out of licenses" in problem["detail"] and "(code 60012)" in problem["detail"]
    assert not LicenceAssignment.objects.filter(user=people["andrew"], licence_sku_id=POWER_BI).exists()


def test_remove_a_licence_from_users(northwind, people, api):
    subscription = Subscription.objects.get(
        tenant=northwind, offer__availability__sku__licence_sku_id=STANDARD
    )
    response = api(ADMIN).post(
        f"/tenants/{northwind.pk}/licence-assignments/remove",
        {"subscription_id": subscription.pk, "user_ids": [people["andrew"].pk, people["steven"].pk]},
    )
    assert response.status_code == 200
    assert (response.json()["changed"], response.json()["unchanged"], response.json()["assigned"]) == (
        1,
        1,
        2,
    )
    assert STANDARD not in provider_licences(northwind, people["andrew"])


def test_remove_one_assignment_by_its_id(northwind, people, api):
    assignment = LicenceAssignment.objects.get(user=people["nancy"], licence_sku_id=POWER_BI)
    response = api(ADMIN).delete(f"/tenants/{northwind.pk}/licence-assignments/{assignment.pk}")
    assert response.status_code == 204
    assert not LicenceAssignment.objects.filter(pk=assignment.pk).exists()
    assert POWER_BI not in provider_licences(northwind, people["nancy"])


def test_a_user_without_usage_location_gets_no_licence(northwind, people, api):
    TenantUser.objects.filter(pk=people["andrew"].pk).update(usage_location="")
    response = api(ADMIN).post(
        f"/tenants/{northwind.pk}/licence-assignments",
        {"subscription_id": power_bi(northwind).pk, "user_ids": [people["andrew"].pk]},
    )
    assert response.status_code == 422 and "usage location" in response.json()["detail"]


@pytest.mark.parametrize(
    ("body", "field"),
    [({"subscription_id": 0, "user_ids": [1]}, "subscription_id"), ({"user_ids": []}, "user_ids")],
)
def test_bad_assignment_requests_are_refused(northwind, api, body, field):
    body = {"subscription_id": power_bi(northwind).pk, **body}
    response = api(ADMIN).post(f"/tenants/{northwind.pk}/licence-assignments", body)
    assert response.status_code == 422 and response.json()["field"] == field


def test_another_tenants_user_cannot_be_ticked(northwind, new_tenant, api):
    stranger = TenantUser.objects.get(tenant=new_tenant)
    response = api("admin@alpine-cloud.example").post(
        f"/tenants/{northwind.pk}/licence-assignments",
        {"subscription_id": power_bi(northwind).pk, "user_ids": [stranger.pk]},
    )
    assert response.status_code == 422 and "not active users of this tenant" in response.json()["detail"]


def test_the_users_page_assigns_for_ticked_users_and_shows_the_new_counts(northwind, people, demo):
    client = demo.client_for(ADMIN)
    response = client.post(
        f"/store/tenant/{northwind.pk}/licences/",
        {"action": "assign", "subscription_id": power_bi(northwind).pk, "user_ids": [people["andrew"].pk]},
        follow=True,
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Licence assigned to 1 user." in page
    assert "Power BI Pro — 1 available, 2 consumed" in page
    refused = client.post(
        f"/store/tenant/{northwind.pk}/licences/",
        {
            "action": "assign",
            "subscription_id": power_bi(northwind).pk,
            "user_ids": [people["janet"].pk, people["margaret"].pk],
        },
        follow=True,
    )
    assert "Only 1 of 3 licences are free; you selected 2 users." in refused.content.decode()
