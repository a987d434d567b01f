"""Customers and domain availability against the reference's request and response shapes."""

from __future__ import annotations

from dataclasses import replace

from cspbroker.providers.partnercenter.models import Address, NewCustomer

from .support import BASE_URL, FakeProvider, fixture, fixture_bytes, make_client, respond

ADDRESS = Address(
    first_name="A",
    last_name="B",
    address_line1="One Microsoft Way",
    city="Redmond",
    state="WA",
    postal_code="98052",
    country="US",
)


def test_domain_check_is_a_head_request_and_200_means_taken() -> None:
    fake = FakeProvider(respond(200))

    assert make_client(fake).is_domain_available("contoso.onmicrosoft.com") is False
    assert fake.requests[0].method == "HEAD"
    assert str(fake.requests[0].url) == f"{BASE_URL}/v1/domains/contoso.onmicrosoft.com"


def test_domain_check_404_means_free() -> None:
    fake = FakeProvider(respond(404))

    assert make_client(fake).is_domain_available("fabrikam.onmicrosoft.com") is True
    assert len(fake.requests) == 1


def test_an_id_cannot_escape_its_path_segment() -> None:
    fake = FakeProvider(respond(404))

    make_client(fake).is_domain_available("../customers")

    assert fake.requests[0].url.raw_path == b"/v1/domains/..%2Fcustomers"


def test_create_customer_sends_the_reference_body() -> None:
    fake = FakeProvider(respond(201, fixture_bytes("customer_created.json")))
    new = NewCustomer(
        domain="contoso.onmicrosoft.com",
        company_name="Contoso",
        email="a@b.com",
        address=ADDRESS,
        organization_registration_number="<only AM,AZ,BY,HU,KZ,KG,MD,RU,TJ,UZ,UA…>",
    )

    make_client(fake).create_customer(new, request_id="create-contoso")

    request = fake.requests[0]
    assert (request.method, request.url.path) == ("POST", "/v1/customers")
    assert request.headers["MS-RequestId"] == "create-contoso"
    assert fake.body() == fixture("create_customer_request.json")


def test_registration_number_is_left_out_when_not_needed() -> None:
    fake = FakeProvider(respond(201, fixture_bytes("customer_created.json")))

    make_client(fake).create_customer(
        NewCustomer(
            domain="contoso.onmicrosoft.com", company_name="Contoso", email="a@b.com", address=ADDRESS
        )
    )

    assert fake.body()["companyProfile"] == {"domain": "contoso.onmicrosoft.com"}


def test_created_customer_carries_the_admin_credentials_once() -> None:
    fake = FakeProvider(respond(201, fixture_bytes("customer_created.json")))

    customer = make_client(fake).create_customer(
        NewCustomer(
            domain="contoso.onmicrosoft.com", company_name="Contoso", email="a@b.com", address=ADDRESS
        )
    )

    assert customer.id == "0c39d6d5-c70d-4c55-bc02-f620844f3fd1"
    assert customer.domain == "contoso.onmicrosoft.com"
    assert customer.relationship_to_partner == "reseller"
    assert customer.user_credentials is not None
    assert customer.user_credentials.user_name == "admin"
    assert customer.user_credentials.password == "Zq8#kP2m!vXw"
    assert "Zq8#kP2m!vXw" not in repr(customer)
    assert customer.billing_profile is not None
    assert customer.billing_profile.default_address == replace(ADDRESS, phone_number="")
    assert customer.billing_profile.etag == "W/\"datetime'2024-05-01T10%3A00%3A00Z'\""


def test_get_customer_and_profiles_use_the_reference_paths() -> None:
    created = fixture("customer_created.json")
    fake = FakeProvider(
        respond(200, fixture_bytes("customer_created.json")),
        respond(200, created["billingProfile"]),
        respond(200, created["companyProfile"]),
    )
    client = make_client(fake)
    cid = "0c39d6d5-c70d-4c55-bc02-f620844f3fd1"

    assert client.get_customer(cid).user_credentials is not None
    assert client.get_billing_profile(cid).email == "a@b.com"
    assert client.get_company_profile(cid).tenant_id == cid
    assert [r.url.path for r in fake.requests] == [
        f"/v1/customers/{cid}",
        f"/v1/customers/{cid}/profiles/billing",
        f"/v1/customers/{cid}/profiles/company",
    ]
