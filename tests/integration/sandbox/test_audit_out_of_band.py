"""Audit records for every mutation, and out-of-band changes made "in Microsoft's portals"."""

from __future__ import annotations

import json
from typing import Any

from .conftest import PC, STANDARD

BUSINESS_STANDARD_SKU = "f245ecc8-75af-4f8e-b61f-27d8114de5f3"


def operations(pc: PC, customer_id: str) -> list[str]:
    return [record["operationType"] for record in pc.audit(CustomerId=customer_id)]


def test_each_api_mutation_leaves_an_audit_record(pc: PC, customer: dict[str, Any]) -> None:
    sub = pc.buy(customer["id"], quantity=2)
    pc.patch(f"/customers/{customer['id']}/subscriptions/{sub['id']}", json={"quantity": 3})
    user = pc.post(
        f"/customers/{customer['id']}/users",
        json={
            "userPrincipalName": f"audit@{customer['companyProfile']['domain']}",
            "displayName": "Audit",
            "usageLocation": "US",
            "passwordProfile": {"password": "Str0ng!Passw0rd"},
        },
    ).json()
    pc.request("DELETE", f"/customers/{customer['id']}/users/{user['id']}")

    found = operations(pc, customer["id"])

    for expected in (
        "add_customer",
        "create_customer_user",
        "create_order",
        "update_subscription",
        "delete_customer_user",
    ):
        assert expected in found
    record = next(
        r for r in pc.audit(CustomerId=customer["id"]) if r["operationType"] == "update_subscription"
    )
    assert record["resourceType"] == "subscription"
    assert json.loads(record["resourceOldValue"])["quantity"] == 2
    assert json.loads(record["resourceNewValue"])["quantity"] == 3
    assert record["applicationId"] == pc.config.client_id
    assert record["operationStatus"] == "succeeded"
    assert record["attributes"]["objectType"] == "AuditRecord"


def test_audit_records_filter_by_resource_type_and_date(pc: PC, customer: dict[str, Any]) -> None:
    pc.buy(customer["id"], quantity=1)
    today = pc.admin("GET", "/clock").json()["now"][:10]

    orders = pc.audit(ResourceType="order")
    window = pc.get("/auditrecords", params={"startDate": today, "endDate": today}).json()
    past = pc.get("/auditrecords", params={"startDate": "2001-01-01", "endDate": "2001-01-02"}).json()

    assert orders and {r["resourceType"] for r in orders} == {"order"}
    assert window["totalCount"] >= 3 and past["totalCount"] == 0


def test_out_of_band_changes_appear_in_audit(pc: PC, customer: dict[str, Any]) -> None:
    sub = pc.buy(customer["id"], STANDARD, quantity=2)
    base = f"/customers/{customer['id']}"
    pc.advance("P10D")

    resized = pc.admin("PATCH", f"{base}/subscriptions/{sub['id']}", json={"quantity": 1})
    created = pc.admin(
        "POST",
        f"{base}/users",
        json={
            "userPrincipalName": f"oob@{customer['companyProfile']['domain']}",
            "displayName": "Out Of Band",
            "usageLocation": "US",
        },
    )
    user_id = created.json()["user"]["id"]
    licensed = pc.admin("POST", f"{base}/users/{user_id}/licenses", json={"assign": [STANDARD]})
    suspended = pc.admin("PATCH", f"{base}/subscriptions/{sub['id']}", json={"status": "suspended"})
    removed = pc.admin("DELETE", f"{base}/users/{user_id}")

    assert resized.status_code == 200 and resized.json()["quantity"] == 1  # no window rule in the portal
    assert created.status_code == 201 and created.json()["password"]
    assert licensed.json()["licenses"] == [BUSINESS_STANDARD_SKU]
    assert suspended.json()["status"] == "suspended"
    assert removed.status_code == 204
    portal = [
        r
        for r in pc.audit(CustomerId=customer["id"])
        if {"key": "Source", "value": "M365AdminCenter"} in r["customizedData"]
    ]
    assert [r["operationType"] for r in portal] == [
        "update_subscription",
        "create_customer_user",
        "update_customer_user_licenses",
        "update_subscription",
        "delete_customer_user",
    ]
    assert all(r["userPrincipalName"] == f"admin@{customer['companyProfile']['domain']}" for r in portal)


def test_out_of_band_purchase_and_existing_tenant_link(pc: PC) -> None:
    linked = pc.admin(
        "POST",
        "/customers",
        json={
            "companyName": "Adventure Works",
            "domain": "adventureworks9.onmicrosoft.com",
            "country": "US",
            "subscriptions": [
                {
                    "catalogItemId": STANDARD,
                    "quantity": 4,
                    "termDuration": "P1Y",
                    "billingCycle": "monthly",
                    "purchasedDaysAgo": 400,
                }
            ],
            "users": [
                {
                    "userPrincipalName": "ann@adventureworks9.onmicrosoft.com",
                    "displayName": "Ann",
                    "usageLocation": "US",
                    "licenses": ["CFQ7TTC0LDPB:0001"],
                }
            ],
        },
    )
    assert linked.status_code == 201, linked.text
    customer_id = linked.json()["customer"]["id"]
    sub = linked.json()["subscriptions"][0]

    bought = pc.admin(
        "POST",
        f"/customers/{customer_id}/subscriptions",
        json={
            "catalogItemId": "CFQ7TTC0L3PB:0001:CFQ7TTC0KDSZ",
            "quantity": 2,
            "termDuration": "P1Y",
            "billingCycle": "monthly",
        },
    )

    assert (
        sub["commitmentEndDate"] > pc.admin("GET", "/clock").json()["now"][:10]
    )  # renewed into the current term
    skus = pc.get(f"/customers/{customer_id}/subscribedskus").json()["items"]
    assert (skus[0]["totalUnits"], skus[0]["consumedUnits"]) == (4, 1)
    assert bought.status_code == 201
    assert len(pc.get(f"/customers/{customer_id}/subscriptions").json()["items"]) == 2
    assert "create_order" in operations(pc, customer_id)
    assert pc.request("HEAD", "/domains/adventureworks9.onmicrosoft.com").status_code == 200


def test_seeded_existing_tenant(pc: PC) -> None:
    customers = pc.get("/customers").json()["items"]
    northwind = next(
        c for c in customers if c["companyProfile"]["domain"] == "northwindtraders.onmicrosoft.com"
    )

    subs = pc.get(f"/customers/{northwind['id']}/subscriptions").json()["items"]
    users = pc.get(f"/customers/{northwind['id']}/users").json()["items"]

    assert len(subs) == 3 and len(users) == 6
