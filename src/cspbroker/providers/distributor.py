"""Client for a Microsoft CSP distributor in the style of Rhipe PRISM (indirect CSP, usage feed).

Speaks to the real PRISM API or to the distributor sandbox alike: only the base URL, the token URL and the
credentials differ. Paths and PascalCase shapes follow reference §4.1; the usage feed
(`GET /api/v2/microsoftcsp/usage`) and its four metrics are our model of seed 001 (`UnitRate`, `SubTotal` =
the carrier charge, `BillableRatio`, `Units`), because no public PRISM schema names them.

What the distributor supports is the domain's `DISTRIBUTOR_CAPABILITIES` (`cspbroker.domain.commerce`): no
mid-cycle package migration (Rhipe refuses it, seed 000). A cancellation at the distributor
(`cancel_subscription`) is a real one, but the platform declares the Emersion-style "cancel = billing only"
(`ProviderCapabilities.cancellation_is_billing_only`): it stops billing and does not call it.

Parsing is tolerant: unknown statuses stay as the provider's raw strings, money is Decimal, and fields are
read in PascalCase or camelCase.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from cspbroker.domain.commerce.order_types import DISTRIBUTOR_CAPABILITIES, ProviderCapabilities
from cspbroker.domain.errors import DomainError
from cspbroker.domain.money import round_to_minor
from cspbroker.providers.credentials_client import CredentialsClient
from cspbroker.providers.errors import ProviderError
from cspbroker.providers.parsing import (
    as_decimal,
    as_int,
    as_list,
    as_mapping,
    as_str,
    opt_bool,
    opt_date,
    opt_datetime,
    opt_decimal,
    opt_int,
    opt_str,
    str_tuple,
)
from cspbroker.providers.ports import (
    DistributorPartner,
    DistributorSubscription,
    DistributorTenant,
    NewDistributorTenant,
    PriceListItem,
    UsageRecord,
)

__all__ = [
    "DISTRIBUTOR_SCOPE",
    "ONMICROSOFT_SUFFIX",
    "CreatedDistributorTenant",
    "DistributorClient",
    "DistributorPartner",
    "PriceListItem",
    "parse_subscription",
    "parse_tenant",
    "parse_usage_record",
]

DISTRIBUTOR_SCOPE = "rhipeapi"
ONMICROSOFT_SUFFIX = ".onmicrosoft.com"
CSP = "/api/v2/microsoftcsp"
MAX_USAGE_PAGES = 100_000


def _carrier_charge(exact: Decimal, data: Mapping[str, Any]) -> Decimal:
    """Unit rate × units when the feed omits its subtotal, rounded by the platform's one rounding rule."""
    try:
        return round_to_minor(exact, as_str(_get(data, "Currency")))
    except DomainError:
        return exact  # an unknown currency: keep it exact; the usage is quarantined anyway


def _seg(value: str) -> str:
    """One path segment, percent-encoded so that an id can never change the path."""
    if not value:
        raise ValueError("an empty id cannot be part of a path")
    return quote(value, safe="")


def _get(data: Mapping[str, Any], name: str) -> Any:
    """`name` in PascalCase (PRISM) or camelCase."""
    value = data.get(name)
    return value if value is not None else data.get(name[:1].lower() + name[1:])


# -- models ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CreatedDistributorTenant(DistributorTenant):
    """A new tenant, with the first global admin's credentials (shown once: email them, don't store)."""

    admin_username: str | None = None
    admin_password: str | None = field(default=None, repr=False)


def parse_subscription(data: Mapping[str, Any]) -> DistributorSubscription:
    return DistributorSubscription(
        subscription_id=as_str(_get(data, "SubscriptionId")),
        product_id=as_str(_get(data, "ProductId")),
        product_name=as_str(_get(data, "ProductName")),
        quantity=as_int(_get(data, "Quantity")),
        status=as_str(_get(data, "Status"), "Unknown"),
        billing_cycle=opt_str(_get(data, "BillingCycle")),
        first_purchased=opt_datetime(_get(data, "FirstPurchased")),
    )


def parse_tenant(data: Mapping[str, Any]) -> DistributorTenant:
    return DistributorTenant(
        tenant_id=as_str(_get(data, "TenantId")),
        customer_id=opt_str(_get(data, "CustomerId")),
        customer_name=as_str(_get(data, "CustomerName")),
        status=as_str(_get(data, "TenantStatus"), "Unknown"),
        domain=opt_str(_get(data, "Domain")),
        subscriptions=tuple(
            parse_subscription(as_mapping(sub)) for sub in as_list(_get(data, "Subscriptions"))
        ),
    )


