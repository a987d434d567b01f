"""Customers: domain availability, creation with validation, seek paging, profiles, deletion."""

from __future__ import annotations

import copy

from .conftest import PC, fixture


def test_domain_head_says_200_for_taken_and_404_for_free(pc: PC) -> None:
    assert pc.request("HEAD", "/domains/contoso.onmicrosoft.com").status_code == 200
    assert pc.request("HEAD", "/domains/northwindtraders.onmicrosoft.com").status_code == 200
    assert pc.request("HEAD", "/domains/brandnewtenant42.onmicrosoft.com").status_code == 404


def test_created_customer_domain_becomes_taken(pc: PC) -> None:
    pc.create_customer("wingtiptoys")

    assert pc.request("HEAD", "/domains/wingtiptoys.onmicrosoft.com").status_code == 200


def test_create_customer_returns_201_with_admin_credentials(pc: PC) -> None:
    body = fixture("create_customer_request.json")
    body["companyProfile"]["domain"] = "tailspintoys.onmicrosoft.com"

    response = pc.post("/customers", json=body)

    assert response.status_code == 201
    created = response.json()
    assert created["userCredentials"]["userName"] == "admin"
    password = created["userCredentials"]["password"]
    assert len(password) >= 8 and any(c.isupper() for c in password) and any(c.isdigit() for c in password)
    assert created["companyProfile"]["domain"] == "tailspintoys.onmicrosoft.com"
    assert created["companyProfile"]["tenantId"] == created["id"]
    assert created["billingProfile"]["attributes"]["objectType"] == "CustomerBillingProfile"
    assert created["attributes"]["objectType"] == "Customer"
    users = pc.get(f"/customers/{created['id']}/users").json()["items"]
    assert [u["userPrincipalName"] for u in users] == ["admin@tailspintoys.onmicrosoft.com"]
    assert "userCredentials" not in pc.get(f"/customers/{created['id']}").json()


def test_pascal_case_request_is_accepted(pc: PC) -> None:
    body = {
        "CompanyProfile": {"Domain": "pascalcase1.onmicrosoft.com"},
        "BillingProfile": {
            "Email": "x@y.com",
            "Culture": "en-US",
            "Language": "en",
            "CompanyName": "Pascal",
            "DefaultAddress": {
                "FirstName": "P",
                "LastName": "C",
                "AddressLine1": "1 Way",
                "City": "Austin",
                "State": "TX",
                "PostalCode": "73301",
                "Country": "US",
            },
        },
    }

    assert pc.post("/customers", json=body).status_code == 201


def invalid(pc: PC, mutate: object) -> dict[str, object]:
    body = copy.deepcopy(fixture("create_customer_request.json"))
    body["companyProfile"]["domain"] = "validationcase1.onmicrosoft.com"
    mutate(body)  # type: ignore[operator]
    response = pc.post("/customers", json=body)
    assert response.status_code == 400, response.text
    return dict(response.json())


def test_missing_city_names_the_field(pc: PC) -> None:
    error = invalid(pc, lambda b: b["billingProfile"]["defaultAddress"].pop("city"))

    assert error["code"] == 800002
    assert "billingProfile.defaultAddress.city" in str(error["description"])


def test_missing_billing_fields_and_bad_domains_are_refused(pc: PC) -> None:
    assert "billingProfile.email" in str(
        invalid(pc, lambda b: b["billingProfile"].pop("email"))["description"]
    )
    assert "language" in str(invalid(pc, lambda b: b["billingProfile"].update(language="eng"))["description"])
    long_name = "x" * 51
    assert "firstName" in str(
        invalid(pc, lambda b: b["billingProfile"]["defaultAddress"].update(firstName=long_name))[
            "description"
        ]
    )
    assert "state" in str(
        invalid(pc, lambda b: b["billingProfile"]["defaultAddress"].pop("state"))["description"]
    )
    for domain in (
        "bad-name.onmicrosoft.com",
        "a" * 28 + ".onmicrosoft.com",
        "contoso.com",
        "contoso.onmicrosoft.com",
    ):
        error = invalid(pc, lambda b, d=domain: b["companyProfile"].update(domain=d))
        assert error["code"] == 800002 and "companyProfile.domain" in str(error["data"])


def test_phone_and_registration_number_required_in_listed_countries(pc: PC) -> None:
    def hungary(body: dict) -> None:  # type: ignore[type-arg]
        body["billingProfile"]["defaultAddress"].update(country="HU", state=None, phoneNumber="")
        body["companyProfile"]["organizationRegistrationNumber"] = "01-09-562739"

    assert invalid(pc, hungary)["code"] == 600051

    def no_registration(body: dict) -> None:  # type: ignore[type-arg]
        body["billingProfile"]["defaultAddress"].update(
            country="HU", state=None, phoneNumber="+36 1 555 0100"
        )

    assert invalid(pc, no_registration)["code"] == 600049


def test_customers_are_seek_paged_with_the_continuation_header(pc: PC) -> None:
    for index in range(25):
        pc.create_customer(f"pagingcustomer{index}")

    first = pc.get("/customers", params={"size": 10}).json()
    seen = [c["id"] for c in first["items"]]
    next_link = first["links"]["next"]
    pages = 1
    while next_link:
        assert "seekOperation=Next" in next_link["uri"]
        header = next_link["headers"][0]
        assert header["key"] == "MS-ContinuationToken"
        page = pc.get(next_link["uri"], headers={header["key"]: header["value"]}).json()
        seen += [c["id"] for c in page["items"]]
        next_link = page["links"].get("next")
        pages += 1

    assert first["totalCount"] == 10
    assert first["attributes"]["objectType"] == "Collection"
    assert pages == 3
    assert len(seen) == len(set(seen)) == 26  # 25 + the seeded existing tenant


def test_billing_profile_update_needs_the_current_etag(pc: PC, customer: dict) -> None:  # type: ignore[type-arg]
    path = f"/customers/{customer['id']}/profiles/billing"
    profile = pc.get(path).json()
    profile["companyName"] = "Contoso Renamed"
    profile["email"] = "billing@contoso.example"

    updated = pc.request("PUT", path, json=profile)
    stale = pc.request("PUT", path, json=profile)

    assert updated.status_code == 200
    assert updated.json()["companyName"] == "Contoso Renamed"
    assert updated.json()["attributes"]["etag"] != profile["attributes"]["etag"]
    assert stale.status_code == 412
    assert stale.json()["code"] == 2055
    assert pc.get(f"/customers/{customer['id']}/profiles/company").json()["companyName"] == "Contoso Renamed"


def test_delete_customer_removes_it(pc: PC, customer: dict) -> None:  # type: ignore[type-arg]
    assert pc.request("DELETE", f"/customers/{customer['id']}").status_code == 204

    missing = pc.get(f"/customers/{customer['id']}")
    assert missing.status_code == 404
    assert missing.json()["code"] == 60003
