"""Contract of the Partner Center client against the sandbox, over real HTTP on loopback: tokens,
domains, customers and their profiles, users, subscribed SKUs and licence assignment."""

from __future__ import annotations

import json

import pytest

from cspbroker.providers.auth import StaticBearerToken
from cspbroker.providers.errors import NotFound, ProviderAuthError, ProviderRejected
from cspbroker.providers.http import ProviderHttpClient
from cspbroker.providers.partnercenter import PartnerCenterClient
from cspbroker.providers.partnercenter.models import Address, Customer, UserChanges, UserState
from cspbroker.providers.ports import TenantsPort, UsersAndLicencesPort
from tests.integration.providers._pc_fixtures import (
    BASIC_AAD,
    NORTHWIND_DOMAIN,
    PcSandbox,
    Wire,
    a_line,
    a_new_customer,
    a_new_user,
    an_address,
    buy,
    make_client,
    pc_fixtures,
)

sandbox, wire, client = pc_fixtures()


@pytest.fixture
def customer(client: PartnerCenterClient) -> Customer:
    return client.create_customer(a_new_customer())


# -- token --------------------------------------------------------------------------------------


def test_a_good_secret_gets_a_token_and_the_api_answers(client: PartnerCenterClient, wire: Wire) -> None:
    domains = {customer.domain for customer in client.list_customers()}

    assert domains == {NORTHWIND_DOMAIN}
    token_calls = [e for e in wire.transport.exchanges if e.path.endswith("/oauth2/token")]
    assert [(e.method, e.status) for e in token_calls] == [("POST", 200)]


def test_a_bad_secret_is_a_provider_auth_error_from_the_token_endpoint(sandbox: PcSandbox) -> None:
    with make_client(sandbox, secret="not-the-secret") as refused, pytest.raises(ProviderAuthError) as error:
        refused.get_customer("00000000-0000-0000-0000-000000000000")

    assert (error.value.status, error.value.code, error.value.source) == (401, "invalid_client", "token")
    assert "AADSTS7000215" in error.value.description
    assert "not-the-secret" not in str(error.value)


def test_a_token_the_api_does_not_know_is_a_provider_auth_error_800001(sandbox: PcSandbox) -> None:
    http = ProviderHttpClient(sandbox.url, StaticBearerToken("forged.token.value"), max_attempts=1)

    with PartnerCenterClient.from_http(http) as forged, pytest.raises(ProviderAuthError) as error:
        list(forged.list_customers())

    assert (error.value.status, error.value.code) == (401, "800001")
    assert error.value.description == "Partner Token missing in request context"


# -- domains and customers ----------------------------------------------------------------------


def test_domain_availability_head_200_is_taken_404_is_free(client: PartnerCenterClient) -> None:
    assert client.is_domain_available("contoso.onmicrosoft.com") is False  # Microsoft's directory
    assert client.is_domain_available(NORTHWIND_DOMAIN) is False  # the sandbox's own tenant
    assert client.is_domain_available("acmewidgets.onmicrosoft.com") is True

    client.create_customer(a_new_customer("acmewidgets"))

    assert client.is_domain_available("ACMEWIDGETS.onmicrosoft.com") is False


def test_create_customer_returns_the_tenant_and_its_admin_credentials_once(
    client: PartnerCenterClient,
) -> None:
    created = client.create_customer(a_new_customer("fabrikamtoys", company_name="Fabrikam Toys"))

    assert created.domain == "fabrikamtoys.onmicrosoft.com"
    assert created.company_profile.tenant_id == created.id
    assert created.relationship_to_partner == "reseller"
    assert created.user_credentials is not None
    assert created.user_credentials.user_name == "admin"
    assert len(created.user_credentials.password) >= 8
    assert "password" not in repr(created.user_credentials)
    fetched = client.get_customer(created.id)
    assert fetched.user_credentials is None
    assert (fetched.id, fetched.domain, fetched.allow_delegated_access) == (created.id, created.domain, True)
    assert fetched.billing_profile is not None and fetched.billing_profile.company_name == "Fabrikam Toys"
    admin = next(client.list_users(created.id))
    assert admin.user_principal_name == "admin@fabrikamtoys.onmicrosoft.com"


def test_an_unknown_customer_is_not_found_with_code_60003(client: PartnerCenterClient) -> None:
    with pytest.raises(NotFound) as error:
        client.get_customer("00000000-0000-0000-0000-000000000000")

    assert (error.value.status, error.value.code) == (404, "60003")


