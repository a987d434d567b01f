"""Customer users, licence assignment and the tenant's subscribed SKUs (reference §2.3).

Two different SKU ids meet here: licences are assigned by the Entra (AAD) SKU GUID found in
`subscribedskus[].productSku.id`, never by the catalog's short sku id ("0001").
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cspbroker.providers.paging import items_of, iterate_seek
from cspbroker.providers.parsing import (
    as_int,
    as_list,
    as_mapping,
    as_str,
    opt_datetime,
    opt_str,
    str_tuple,
)
from cspbroker.providers.partnercenter.common import ApiBase, UserState, seg

__all__ = [
    "CustomerUser",
    "LicenceAssignment",
    "LicenseUpdateResult",
    "LicenseWarning",
    "NewUser",
    "ProductSku",
    "ServicePlan",
    "SubscribedSku",
    "UserChanges",
    "UserLicense",
    "UsersApi",
]


@dataclass(frozen=True)
class CustomerUser:
    id: str
    user_principal_name: str
    first_name: str | None
    last_name: str | None
    display_name: str | None
    usage_location: str | None
    state: UserState
    state_raw: str
    phone_number: str | None = None
    user_domain_type: str | None = None
    immutable_id: str | None = None
    soft_deletion_time: datetime | None = None
    last_directory_sync_time: datetime | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CustomerUser:
        state = as_str(data.get("state"), "active")
        return cls(
            id=as_str(data.get("id")),
            user_principal_name=as_str(data.get("userPrincipalName")),
            first_name=opt_str(data.get("firstName")),
            last_name=opt_str(data.get("lastName")),
            display_name=opt_str(data.get("displayName")),
            usage_location=opt_str(data.get("usageLocation")),
            state=UserState.parse(state),
            state_raw=state,
            phone_number=opt_str(data.get("phoneNumber")),
            user_domain_type=opt_str(data.get("userDomainType")),
            immutable_id=opt_str(data.get("immutableId")),
            soft_deletion_time=opt_datetime(data.get("softDeletionTime")),
            last_directory_sync_time=opt_datetime(data.get("lastDirectorySyncTime")),
        )


@dataclass(frozen=True)
class NewUser:
    """A user to create. `usage_location` (ISO-2) is required before any licence can be assigned."""

    user_principal_name: str
    first_name: str
    last_name: str
    display_name: str
    usage_location: str
    password: str = field(repr=False)
    force_change_password: bool = True
    immutable_id: str | None = None

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "usageLocation": self.usage_location,
            "userPrincipalName": self.user_principal_name,
            "firstName": self.first_name,
            "lastName": self.last_name,
            "displayName": self.display_name,
            "passwordProfile": {
                "password": self.password,
                "forceChangePassword": self.force_change_password,
            },
            "attributes": {"objectType": "CustomerUser"},
        }
        if self.immutable_id is not None:
            body["immutableId"] = self.immutable_id
        return body


@dataclass(frozen=True)
class UserChanges:
    """Fields to change on a user (PATCH sends only these)."""

    first_name: str | None = None
    last_name: str | None = None
    display_name: str | None = None
    usage_location: str | None = None
    user_principal_name: str | None = None
    phone_number: str | None = None

    def to_json(self) -> dict[str, Any]:
        fields = {
            "firstName": self.first_name,
            "lastName": self.last_name,
            "displayName": self.display_name,
            "usageLocation": self.usage_location,
            "userPrincipalName": self.user_principal_name,
            "phoneNumber": self.phone_number,
        }
        body: dict[str, Any] = {key: value for key, value in fields.items() if value is not None}
        body["attributes"] = {"objectType": "CustomerUser"}
        return body


@dataclass(frozen=True)
class ProductSku:
    id: str
    name: str | None
    sku_part_number: str | None
    target_type: str | None
    license_group_id: str | None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ProductSku:
        return cls(
            id=as_str(data.get("id")),
            name=opt_str(data.get("name")),
            sku_part_number=opt_str(data.get("skuPartNumber")),
            target_type=opt_str(data.get("targetType")),
            license_group_id=opt_str(data.get("licenseGroupId")),
        )


@dataclass(frozen=True)
class ServicePlan:
    id: str | None
    display_name: str | None
    service_name: str | None
    capability_status: str | None
    target_type: str | None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ServicePlan:
        return cls(
            id=opt_str(data.get("id")),
            display_name=opt_str(data.get("displayName")),
            service_name=opt_str(data.get("serviceName")),
            capability_status=opt_str(data.get("capabilityStatus")),
            target_type=opt_str(data.get("targetType")),
        )


def _plans(value: Any) -> tuple[ServicePlan, ...]:
    return tuple(ServicePlan.from_json(as_mapping(plan)) for plan in as_list(value))


@dataclass(frozen=True)
class SubscribedSku:
    """Seats of one licence SKU in the tenant: `available = total − consumed`."""

    product_sku: ProductSku
    available_units: int
    active_units: int
    consumed_units: int
    suspended_units: int
    total_units: int
    warning_units: int
    capability_status: str | None
    service_plans: tuple[ServicePlan, ...]

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SubscribedSku:
        return cls(
            product_sku=ProductSku.from_json(as_mapping(data.get("productSku"))),
            available_units=as_int(data.get("availableUnits")),
            active_units=as_int(data.get("activeUnits")),
            consumed_units=as_int(data.get("consumedUnits")),
            suspended_units=as_int(data.get("suspendedUnits")),
            total_units=as_int(data.get("totalUnits")),
            warning_units=as_int(data.get("warningUnits")),
            capability_status=opt_str(data.get("capabilityStatus")),
            service_plans=_plans(data.get("servicePlans")),
        )


@dataclass(frozen=True)
class UserLicense:
    product_sku: ProductSku
    service_plans: tuple[ServicePlan, ...]

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> UserLicense:
        return cls(
            product_sku=ProductSku.from_json(as_mapping(data.get("productSku"))),
            service_plans=_plans(data.get("servicePlans")),
        )


@dataclass(frozen=True)
class LicenceAssignment:
    """One licence to assign: the Entra SKU GUID and the service plans to leave out."""

    sku_id: str
    excluded_plans: tuple[str, ...] | None = None

    def to_json(self) -> dict[str, Any]:
        plans = list(self.excluded_plans) if self.excluded_plans is not None else None
        return {"skuId": self.sku_id, "excludedPlans": plans}


@dataclass(frozen=True)
class LicenseWarning:
    code: str
    message: str
    service_plans: tuple[str, ...]

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> LicenseWarning:
        return cls(
            code=as_str(data.get("code")),
            message=as_str(data.get("message")),
            service_plans=str_tuple(data.get("servicePlans")),
        )


@dataclass(frozen=True)
class LicenseUpdateResult:
    licenses_to_assign: tuple[str, ...]
    licenses_to_remove: tuple[str, ...]
    warnings: tuple[LicenseWarning, ...]

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> LicenseUpdateResult:
        assigned = tuple(
            as_str(as_mapping(item).get("skuId")) for item in as_list(data.get("licensesToAssign"))
        )
        return cls(
            licenses_to_assign=assigned,
            licenses_to_remove=str_tuple(data.get("licensesToRemove")),
            warnings=tuple(
                LicenseWarning.from_json(as_mapping(w)) for w in as_list(data.get("licenseWarnings"))
            ),
        )


class UsersApi(ApiBase):
    def _users(self, customer_id: str) -> str:
        return f"/v1/customers/{seg(customer_id)}/users"

    def list_users(
        self, customer_id: str, *, page_size: int = 500, filter: str | None = None
    ) -> Iterator[CustomerUser]:
        return iterate_seek(
            self._http,
            self._users(customer_id),
            CustomerUser.from_json,
            params={"size": page_size, "filter": filter},
        )

    def get_user(self, customer_id: str, user_id: str) -> CustomerUser:
        path = f"{self._users(customer_id)}/{seg(user_id)}"
        return CustomerUser.from_json(self._http.get(path).object())

    def create_user(self, customer_id: str, user: NewUser, *, request_id: str | None = None) -> CustomerUser:
        response = self._http.post(self._users(customer_id), json=user.to_json(), request_id=request_id)
        return CustomerUser.from_json(response.object())

    def update_user(self, customer_id: str, user_id: str, changes: UserChanges) -> CustomerUser:
        path = f"{self._users(customer_id)}/{seg(user_id)}"
        return CustomerUser.from_json(self._http.patch(path, json=changes.to_json()).object())

    def delete_user(self, customer_id: str, user_id: str) -> None:
        """The user becomes `inactive` and is purged after 30 days unless restored."""
        self._http.delete(f"{self._users(customer_id)}/{seg(user_id)}")

    def restore_user(self, customer_id: str, user_id: str) -> CustomerUser:
        path = f"{self._users(customer_id)}/{seg(user_id)}"
        body = {"state": "active", "attributes": {"objectType": "CustomerUser"}}
        return CustomerUser.from_json(self._http.patch(path, json=body).object())

    def reset_password(
        self, customer_id: str, user_id: str, password: str, *, force_change_password: bool = True
    ) -> CustomerUser:
        """Reset = PATCH the user with a new `passwordProfile`."""
        path = f"{self._users(customer_id)}/{seg(user_id)}"
        body = {
            "passwordProfile": {"password": password, "forceChangePassword": force_change_password},
            "attributes": {"objectType": "CustomerUser"},
        }
        return CustomerUser.from_json(self._http.patch(path, json=body).object())

    def list_subscribed_skus(
        self, customer_id: str, *, license_group_ids: Sequence[str] = ()
    ) -> list[SubscribedSku]:
        path = f"/v1/customers/{seg(customer_id)}/subscribedskus"
        params = {"licenseGroupIds": list(license_group_ids)} if license_group_ids else None
        body = self._http.get(path, params=params).body
        return [SubscribedSku.from_json(as_mapping(item)) for item in items_of(body)]

    def list_user_licenses(
        self, customer_id: str, user_id: str, *, license_group_ids: Sequence[str] = ()
    ) -> list[UserLicense]:
        path = f"{self._users(customer_id)}/{seg(user_id)}/licenses"
        params = {"licenseGroupIds": list(license_group_ids)} if license_group_ids else None
        body = self._http.get(path, params=params).body
        return [UserLicense.from_json(as_mapping(item)) for item in items_of(body)]

    def update_user_licenses(
        self,
        customer_id: str,
        user_id: str,
        *,
        assign: Sequence[str | LicenceAssignment] = (),
        remove: Sequence[str] = (),
        request_id: str | None = None,
    ) -> LicenseUpdateResult:
        """`POST …/licenseupdates` → 201. No free seat gives ProviderRejected code `60012`."""
        assignments = [a if isinstance(a, LicenceAssignment) else LicenceAssignment(a) for a in assign]
        body = {
            "licensesToAssign": [a.to_json() for a in assignments],
            "licensesToRemove": list(remove),
            "licenseWarnings": [],
            "attributes": {"objectType": "LicenseUpdate"},
        }
        path = f"{self._users(customer_id)}/{seg(user_id)}/licenseupdates"
        return LicenseUpdateResult.from_json(self._http.post(path, json=body, request_id=request_id).object())
