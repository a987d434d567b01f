"""Customer users (CRUD, soft delete, restore) and licence assignment against purchased seats."""

from __future__ import annotations

from typing import Any

from .conftest import PC, STANDARD, fixture

BUSINESS_STANDARD_SKU = "f245ecc8-75af-4f8e-b61f-27d8114de5f3"


def new_user(pc: PC, customer: dict[str, Any], alias: str, **extra: Any) -> dict[str, Any]:
    body = fixture("create_user_request.json")
    body.update(
        userPrincipalName=f"{alias}@{customer['companyProfile']['domain']}",
        displayName=alias.title(),
        **extra,
    )
    response = pc.post(f"/customers/{customer['id']}/users", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_user_crud_and_soft_delete(pc: PC, customer: dict[str, Any]) -> None:
    base = f"/customers/{customer['id']}/users"
    user = new_user(pc, customer, "jdoe")

    assert user["state"] == "active"
    assert user["usageLocation"] == "US"
    assert user["attributes"]["objectType"] == "CustomerUser"
    assert pc.get(f"{base}/{user['id']}").json()["displayName"] == "Jdoe"

    renamed = pc.patch(f"{base}/{user['id']}", json={"displayName": "John Doe"})
    assert renamed.status_code == 200 and renamed.json()["displayName"] == "John Doe"

    assert pc.request("DELETE", f"{base}/{user['id']}").status_code == 204
    deleted = pc.get(f"{base}/{user['id']}").json()
    assert deleted["state"] == "inactive"
    assert deleted["softDeletionTime"]
    active = [u["id"] for u in pc.get(base).json()["items"]]
    inactive_filter = '{"Field":"UserState","Value":"Inactive","Operator":"equals"}'
    inactive = [u["id"] for u in pc.get(base, params={"filter": inactive_filter}).json()["items"]]
    assert user["id"] not in active and user["id"] in inactive

    restored = pc.patch(f"{base}/{user['id']}", json={"state": "active"})
    assert restored.json()["state"] == "active" and "softDeletionTime" not in restored.json()


def test_password_reset_and_policy(pc: PC, customer: dict[str, Any]) -> None:
    user = new_user(pc, customer, "reset")
    path = f"/customers/{customer['id']}/users/{user['id']}"

    weak = pc.patch(path, json={"passwordProfile": {"password": "password", "forceChangePassword": True}})
    ok = pc.patch(path, json={"passwordProfile": {"password": "N3w-Pa55word!", "forceChangePassword": True}})

    assert weak.status_code == 400 and weak.json()["code"] == 800002
    assert ok.status_code == 200
    operations = [r["operationType"] for r in pc.audit(CustomerId=customer["id"])]
    assert "reset_customer_user_password" in operations


def test_duplicate_and_foreign_domain_users_are_refused(pc: PC, customer: dict[str, Any]) -> None:
    new_user(pc, customer, "twin")
    body = fixture("create_user_request.json")

    body["userPrincipalName"] = f"twin@{customer['companyProfile']['domain']}"
    duplicate = pc.post(f"/customers/{customer['id']}/users", json=body)
    body["userPrincipalName"] = "someone@fabrikam.onmicrosoft.com"
    foreign = pc.post(f"/customers/{customer['id']}/users", json=body)

    assert duplicate.status_code == 400 and foreign.status_code == 400


def test_users_are_seek_paged(pc: PC, customer: dict[str, Any]) -> None:
    for index in range(4):
        new_user(pc, customer, f"pager{index}")

    first = pc.get(f"/customers/{customer['id']}/users", params={"size": 3}).json()
    header = first["links"]["next"]["headers"][0]
    second = pc.get(first["links"]["next"]["uri"], headers={header["key"]: header["value"]}).json()

    assert first["totalCount"] == 3 and second["totalCount"] == 2  # admin + 4
    assert "next" not in second["links"]


def assign(pc: PC, customer: dict[str, Any], user: dict[str, Any], sku: str) -> Any:
    return pc.post(
        f"/customers/{customer['id']}/users/{user['id']}/licenseupdates",
        json={
            "licensesToAssign": [{"skuId": sku, "excludedPlans": None}],
            "attributes": {"objectType": "LicenseUpdate"},
        },
    )


def test_licence_assignment_consumes_seats_and_stops_at_60012(pc: PC, customer: dict[str, Any]) -> None:
    pc.buy(customer["id"], STANDARD, quantity=2)
    users = [new_user(pc, customer, f"seat{i}") for i in range(3)]

    first, second, third = (assign(pc, customer, user, BUSINESS_STANDARD_SKU) for user in users)

    assert first.status_code == 201 and second.status_code == 201
    assert first.json()["licenseWarnings"] == []
    assert third.status_code == 400
    expected = fixture("license_quota_60012.json")
    assert set(third.json()) == set(expected)
    assert third.json()["code"] == expected["code"] == 60012
    assert third.json()["description"] == expected["description"]
    assert third.json()["data"][0].startswith("LicenseQuotaExceededException : Subscription with Account")
    skus = pc.get(f"/customers/{customer['id']}/subscribedskus").json()["items"]
    assert set(skus[0]) == set(fixture("subscribed_sku.json"))
    assert (skus[0]["totalUnits"], skus[0]["consumedUnits"], skus[0]["availableUnits"]) == (2, 2, 0)
    assert skus[0]["productSku"]["id"] == BUSINESS_STANDARD_SKU
    licences = pc.get(f"/customers/{customer['id']}/users/{users[0]['id']}/licenses").json()["items"]
    assert [lic["productSku"]["skuPartNumber"] for lic in licences] == ["O365_BUSINESS_PREMIUM"]


def test_removing_a_licence_frees_the_seat(pc: PC, customer: dict[str, Any]) -> None:
    pc.buy(customer["id"], STANDARD, quantity=1)
    alice, bob = new_user(pc, customer, "alice"), new_user(pc, customer, "bob")
    assign(pc, customer, alice, BUSINESS_STANDARD_SKU)

    removed = pc.post(
        f"/customers/{customer['id']}/users/{alice['id']}/licenseupdates",
        json={"licensesToRemove": [BUSINESS_STANDARD_SKU]},
    )

    assert removed.status_code == 201
    assert assign(pc, customer, bob, BUSINESS_STANDARD_SKU).status_code == 201


def test_assignment_needs_a_usage_location(pc: PC, customer: dict[str, Any]) -> None:
    pc.buy(customer["id"], STANDARD, quantity=1)
    user = new_user(pc, customer, "nowhere", usageLocation=None)

    response = assign(pc, customer, user, BUSINESS_STANDARD_SKU)

    assert response.status_code == 400
    assert (
        "License assignment cannot be done for user with invalid usage location"
        in response.json()["description"]
    )