@pytest.mark.parametrize(
    ("address", "registration", "code", "field"),
    [
        (an_address(state=""), None, "800002", "billingProfile.defaultAddress.state"),
        (an_address(city=""), None, "800002", "billingProfile.defaultAddress.city"),
        (an_address(country="USA"), None, "800002", "billingProfile.defaultAddress.country"),
        (
            an_address("HU", state="", city="Budapest"),
            "01-09-562739",
            "600051",
            "billingProfile.defaultAddress.phoneNumber",
        ),
        (
            an_address("HU", state="", phone_number="+36 1 555 0100"),
            None,
            "600049",
            "companyProfile.organizationRegistrationNumber",
        ),
        (
            an_address("HU", state="", phone_number="+36 1 555 0100"),
            "#",
            "600050",
            "companyProfile.organizationRegistrationNumber",
        ),
    ],
    ids=["no-state", "no-city", "bad-country", "hu-no-phone", "hu-no-registration", "hu-bad-registration"],
)
def test_validation_errors_are_final_rejections_with_the_sandboxs_code(
    client: PartnerCenterClient, wire: Wire, address: Address, registration: str | None, code: str, field: str
) -> None:
    new = a_new_customer(address=address, organization_registration_number=registration)

    with pytest.raises(ProviderRejected) as refused:
        client.create_customer(new)

    assert (refused.value.status, refused.value.code, refused.value.source) == (400, code, "PartnerFD")
    assert refused.value.data == (field,)
    assert wire.waits == []  # a final answer is never retried
    assert client.is_domain_available(new.domain) is True


def test_a_taken_or_malformed_domain_is_refused(client: PartnerCenterClient) -> None:
    with pytest.raises(ProviderRejected) as taken:
        client.create_customer(a_new_customer("contoso"))
    with pytest.raises(ProviderRejected) as malformed:
        client.create_customer(a_new_customer(domain="has-dashes.onmicrosoft.com"))

    assert taken.value.code == "800002" and "not available" in taken.value.description
    assert malformed.value.code == "800002" and "1 to 27 letters and digits" in malformed.value.description


def test_customers_are_seek_paged_with_continuation_tokens(client: PartnerCenterClient, wire: Wire) -> None:
    created = [client.create_customer(a_new_customer(f"paged{n:02d}")).id for n in range(25)]

    listed = list(client.list_customers(page_size=10))

    assert [customer.id for customer in listed][1:] == created  # Northwind first, then in creation order
    pages = wire.transport.api("GET", "/v1/customers")
    assert [(p.query, p.continuation is not None) for p in pages] == [
        ("size=10", False),
        ("size=10&seekOperation=Next", True),
        ("size=10&seekOperation=Next", True),
    ]
    assert pages[1].continuation != pages[2].continuation


def test_customers_can_be_filtered_by_domain(client: PartnerCenterClient) -> None:
    client.create_customer(a_new_customer("filterme"))
    client.create_customer(a_new_customer("other"))
    wanted = json.dumps({"Field": "Domain", "Value": "filterme", "Operator": "starts_with"})

    assert [c.domain for c in client.list_customers(filter=wanted)] == ["filterme.onmicrosoft.com"]


def test_billing_and_company_profiles(client: PartnerCenterClient, customer: Customer) -> None:
    billing = client.get_billing_profile(customer.id)
    company = client.get_company_profile(customer.id)

    assert billing.email.startswith("billing@") and billing.culture == "en-US" and billing.language == "en"
    assert billing.default_address == an_address(phone_number=None)
    assert (billing.first_name, billing.last_name) == ("Ada", "Lovelace")
    assert billing.etag and billing.id
    assert (company.tenant_id, company.domain) == (customer.id, customer.domain)
    assert company.company_name == billing.company_name


def test_the_client_implements_the_tenant_and_user_ports(client: PartnerCenterClient) -> None:
    tenants: TenantsPort = client
    users: UsersAndLicencesPort = client

    assert tenants is users


# -- users --------------------------------------------------------------------------------------


def test_user_create_get_update_reset_delete_restore(client: PartnerCenterClient, customer: Customer) -> None:
    created = client.create_user(customer.id, a_new_user(customer.domain, "Grace.Hopper"))

    assert created.user_principal_name == f"grace.hopper@{customer.domain}"
    assert (created.state, created.usage_location, created.user_domain_type) == (
        UserState.ACTIVE,
        "US",
        "managed",
    )
    assert client.get_user(customer.id, created.id) == created

    updated = client.update_user(
        customer.id, created.id, UserChanges(display_name="Rear Admiral", usage_location="gb")
    )
    assert (updated.display_name, updated.usage_location, updated.first_name) == (
        "Rear Admiral",
        "GB",
        "Grace",
    )
    assert client.reset_password(customer.id, created.id, "Nw8$rTq2#pLz").id == created.id

    client.delete_user(customer.id, created.id)
    deleted = client.get_user(customer.id, created.id)
    assert (deleted.state, deleted.state_raw) == (UserState.INACTIVE, "inactive")
    assert deleted.soft_deletion_time is not None
    assert created.id not in {u.id for u in client.list_users(customer.id)}
    inactive = json.dumps({"Field": "UserState", "Value": "inactive", "Operator": "equals"})
    assert [u.id for u in client.list_users(customer.id, filter=inactive)] == [created.id]

    restored = client.restore_user(customer.id, created.id)
    assert (restored.state, restored.soft_deletion_time) == (UserState.ACTIVE, None)


