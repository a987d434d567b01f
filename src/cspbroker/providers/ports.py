"""The capabilities the platform's services depend on, as Protocols, and what the ESD client supports.

Services type their collaborators with these ports (`tenants: TenantsPort`), never with a client
class, so tests can pass fakes and connections can be swapped by configuration. Partner Center
ports speak Partner Center's typed models (`cspbroker.providers.partnercenter.models`), which a
distributor reselling Microsoft CSP also maps onto; distributor- and ESD-only data have their own
small types here.

Order types and capability declarations are the domain's (`cspbroker.domain.commerce.order_types`:
`OrderType`, `ProviderCapabilities`, `PARTNER_CENTER_CAPABILITIES`, `DISTRIBUTOR_CAPABILITIES`), so
the rule that refuses an unsupported order and the client that declares it speak the same types. The
domain knows nothing of ESD, so its declaration lives here, next to `EsdPort`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Protocol

from cspbroker.domain.commerce.order_types import OrderType, ProviderCapabilities

if TYPE_CHECKING:  # only for annotations: keeps ports importable before the client package
    from cspbroker.providers.partnercenter import models as pc

__all__ = [
    "ESD_CAPABILITIES",
    "AuditPort",
    "CatalogPort",
    "Closeable",
    "DistributorCatalogPort",
    "DistributorClientPort",
    "DistributorPartner",
    "DistributorSubscription",
    "DistributorTenant",
    "DistributorTenantsPort",
    "EntitlementsPort",
    "EsdAccount",
    "EsdAccountStatus",
    "EsdClientPort",
    "EsdPort",
    "EsdPrice",
    "EsdProduct",
    "EsdToken",
    "NewDistributorTenant",
    "OrdersPort",
    "PartnerCenterClientPort",
    "PriceListItem",
    "ReconciliationPort",
    "SubscriptionsPort",
    "TenantsPort",
    "TransitionsPort",
    "UsagePort",
    "UsageRecord",
    "UsersAndLicencesPort",
]


class Closeable(Protocol):
    """A client holds connections (HTTP, the token's): whoever builds one closes it."""

    def close(self) -> None: ...


# -- Partner Center ports -------------------------------------------------------------------------


class TenantsPort(Protocol):
    def is_domain_available(self, domain: str) -> bool: ...
    def create_customer(self, customer: pc.NewCustomer, *, request_id: str | None = None) -> pc.Customer: ...
    def get_customer(self, customer_id: str) -> pc.Customer: ...
    def list_customers(self, *, page_size: int = ..., filter: str | None = None) -> Iterator[pc.Customer]: ...
    def get_billing_profile(self, customer_id: str) -> pc.BillingProfile: ...
    def get_company_profile(self, customer_id: str) -> pc.CompanyProfile: ...


class UsersAndLicencesPort(Protocol):
    def list_users(
        self, customer_id: str, *, page_size: int = ..., filter: str | None = None
    ) -> Iterator[pc.CustomerUser]: ...
    def get_user(self, customer_id: str, user_id: str) -> pc.CustomerUser: ...
    def create_user(
        self, customer_id: str, user: pc.NewUser, *, request_id: str | None = None
    ) -> pc.CustomerUser: ...
    def update_user(self, customer_id: str, user_id: str, changes: pc.UserChanges) -> pc.CustomerUser: ...
    def delete_user(self, customer_id: str, user_id: str) -> None: ...
    def restore_user(self, customer_id: str, user_id: str) -> pc.CustomerUser: ...
    def reset_password(
        self, customer_id: str, user_id: str, password: str, *, force_change_password: bool = ...
    ) -> pc.CustomerUser: ...
    def list_subscribed_skus(
        self, customer_id: str, *, license_group_ids: Sequence[str] = ...
    ) -> list[pc.SubscribedSku]: ...
    def list_user_licenses(
        self, customer_id: str, user_id: str, *, license_group_ids: Sequence[str] = ...
    ) -> list[pc.UserLicense]: ...
    def update_user_licenses(
        self,
        customer_id: str,
        user_id: str,
        *,
        assign: Sequence[str | pc.LicenceAssignment] = ...,
        remove: Sequence[str] = ...,
        request_id: str | None = None,
    ) -> pc.LicenseUpdateResult: ...


class CatalogPort(Protocol):
    def list_products(
        self, *, country: str, target_view: str, target_segment: str | None = None
    ) -> list[pc.Product]: ...
    def get_product(self, product_id: str, *, country: str) -> pc.Product: ...
    def list_skus(
        self, product_id: str, *, country: str, target_segment: str | None = None
    ) -> list[pc.Sku]: ...
    def list_availabilities(
        self, product_id: str, sku_id: str, *, country: str, target_segment: str | None = None
    ) -> list[pc.Availability]: ...
    def get_price_sheet(self, *, market: str, currency: str) -> list[pc.PriceSheetRow]: ...


class OrdersPort(Protocol):
    def create_cart(
        self, customer_id: str, line_items: Sequence[pc.CartLineItemRequest], *, request_id: str | None = None
    ) -> pc.Cart: ...
    def checkout_cart(
        self, customer_id: str, cart_id: str, *, request_id: str | None = None
    ) -> pc.CheckoutResult: ...
    def get_order(self, customer_id: str, order_id: str, *, include_price: bool = ...) -> pc.Order: ...
    def list_orders(
        self, customer_id: str, *, billing_type: str | None = None, include_price: bool = ...
    ) -> list[pc.Order]: ...
    def get_order_provisioning_status(
        self, customer_id: str, order_id: str
    ) -> list[pc.LineItemProvisioningStatus]: ...
    def cancel_order_line_items(
        self,
        customer_id: str,
        order_id: str,
        line_item_numbers: Sequence[int],
        *,
        request_id: str | None = None,
    ) -> pc.Order: ...


class SubscriptionsPort(Protocol):
    def list_subscriptions(
        self, customer_id: str, *, order_id: str | None = None
    ) -> list[pc.Subscription]: ...
    def get_subscription(self, customer_id: str, subscription_id: str) -> pc.Subscription: ...
    def patch_subscription(
        self,
        customer_id: str,
        subscription_id: str,
        changes: pc.SubscriptionChanges,
        *,
        current: pc.Subscription | None = None,
        if_match: str | None = None,
        request_id: str | None = None,
    ) -> pc.Subscription: ...
    def list_addons(self, customer_id: str, subscription_id: str) -> list[pc.Subscription]: ...
    def get_subscription_provisioning_status(
        self, customer_id: str, subscription_id: str
    ) -> pc.SubscriptionProvisioningStatus: ...


class TransitionsPort(Protocol):
    """NCE upgrades: also how a mid-cycle package migration is done at Partner Center."""

    def list_transition_eligibilities(
        self, customer_id: str, subscription_id: str, *, eligibility_type: str = ...
    ) -> list[pc.TransitionEligibility]: ...
    def create_transition(
        self,
        customer_id: str,
        subscription_id: str,
        transition: pc.TransitionRequest,
        *,
        request_id: str | None = None,
    ) -> pc.Transition: ...


class EntitlementsPort(Protocol):
    def list_entitlements(
        self, customer_id: str, *, entitlement_type: str | None = None, show_expiry: bool = ...
    ) -> list[pc.Entitlement]: ...


class AuditPort(Protocol):
    def list_audit_records(
        self,
        *,
        start_date: date,
        end_date: date | None = None,
        filter: pc.AuditFilter | None = None,
        page_size: int = ...,
    ) -> Iterator[pc.AuditRecord]: ...


class ReconciliationPort(Protocol):
    def list_invoices(self, *, page_size: int = ...) -> Iterator[pc.Invoice]: ...
    def get_invoice(self, invoice_id: str) -> pc.Invoice: ...
    def list_billed_line_items(
        self, invoice_id: str, *, page_size: int = ...
    ) -> Iterator[pc.OneTimeInvoiceLineItem]: ...
    def list_unbilled_line_items(
        self, *, currency: str, period: str = ..., page_size: int = ...
    ) -> Iterator[pc.OneTimeInvoiceLineItem]: ...
    def list_billed_usage_line_items(
        self, invoice_id: str, *, currency: str, page_size: int = ...
    ) -> Iterator[pc.DailyRatedUsageLineItem]: ...
    def list_unbilled_usage_line_items(
        self, *, currency: str, period: str = ..., page_size: int = ...
    ) -> Iterator[pc.DailyRatedUsageLineItem]: ...


class PartnerCenterClientPort(
    Closeable,
    TenantsPort,
    UsersAndLicencesPort,
    CatalogPort,
    OrdersPort,
    SubscriptionsPort,
    TransitionsPort,
    EntitlementsPort,
    AuditPort,
    ReconciliationPort,
    Protocol,
):
    """All of Partner Center behind one connection: what `connections.clients` builds for one."""


# -- distributor ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DistributorSubscription:
    subscription_id: str
    product_id: str  # the distributor's product GUID
    product_name: str
    quantity: int
    status: str
    billing_cycle: str | None = None
    first_purchased: datetime | None = None


@dataclass(frozen=True)
class DistributorTenant:
    tenant_id: str
    customer_id: str | None
    customer_name: str
    status: str
    domain: str | None = None
    subscriptions: tuple[DistributorSubscription, ...] = ()


@dataclass(frozen=True)
class NewDistributorTenant:
    domain: str  # the full initial domain, `<name>.onmicrosoft.com`
    company_name: str
    email: str
    address: pc.Address


@dataclass(frozen=True)
class UsageRecord:
    """One usage line from the distributor, keyed by the product GUID.

    `record_id` is stable across fetches of the same usage, so re-fetching never bills twice.
    `carrier_charge` is the distributor's subtotal; the platform bills either
    `carrier_charge × billable_ratio` or its markup over cost, whichever applies.
    """

    record_id: str
    tenant_id: str
    product_id: str
    usage_date: date
    units: Decimal
    unit_rate: Decimal
    carrier_charge: Decimal
    billable_ratio: Decimal
    currency: str
    product_name: str | None = None
    subscription_id: str | None = None


@dataclass(frozen=True)
class DistributorPartner:
    company_name: str
    currency: str | None
    contract_agreement_ids: tuple[int, ...]


@dataclass(frozen=True)
class PriceListItem:
    """One product of the distributor's price list on a date: cost (`unit_price`) and recommended retail."""

    product_id: str  # the distributor's product GUID, the key usage and subscriptions refer to
    product_name: str
    product_group: str | None
    product_sku: str | None
    product_type: str | None
    unit: str | None
    unit_price: Decimal
    retail_unit_price: Decimal | None
    currency: str | None
    min_quantity: int | None
    max_quantity: int | None
    billing_cycle_options: tuple[str, ...]
    billing_cycle_duration: str | None
    is_trial: bool
    billable_ratio: Decimal | None = None
    description: str | None = None


class DistributorTenantsPort(Protocol):
    def is_domain_available(self, domain: str) -> bool: ...
    def create_tenant(
        self, tenant: NewDistributorTenant, *, request_id: str | None = None
    ) -> DistributorTenant: ...
    def get_tenant(self, tenant_id: str) -> DistributorTenant: ...
    def list_tenants(self) -> Iterator[DistributorTenant]: ...
    def create_subscription(
        self, tenant_id: str, product_id: str, quantity: int, *, request_id: str | None = None
    ) -> DistributorSubscription: ...
    def set_subscription_quantity(
        self, subscription_id: str, quantity: int, *, request_id: str | None = None
    ) -> DistributorSubscription: ...


class UsagePort(Protocol):
    def list_usage(self, *, period_start: date, period_end: date) -> Iterator[UsageRecord]: ...


class DistributorCatalogPort(Protocol):
    """The partner's contract agreements and the price list of each: the distributor's catalog."""

    def me(self) -> DistributorPartner: ...
    def get_price_list(self, contract_agreement_id: int, on: date) -> list[PriceListItem]: ...


class DistributorClientPort(Closeable, DistributorTenantsPort, UsagePort, DistributorCatalogPort, Protocol):
    """All of the distributor behind one connection."""


# -- ESD ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EsdAccount:
    """An account to synchronise: a reseller (role `Reseller`) or an end customer (role `User`)."""

    account_ref: str  # our own id for the account
    name: str
    email: str  # the Microsoft contact email
    role: str
    parent_account_ref: str | None = None


@dataclass(frozen=True)
class EsdAccountStatus:
    account_ref: str
    remote_id: str | None
    status: str
    synchronised_at: datetime | None = None
    message: str | None = None


@dataclass(frozen=True)
class EsdToken:
    """One licence: its token (the licence key) and where to activate / download it."""

    token_id: str
    token: str = field(repr=False)
    product_id: str = ""
    activation_link: str | None = None
    issued_at: datetime | None = None
    link_expires_at: datetime | None = None
    status: str = "issued"


@dataclass(frozen=True)
class EsdPrice:
    currency: str
    amount: Decimal


@dataclass(frozen=True)
class EsdProduct:
    product_id: str
    name: str
    sku: str | None
    family: str | None
    version: str | None
    licence_type: str | None
    unit_prices: tuple[EsdPrice, ...]

    def price(self, currency: str) -> Decimal | None:
        for price in self.unit_prices:
            if price.currency.upper() == currency.upper():
                return price.amount
        return None


_ESD_ONE_LICENCE = "ESD licences are perpetual and bought one per item"
_ESD_NO_RENEWAL = "Perpetual software does not renew."

# ESD sells new perpetual licences only (seed 003, feature E1): built from the supported set, so an
# order type added to the domain later is refused here until someone decides otherwise.
ESD_CAPABILITIES = ProviderCapabilities(
    supported=frozenset({OrderType.NEW}),
    reasons={
        OrderType.ADD_QUANTITY: f"{_ESD_ONE_LICENCE}: to add licences, buy again.",
        OrderType.REMOVE_QUANTITY: f"{_ESD_ONE_LICENCE}: to decrease, remove items.",
        OrderType.SUSPEND: "A perpetual licence cannot be suspended.",
        OrderType.REACTIVATE: "A perpetual licence cannot be suspended, so not reactivated.",
        OrderType.CANCEL: "A perpetual licence is returned within 30 days, not cancelled.",
        OrderType.BILLING_ONLY_CANCEL: "A perpetual licence is billed once: there is no billing to stop.",
        OrderType.ADD_ON: "Perpetual software has no add-ons.",
        OrderType.UPGRADE: "Perpetual software cannot be upgraded in place.",
        OrderType.TERM_CHANGE: "Perpetual software has no term.",
        OrderType.SCHEDULED_CHANGE: _ESD_NO_RENEWAL,
        OrderType.AUTO_RENEW: _ESD_NO_RENEWAL,
        OrderType.FRIENDLY_NAME: "ESD licences have no name of their own to change.",
        OrderType.MID_CYCLE_PACKAGE_MIGRATION: "Perpetual software has no billing cycle.",
    },
    provider="Microsoft ESD",
)


class EsdPort(Protocol):
    def sync_account(self, account: EsdAccount, *, request_id: str | None = None) -> EsdAccountStatus: ...
    def issue_tokens(
        self, *, account_ref: str, product_id: str, quantity: int, request_id: str | None = None
    ) -> list[EsdToken]: ...
    def get_token(self, token_id: str) -> EsdToken: ...
    def list_products(self) -> list[EsdProduct]: ...


class EsdClientPort(Closeable, EsdPort, Protocol):
    """All of ESD behind one connection."""
