"""Users, licence assignment and subscribed SKUs."""

from __future__ import annotations

import pytest

from cspbroker.providers.errors import ProviderRejected
from cspbroker.providers.partnercenter.models import NewUser, UserChanges, UserState

from .support import FakeProvider, collection, fixture, fixture_bytes, make_client, respond

CID = "0c39d6d5-c70d-4c55-bc02-f620844f3fd1"
USERS = f"/v1/customers/{CID}/users"
SKU = "f8a1db68-be16-40ed-86d5-cb42ce701560"


def user_json(state: str = "active") -> dict[str, object]:
    return {
        "id": "u1",
        "userPrincipalName": "jdoe@contoso.onmicrosoft.com",
        "firstName": "J",
        "lastName": "Doe",
        "displayName": "J Doe",
        "usageLocation": "US",
        "userDomainType": "managed",
        "state": state,
        "softDeletionTime": "2024-05-01T10:00:00Z" if state == "inactive" else None,
        "attributes": {"objectType": "CustomerUser"},
    }


def test_create_user_sends_the_reference_body() -> None:
    fake = FakeProvider(respond(201, user_json()))
    user = NewUser(
        user_principal_name="jdoe@contoso.onmicrosoft.com",
        first_name="J",
        last_name="Doe",
        display_name="J Doe",
        usage_location="US",
        password="abCD123*",
        immutable_id="opt",
    )

    created = make_client(fake).create_user(CID, user, request_id="u-1")

    assert (fake.requests[0].method, fake.requests[0].url.path) == ("POST", USERS)
    assert fake.body() == fixture("create_user_request.json")
    assert created.id == "u1"
    assert created.state is UserState.ACTIVE
    assert "abCD123*" not in repr(user)


def test_list_users_is_seek_paged() -> None:
    fake = FakeProvider(
        respond(200, collection([user_json()], f"/customers/{CID}/users?seekOperation=Next", "T1")),
        respond(200, collection([{**user_json("inactive"), "id": "u2"}])),
    )

    users = list(make_client(fake).list_users(CID))

    assert [u.id for u in users] == ["u1", "u2"]
    assert users[1].state is UserState.INACTIVE
    assert users[1].soft_deletion_time is not None
    assert fake.requests[1].url.path == USERS


def test_unknown_user_state_is_kept_raw() -> None:
    fake = FakeProvider(respond(200, user_json("blocked")))

    user = make_client(fake).get_user(CID, "u1")

    assert (user.state, user.state_raw) == (UserState.UNKNOWN, "blocked")


def test_update_reset_restore_and_delete_use_patch_and_delete() -> None:
    fake = FakeProvider(
        respond(200, user_json()), respond(200, user_json()), respond(200, user_json()), respond(204)
    )
    client = make_client(fake)

    client.update_user(CID, "u1", UserChanges(display_name="Jane Doe", usage_location="GB"))
    client.reset_password(CID, "u1", "N3w!Passw0rd", force_change_password=False)
    client.restore_user(CID, "u1")
    client.delete_user(CID, "u1")

    assert [(r.method, r.url.path) for r in fake.requests] == [("PATCH", f"{USERS}/u1")] * 3 + [
        ("DELETE", f"{USERS}/u1")
    ]
    assert fake.body(0) == {
        "displayName": "Jane Doe",
        "usageLocation": "GB",
        "attributes": {"objectType": "CustomerUser"},
    }
    assert fake.body(1)["passwordProfile"] == {"password": "N3w!Passw0rd", "forceChangePassword": False}
    assert fake.body(2)["state"] == "active"


def test_licence_update_sends_the_reference_body() -> None:
    fake = FakeProvider(
        respond(
            201,
            {
                **fixture("license_update_request.json"),
                "licenseWarnings": [
                    {"code": "W1", "message": "Plan conflict", "servicePlans": ["EXCHANGE_S_STANDARD"]}
                ],
            },
        )
    )

    result = make_client(fake).update_user_licenses(CID, "u1", assign=[SKU], remove=["<skuId>"])

    assert (fake.requests[0].method, fake.requests[0].url.path) == ("POST", f"{USERS}/u1/licenseupdates")
    assert fake.body() == fixture("license_update_request.json")
    assert result.licenses_to_assign == (SKU,)
    assert result.warnings[0].service_plans == ("EXCHANGE_S_STANDARD",)


def test_no_free_seat_is_rejected_with_code_60012() -> None:
    fake = FakeProvider(respond(400, fixture_bytes("error_license_quota.json")))

    with pytest.raises(ProviderRejected) as caught:
        make_client(fake).update_user_licenses(CID, "u1", assign=[SKU])

    assert caught.value.code == "60012"
    assert caught.value.data == ("LicenseQuotaExceededException : ...",)


def test_subscribed_skus_parse_the_reference_item() -> None:
    fake = FakeProvider(respond(200, collection([fixture("subscribed_sku.json")])))

    (sku,) = make_client(fake).list_subscribed_skus(CID, license_group_ids=["group1"])

    assert str(fake.requests[0].url).endswith(f"/v1/customers/{CID}/subscribedskus?licenseGroupIds=group1")
    assert (sku.available_units, sku.consumed_units, sku.total_units) == (4, 1, 5)
    assert sku.product_sku.sku_part_number == "EMS"
    assert sku.product_sku.license_group_id == "group1"
    assert sku.service_plans[0].service_name == "RMS_S_PREMIUM"


def test_user_licences_are_listed() -> None:
    sku = fixture("subscribed_sku.json")
    fake = FakeProvider(
        respond(200, collection([{"productSku": sku["productSku"], "servicePlans": sku["servicePlans"]}]))
    )

    (licence,) = make_client(fake).list_user_licenses(CID, "u1")

    assert fake.requests[0].url.path == f"{USERS}/u1/licenses"
    assert licence.product_sku.name == "Enterprise Mobility + Security E3"