def parse_usage_record(data: Mapping[str, Any]) -> UsageRecord:
    """One usage line. A line without an id or a date cannot be billed exactly once, so it is refused."""
    record_id = opt_str(_get(data, "UsageRecordId"))
    usage_date = opt_date(_get(data, "UsageDate"))
    if not record_id or usage_date is None:
        raise ProviderError("the distributor sent a usage record without UsageRecordId or UsageDate")
    units = as_decimal(_get(data, "Units"))
    unit_rate = as_decimal(_get(data, "UnitRate"))
    subtotal = opt_decimal(_get(data, "SubTotal"))
    return UsageRecord(
        record_id=record_id,
        # An unknown or empty tenant / product is kept as sent: the platform quarantines such records.
        tenant_id=as_str(_get(data, "TenantId")),
        product_id=as_str(_get(data, "ProductId")),
        usage_date=usage_date,
        units=units,
        unit_rate=unit_rate,
        carrier_charge=subtotal if subtotal is not None else _carrier_charge(unit_rate * units, data),
        billable_ratio=as_decimal(_get(data, "BillableRatio"), Decimal(1)),
        currency=as_str(_get(data, "Currency")),
        product_name=opt_str(_get(data, "ProductName")),
        subscription_id=opt_str(_get(data, "SubscriptionId")),
    )


def _parse_price_list_item(data: Mapping[str, Any], group: str | None, currency: str | None) -> PriceListItem:
    return PriceListItem(
        product_id=as_str(_get(data, "ProductId")),
        product_name=as_str(_get(data, "ProductName")),
        product_group=opt_str(_get(data, "ProductGroup")) or group,
        product_sku=opt_str(_get(data, "ProductSku")),
        product_type=opt_str(_get(data, "ProductType")),
        unit=opt_str(_get(data, "ProductUnit")),
        unit_price=as_decimal(_get(data, "UnitPrice")),
        retail_unit_price=opt_decimal(_get(data, "RetailUnitPrice")),
        currency=opt_str(_get(data, "Currency")) or currency,
        min_quantity=opt_int(_get(data, "MinQty")),
        max_quantity=opt_int(_get(data, "MaxQty")),
        billing_cycle_options=str_tuple(_get(data, "BillingCycleOptions")),
        billing_cycle_duration=opt_str(_get(data, "BillingCycleDuration")),
        is_trial=opt_bool(_get(data, "IsTrialProduct")) is True,
        billable_ratio=opt_decimal(_get(data, "BillableRatio")),
        description=opt_str(_get(data, "ProductDescription")),
    )


def domain_prefix(domain: str) -> str:
    """`contoso.onmicrosoft.com` or `contoso` → `contoso`."""
    text = domain.strip().lower()
    return text[: -len(ONMICROSOFT_SUFFIX)] if text.endswith(ONMICROSOFT_SUFFIX) else text


# -- the client -----------------------------------------------------------------------------------


