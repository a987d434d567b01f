"""Customers (tenants), their profiles, and domain availability (reference §2.1, §2.2)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from cspbroker.providers.errors import NotFound
from cspbroker.providers.paging import iterate_seek
from cspbroker.providers.parsing import as_mapping, as_str, opt_bool, opt_str, str_tuple
from cspbroker.providers.partnercenter.common import ApiBase, etag_of, seg

__all__ = [
    "Address",
    "BillingProfile",
    "CompanyProfile",
    "Customer",
    "CustomersApi",
    "NewCustomer",
    "UserCredentials",
]


@dataclass(frozen=True)
class Address:
    first_name: str
    last_name: str
    address_line1: str
    city: str
    state: str
    postal_code: str
    country: str
    address_line2: str | None = None
    address_line3: str | None = None
    middle_name: str | None = None
    region: str | None = None
    phone_number: str | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Address:
        return cls(
            first_name=as_str(data.get("firstName")),
            last_name=as_str(data.get("lastName")),
            address_line1=as_str(data.get("addressLine1")),
            city=as_str(data.get("city")),
            state=as_str(data.get("state")),
            postal_code=as_str(data.get("postalCode")),
            country=as_str(data.get("country")),
            address_line2=opt_str(data.get("addressLine2")),
            address_line3=opt_str(data.get("addressLine3")),
            middle_name=opt_str(data.get("middleName")),
            region=opt_str(data.get("region")),
            phone_number=opt_str(data.get("phoneNumber")),
        )

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "firstName": self.first_name,
            "lastName": self.last_name,
            "addressLine1": self.address_line1,
            "city": self.city,
            "state": self.state,
            "postalCode": self.postal_code,
            "country": self.country,
        }
        optional = {
            "addressLine2": self.address_line2,
            "addressLine3": self.address_line3,
            "middleName": self.middle_name,
            "region": self.region,
            # The reference's minimal sample always carries phoneNumber, empty when unknown.
            "phoneNumber": self.phone_number if self.phone_number is not None else "",
        }
        body.update({key: value for key, value in optional.items() if value is not None})
        return body


@dataclass(frozen=True)
class CompanyProfile:
    tenant_id: str | None
    domain: str
    company_name: str | None
    organization_registration_number: str | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CompanyProfile:
        return cls(
            tenant_id=opt_str(data.get("tenantId")),
            domain=as_str(data.get("domain")),
            company_name=opt_str(data.get("companyName")),
            organization_registration_number=opt_str(data.get("organizationRegistrationNumber")),
        )


@dataclass(frozen=True)
class BillingProfile:
    id: str | None
    first_name: str | None
    last_name: str | None
    email: str
    culture: str
    language: str
    company_name: str
    default_address: Address | None
    etag: str | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> BillingProfile:
        address = data.get("defaultAddress")
        return cls(
            id=opt_str(data.get("id")),
            first_name=opt_str(data.get("firstName")),
            last_name=opt_str(data.get("lastName")),
            email=as_str(data.get("email")),
            culture=as_str(data.get("culture")),
            language=as_str(data.get("language")),
            company_name=as_str(data.get("companyName")),
            default_address=Address.from_json(address) if isinstance(address, Mapping) else None,
            etag=etag_of(data),
        )


@dataclass(frozen=True)
class UserCredentials:
    """The first global admin's credentials, returned once, by customer creation only."""

    user_name: str
    password: str = field(repr=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> UserCredentials:
        return cls(user_name=as_str(data.get("userName")), password=as_str(data.get("password")))


@dataclass(frozen=True)
class Customer:
    id: str
    commerce_id: str | None
    company_profile: CompanyProfile
    billing_profile: BillingProfile | None
    relationship_to_partner: str | None
    allow_delegated_access: bool | None
    custom_domains: tuple[str, ...]
    associated_partner_id: str | None
    user_credentials: UserCredentials | None = None

    @property
    def domain(self) -> str:
        return self.company_profile.domain

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Customer:
        company = as_mapping(data.get("companyProfile"))
        billing = data.get("billingProfile")
        credentials = data.get("userCredentials")
        return cls(
            id=as_str(data.get("id")) or as_str(company.get("tenantId")),
            commerce_id=opt_str(data.get("commerceId")),
            company_profile=CompanyProfile.from_json(company),
            billing_profile=BillingProfile.from_json(billing) if isinstance(billing, Mapping) else None,
            relationship_to_partner=opt_str(data.get("relationshipToPartner")),
            allow_delegated_access=opt_bool(data.get("allowDelegatedAccess")),
            custom_domains=str_tuple(data.get("customDomains")),
            associated_partner_id=opt_str(data.get("associatedPartnerId")),
            user_credentials=(
                UserCredentials.from_json(credentials) if isinstance(credentials, Mapping) else None
            ),
        )


@dataclass(frozen=True)
class NewCustomer:
    """What creating a customer needs (reference §2.1 minimal body).

    `domain` is the full initial domain, e.g. `contoso.onmicrosoft.com`. The registration number
    is required only in some countries (AM, AZ, BY, HU, KZ, KG, MD, RU, TJ, UZ, UA…).
    """

    domain: str
    company_name: str
    email: str
    address: Address
    culture: str = "en-US"
    language: str = "en"
    organization_registration_number: str | None = None

    def to_json(self) -> dict[str, Any]:
        company: dict[str, Any] = {"domain": self.domain}
        if self.organization_registration_number:
            company["organizationRegistrationNumber"] = self.organization_registration_number
        return {
            "companyProfile": company,
            "billingProfile": {
                "email": self.email,
                "culture": self.culture,
                "language": self.language,
                "companyName": self.company_name,
                "defaultAddress": self.address.to_json(),
            },
        }


class CustomersApi(ApiBase):
    def is_domain_available(self, domain: str) -> bool:
        """`HEAD /v1/domains/{domain}`: 200 means the domain exists (taken), 404 means it is free."""
        try:
            self._http.head(f"/v1/domains/{seg(domain)}")
        except NotFound:
            return True
        return False

    def create_customer(self, customer: NewCustomer, *, request_id: str | None = None) -> Customer:
        """`POST /v1/customers` → 201. Idempotent on the request id: reuse it when retrying later."""
        response = self._http.post("/v1/customers", json=customer.to_json(), request_id=request_id)
        return Customer.from_json(response.object())

    def get_customer(self, customer_id: str) -> Customer:
        return Customer.from_json(self._http.get(f"/v1/customers/{seg(customer_id)}").object())

    def list_customers(self, *, page_size: int = 500, filter: str | None = None) -> Iterator[Customer]:
        """Every customer of the partner, seek-paged."""
        return iterate_seek(
            self._http, "/v1/customers", Customer.from_json, params={"size": page_size, "filter": filter}
        )

    def get_billing_profile(self, customer_id: str) -> BillingProfile:
        path = f"/v1/customers/{seg(customer_id)}/profiles/billing"
        return BillingProfile.from_json(self._http.get(path).object())

    def get_company_profile(self, customer_id: str) -> CompanyProfile:
        path = f"/v1/customers/{seg(customer_id)}/profiles/company"
        return CompanyProfile.from_json(self._http.get(path).object())