def test_user_rules_are_final_rejections(client: PartnerCenterClient, customer: Customer) -> None:
    client.create_user(customer.id, a_new_user(customer.domain, "twin"))

    with pytest.raises(ProviderRejected) as duplicate:
        client.create_user(customer.id, a_new_user(customer.domain, "twin"))
    with pytest.raises(ProviderRejected) as foreign_domain:
        client.create_user(customer.id, a_new_user("contoso.onmicrosoft.com", "stranger"))
    with pytest.raises(ProviderRejected) as weak:
        client.reset_password(customer.id, next(client.list_users(customer.id)).id, "password")
    with pytest.raises(NotFound) as missing:
        client.get_user(customer.id, "00000000-0000-0000-0000-000000000000")

    assert (
        duplicate.value.code == "800002" and "userPrincipalName already exists" in duplicate.value.description
    )
    assert (
        foreign_domain.value.code == "800002" and "not a verified domain" in foreign_domain.value.description
    )
    assert weak.value.code == "800002" and weak.value.data == ("passwordProfile.password",)
    assert missing.value.code == "60002"


def test_users_are_seek_paged(client: PartnerCenterClient, customer: Customer, wire: Wire) -> None:
    created = [
        client.create_user(customer.id, a_new_user(customer.domain, f"user{n:02d}")).id for n in range(12)
    ]

    listed = [user.id for user in client.list_users(customer.id, page_size=5)]

    assert listed[1:] == created  # the admin user first
    assert len(wire.transport.api("GET", f"/v1/customers/{customer.id}/users")) == 3


# -- subscribed SKUs and licences ---------------------------------------------------------------


def test_subscribed_skus_count_seats_by_entra_sku(client: PartnerCenterClient, customer: Customer) -> None:
    assert client.list_subscribed_skus(customer.id) == []
    buy(client, customer.id, a_line(quantity=2), a_line(quantity=1, term="P1M"))

    (sku,) = client.list_subscribed_skus(customer.id)

    assert sku.product_sku.id == BASIC_AAD
    assert (sku.product_sku.sku_part_number, sku.product_sku.license_group_id) == (
        "O365_BUSINESS_ESSENTIALS",
        "group1",
    )
    assert (sku.total_units, sku.active_units, sku.consumed_units, sku.available_units) == (3, 3, 0, 3)
    assert sku.capability_status == "Enabled"
    assert {plan.service_name for plan in sku.service_plans} >= {"EXCHANGE_S_STANDARD", "TEAMS1"}
    assert client.list_subscribed_skus(customer.id, license_group_ids=["group2"]) == []


def test_licences_are_assigned_until_60012_and_removed(
    client: PartnerCenterClient, customer: Customer
) -> None:
    buy(client, customer.id, a_line(quantity=2))
    first, second, third = (
        client.create_user(customer.id, a_new_user(customer.domain, f"u{n}")) for n in range(3)
    )

    assigned = client.update_user_licenses(customer.id, first.id, assign=[BASIC_AAD])
    client.update_user_licenses(customer.id, second.id, assign=[BASIC_AAD])
    with pytest.raises(ProviderRejected) as out_of_licences:
        client.update_user_licenses(customer.id, third.id, assign=[BASIC_AAD])

    assert assigned.licenses_to_assign == (BASIC_AAD,) and assigned.warnings == ()
    assert (out_of_licences.value.status, out_of_licences.value.code) == (400, "60012")
    assert "run out of licenses" in out_of_licences.value.description
    assert out_of_licences.value.data[0].startswith("LicenseQuotaExceededException")
    (licence,) = client.list_user_licenses(customer.id, first.id)
    assert licence.product_sku.id == BASIC_AAD
    assert client.list_subscribed_skus(customer.id)[0].available_units == 0

    client.update_user_licenses(customer.id, first.id, remove=[BASIC_AAD])
    client.update_user_licenses(customer.id, third.id, assign=[BASIC_AAD])

    assert client.list_user_licenses(customer.id, first.id) == []
    (sku,) = client.list_subscribed_skus(customer.id)
    assert (sku.consumed_units, sku.available_units) == (2, 0)


def test_a_user_without_usage_location_cannot_get_a_licence(
    client: PartnerCenterClient, customer: Customer
) -> None:
    buy(client, customer.id, a_line(quantity=1))
    user = client.create_user(customer.id, a_new_user(customer.domain, "nomad", usage_location=""))
    assert user.usage_location is None

    with pytest.raises(ProviderRejected) as refused:
        client.update_user_licenses(customer.id, user.id, assign=[BASIC_AAD])
    client.update_user(customer.id, user.id, UserChanges(usage_location="NZ"))
    client.update_user_licenses(customer.id, user.id, assign=[BASIC_AAD])

    assert refused.value.code == "800002"
    assert (
        refused.value.description == "License assignment cannot be done for user with invalid usage location"
    )
    assert [lic.product_sku.id for lic in client.list_user_licenses(customer.id, user.id)] == [BASIC_AAD]


def test_a_licence_for_a_sku_the_tenant_does_not_have_is_refused(
    client: PartnerCenterClient, customer: Customer
) -> None:
    user = client.create_user(customer.id, a_new_user(customer.domain, "eager"))

    with pytest.raises(ProviderRejected) as refused:
        client.update_user_licenses(customer.id, user.id, assign=[BASIC_AAD])

    assert refused.value.code == "800002" and "not subscribed" in refused.value.description