class DistributorClient(CredentialsClient):
    """`DistributorTenantsPort` and `UsagePort` over HTTP. Every write accepts a stable `request_id`."""

    capabilities: ProviderCapabilities = DISTRIBUTOR_CAPABILITIES
    default_scope = DISTRIBUTOR_SCOPE

    # -- partner and price list -----------------------------------------------------------------

    def me(self) -> DistributorPartner:
        data = self._http.get("/api/v1/me").object()
        contracts = as_list(_get(data, "ContractAgreements"))
        ids = (opt_int(_get(as_mapping(contract), "ContractAgreementId")) for contract in contracts)
        return DistributorPartner(
            company_name=as_str(_get(data, "CompanyName")),
            currency=opt_str(_get(data, "Currency")),
            contract_agreement_ids=tuple(number for number in ids if number is not None),
        )

    def get_price_list(self, contract_agreement_id: int, on: date) -> list[PriceListItem]:
        path = f"/api/v2/me/pricing/{contract_agreement_id}/pricelist/{on.year}/{on.month}/{on.day}"
        data = self._http.get(path, params={"excludeTieredProducts": True}).object()
        currency = opt_str(_get(data, "Currency"))
        items = []
        for group in as_list(_get(data, "ProductGroups")):
            group_data = as_mapping(group)
            name = opt_str(_get(group_data, "ProductGroupName"))
            for product in as_list(_get(group_data, "Products")):
                items.append(_parse_price_list_item(as_mapping(product), name, currency))
        return items

    # -- tenants --------------------------------------------------------------------------------

    def is_domain_available(self, domain: str) -> bool:
        data = self._http.get(f"{CSP}/domains/{_seg(domain_prefix(domain))}").object()
        return opt_bool(_get(data, "IsAvailable")) is True

    def create_tenant(
        self, tenant: NewDistributorTenant, *, request_id: str | None = None
    ) -> CreatedDistributorTenant:
        address = tenant.address
        body = {
            "DomainPrefix": domain_prefix(tenant.domain),
            "CustomerName": tenant.company_name,
            "Address": {
                "AddressLine1": address.address_line1,
                "AddressLine2": address.address_line2,
                "City": address.city,
                "State": address.state,
                "PostalCode": address.postal_code,
                "Country": address.country,
            },
            "Contact": {
                "FirstName": address.first_name,
                "LastName": address.last_name,
                "Email": tenant.email,
                "PhoneNumber": address.phone_number,
            },
        }
        data = self._http.post(f"{CSP}/tenants", json=body, request_id=request_id).object()
        parsed = parse_tenant(data)
        credentials = as_mapping(_get(data, "AdminCredentials"))
        return CreatedDistributorTenant(
            tenant_id=parsed.tenant_id,
            customer_id=parsed.customer_id,
            customer_name=parsed.customer_name,
            status=parsed.status,
            domain=parsed.domain,
            subscriptions=parsed.subscriptions,
            admin_username=opt_str(_get(credentials, "UserName")),
            admin_password=opt_str(_get(credentials, "Password")),
        )

    def get_tenant(self, tenant_id: str) -> DistributorTenant:
        return parse_tenant(self._http.get(f"{CSP}/tenants/{_seg(tenant_id)}").object())

    def list_tenants(self) -> Iterator[DistributorTenant]:
        body = self._http.get(f"{CSP}/tenants").body
        # PRISM answers with a bare list; an `{Items: [...]}` envelope is read as well.
        items = body if isinstance(body, list) else as_list(_get(as_mapping(body), "Items"))
        for item in items:
            yield parse_tenant(as_mapping(item))

    # -- subscriptions --------------------------------------------------------------------------

    def get_subscription(self, subscription_id: str) -> DistributorSubscription:
        return parse_subscription(self._http.get(f"{CSP}/subscriptions/{_seg(subscription_id)}").object())

    def create_subscription(
        self,
        tenant_id: str,
        product_id: str,
        quantity: int,
        *,
        billing_cycle: str | None = None,
        request_id: str | None = None,
    ) -> DistributorSubscription:
        body: dict[str, Any] = {"ProductId": product_id, "Quantity": quantity}
        if billing_cycle is not None:
            body["BillingCycle"] = billing_cycle
        path = f"{CSP}/tenants/{_seg(tenant_id)}/subscriptions"
        return parse_subscription(self._http.post(path, json=body, request_id=request_id).object())

    def set_subscription_quantity(
        self, subscription_id: str, quantity: int, *, request_id: str | None = None
    ) -> DistributorSubscription:
        return self._patch(subscription_id, {"Quantity": quantity}, request_id)

    def suspend_subscription(
        self, subscription_id: str, *, request_id: str | None = None
    ) -> DistributorSubscription:
        return self._patch(subscription_id, {"Status": "Suspended"}, request_id)

    def reactivate_subscription(
        self, subscription_id: str, *, request_id: str | None = None
    ) -> DistributorSubscription:
        return self._patch(subscription_id, {"Status": "Active"}, request_id)

    def cancel_subscription(
        self, subscription_id: str, *, request_id: str | None = None
    ) -> DistributorSubscription:
        """Cancel at the distributor. Not called when the platform's cancellation is billing only."""
        return self._patch(subscription_id, {"Status": "Cancelled"}, request_id)

    def _patch(
        self, subscription_id: str, body: Mapping[str, Any], request_id: str | None
    ) -> DistributorSubscription:
        path = f"{CSP}/subscriptions/{_seg(subscription_id)}"
        return parse_subscription(self._http.patch(path, json=dict(body), request_id=request_id).object())

    # -- usage ----------------------------------------------------------------------------------

    def list_usage(
        self,
        *,
        period_start: date,
        period_end: date,
        page_size: int = 500,
        tenant_id: str | None = None,
    ) -> Iterator[UsageRecord]:
        """Every usage record dated within [period_start, period_end], page by page.

        Each page is its own call (retried on its own); the continuation token is bound to the query.
        """
        params: dict[str, str | int] = {
            "startDate": period_start.isoformat(),
            "endDate": period_end.isoformat(),
            "pageSize": page_size,
        }
        if tenant_id:
            params["tenantId"] = tenant_id
        seen: set[str] = set()
        token: str | None = None
        for _ in range(MAX_USAGE_PAGES):
            page = self._http.get(f"{CSP}/usage", params={**params, "continuationToken": token}).object()
            items = as_list(_get(page, "Items"))
            for item in items:
                yield parse_usage_record(as_mapping(item))
            token = opt_str(_get(page, "ContinuationToken"))
            if not token or not items:
                return
            if token in seen:
                raise ProviderError(
                    "paging of the usage feed loops: the distributor repeated a continuation token"
                )
            seen.add(token)
        raise ProviderError(f"paging of the usage feed exceeded {MAX_USAGE_PAGES} pages")
