"""The distributor sandbox's state: tenants, subscriptions, domains, explicit usage and the usage settings.

Documents are stored in the PRISM wire shape (PascalCase), amounts as decimal strings. Business rules that
the distributor enforces (quantity limits, no package migration, no change after cancellation) live here,
so the HTTP handlers only translate.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from cspbroker.sandbox.common.clock import SandboxClock
from cspbroker.sandbox.common.store import Store

from .catalog import Catalog
from .usage import MAX_PERIOD_DAYS, UsageConfig, explicit_record, generate_usage, stable_fraction, stable_uuid

TENANTS = "tenants"
SUBSCRIPTIONS = "subscriptions"
USAGE_RECORDS = "usage_records"
SETTINGS = "settings"
USAGE_CONFIG_ID = "usage_config"
SEEDED_ID = "seeded"

DOMAIN_PREFIX = re.compile(r"[a-z0-9]{2,27}")
SETTABLE_STATUSES = {
    "active": "Active",
    "suspended": "Suspended",
    "cancelled": "Cancelled",
    "canceled": "Cancelled",
}
FINAL_STATUSES = {"Cancelled", "Expired", "Disabled"}
REQUIRED_ADDRESS = ("AddressLine1", "City", "PostalCode", "Country")
REQUIRED_CONTACT = ("FirstName", "LastName", "Email")
PACKAGE_MIGRATION_MESSAGE = (
    "Mid-cycle package migration is not supported by the distributor: to move a customer to another "
    "product, add a subscription for the new product and cancel the old one."
)


class DistributorError(Exception):
    """A refusal the distributor would send: HTTP status, a stable code and a sentence."""

    def __init__(
        self,
        status: int,
        code: str,
        description: str,
        data: list[Any] | None = None,
        *,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(description)
        self.status = status
        self.code = code
        self.description = description
        self.data = data or []
        self.headers = headers or {}


def _timestamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


class DistributorState:
    def __init__(self, *, store: Store, clock: SandboxClock, catalog: Catalog, seed: int) -> None:
        self.store = store
        self.clock = clock
        self.catalog = catalog
        self.seed = str(seed)

    # -- demo data ----------------------------------------------------------------------------

    def ensure_seeded(self) -> None:
        """Load the demo tenants once per state directory (and again after a reset)."""
        with self.store.transaction():
            if self.store.get(SETTINGS, SEEDED_ID) is not None:
                return
            for tenant in self.catalog.tenants:
                doc = {key: value for key, value in tenant.items() if key != "Subscriptions"}
                doc["Domain"] = f"{tenant['DomainPrefix']}.onmicrosoft.com"
                doc["CreatedAt"] = "2024-01-01T00:00:00Z"
                self.store.put(TENANTS, tenant["TenantId"], doc)
                for subscription in tenant["Subscriptions"]:
                    sub = {**subscription, "TenantId": tenant["TenantId"]}
                    sub["FirstPurchased"] = f"{subscription['FirstPurchased'][:10]}T00:00:00Z"
                    sub["LastModified"] = sub["FirstPurchased"]
                    self.store.put(SUBSCRIPTIONS, sub["SubscriptionId"], sub, parent=tenant["TenantId"])
            self.store.put(SETTINGS, SEEDED_ID, {"at": _timestamp(self.clock.now())})

    # -- reads -------------------------------------------------------------------------------

    def subscription_view(self, sub: Mapping[str, Any]) -> dict[str, Any]:
        product = self.catalog.products.get(sub["ProductId"], {})
        return {
            "SubscriptionId": sub["SubscriptionId"],
            "TenantId": sub["TenantId"],
            "Status": sub["Status"],
            "ProgramReferenceLabel": "Microsoft CSP",
            "ProductId": sub["ProductId"],
            "ProductName": product.get("ProductName"),
            "ProductSku": product.get("ProductSku"),
            "Quantity": sub["Quantity"],
            "Unit": product.get("ProductUnit"),
            "FirstPurchased": sub["FirstPurchased"],
            "LastModified": sub.get("LastModified"),
            "CancelledDate": sub.get("CancelledDate"),
            "DisplayTemplate": "Azure" if product.get("ProductType") == "Azure" else "Office365",
            "BillingCycle": sub["BillingCycle"],
            "BillingCycleDuration": product.get("BillingCycleDuration"),
        }

    def tenant_view(self, tenant: Mapping[str, Any]) -> dict[str, Any]:
        subscriptions = self.store.list(SUBSCRIPTIONS, parent=tenant["TenantId"])
        return {
            "TenantId": tenant["TenantId"],
            "TenantStatus": tenant["TenantStatus"],
            "CustomerId": tenant["CustomerId"],
            "CustomerName": tenant["CustomerName"],
            "Domain": tenant["Domain"],
            "ContractAgreementId": tenant["ContractAgreementId"],
            "Subscriptions": [self.subscription_view(sub) for sub in subscriptions],
        }

    def tenants(self) -> list[dict[str, Any]]:
        return [self.tenant_view(tenant) for tenant in self.store.list(TENANTS)]

    def tenant(self, tenant_id: str) -> dict[str, Any]:
        tenant = self.store.get(TENANTS, tenant_id)
        if tenant is None:
            raise DistributorError(404, "TenantNotFound", f"Tenant {tenant_id} was not found.")
        return self.tenant_view(tenant)

    def subscription(self, subscription_id: str) -> dict[str, Any]:
        return self.subscription_view(self._subscription_doc(subscription_id))

    def _subscription_doc(self, subscription_id: str) -> dict[str, Any]:
        sub = self.store.get(SUBSCRIPTIONS, subscription_id)
        if sub is None:
            raise DistributorError(
                404, "SubscriptionNotFound", f"Subscription {subscription_id} was not found."
            )
        return sub

    def domain_availability(self, prefix: str) -> dict[str, Any]:
        normalised = self._valid_prefix(prefix)
        return {
            "DomainPrefix": normalised,
            "Domain": f"{normalised}.onmicrosoft.com",
            "IsAvailable": not self._prefix_taken(normalised),
        }

    def _valid_prefix(self, prefix: str) -> str:
        normalised = prefix.strip().lower()
        if not DOMAIN_PREFIX.fullmatch(normalised):
            raise DistributorError(
                400,
                "InvalidDomainPrefix",
                "The tenant name must be 2 to 27 letters or digits (it becomes <name>.onmicrosoft.com).",
            )
        return normalised

    def _prefix_taken(self, prefix: str) -> bool:
        if prefix in self.catalog.taken_prefixes:
            return True
        return bool(self.store.list(TENANTS, where=lambda tenant: tenant["DomainPrefix"] == prefix))

    # -- tenant creation -----------------------------------------------------------------------

    def create_tenant(self, body: Mapping[str, Any]) -> dict[str, Any]:
        missing = [name for name in ("DomainPrefix", "CustomerName") if not str(body.get(name) or "").strip()]
        address = _mapping(body.get("Address"))
        contact = _mapping(body.get("Contact"))
        missing += [
            f"Address.{name}" for name in REQUIRED_ADDRESS if not str(address.get(name) or "").strip()
        ]
        missing += [
            f"Contact.{name}" for name in REQUIRED_CONTACT if not str(contact.get(name) or "").strip()
        ]
        if missing:
            raise DistributorError(
                400,
                "MissingFields",
                "These fields are required to create a tenant: " + ", ".join(missing),
                missing,
            )
        prefix = self._valid_prefix(str(body["DomainPrefix"]))
        contract_id = body.get("ContractAgreementId", self.catalog.default_contract_id())
        if contract_id not in self.catalog.contract_ids():
            raise DistributorError(
                400, "InvalidContractAgreement", f"Contract agreement {contract_id} is not yours."
            )
        with self.store.transaction():
            if self._prefix_taken(prefix):
                raise DistributorError(
                    409, "DomainAlreadyExists", f"The domain {prefix}.onmicrosoft.com is already taken."
                )
            number = self.store.next_seq("tenant")
            tenant_id = stable_uuid(self.seed, "tenant", number)
            tenant = {
                "TenantId": tenant_id,
                "TenantStatus": "Active",
                "CustomerId": stable_uuid(self.seed, "customer", number),
                "CustomerName": str(body["CustomerName"]).strip(),
                "DomainPrefix": prefix,
                "Domain": f"{prefix}.onmicrosoft.com",
                "ContractAgreementId": contract_id,
                "Address": dict(address),
                "Contact": dict(contact),
                "CreatedAt": _timestamp(self.clock.now()),
            }
            self.store.put(TENANTS, tenant_id, tenant)
        view = self.tenant_view(tenant)
        # Microsoft creates the first global admin from the contact; the password is shown once.
        view["AdminCredentials"] = {"UserName": f"admin@{prefix}.onmicrosoft.com", "Password": _password()}
        return view

    # -- subscriptions -------------------------------------------------------------------------

    def add_subscription(self, tenant_id: str, body: Mapping[str, Any]) -> dict[str, Any]:
        tenant = self.store.get(TENANTS, tenant_id)
        if tenant is None:
            raise DistributorError(404, "TenantNotFound", f"Tenant {tenant_id} was not found.")
        if tenant["TenantStatus"] != "Active":
            raise DistributorError(400, "TenantNotActive", f"Tenant {tenant_id} is {tenant['TenantStatus']}.")
        product_id = str(body.get("ProductId") or "")
        product = self.catalog.products.get(product_id)
        if product is None or product["ProductType"] == "Usage":
            raise DistributorError(
                400, "InvalidProduct", f"Product {product_id or '(none)'} cannot be ordered."
            )
        quantity = self._quantity(body.get("Quantity"), product)
        cycle = str(body.get("BillingCycle") or product["BillingCycleOptions"][0])
        options = {option.lower(): option for option in product["BillingCycleOptions"]}
        if cycle.lower() not in options:
            raise DistributorError(
                400,
                "InvalidBillingCycle",
                f"{product['ProductName']} is sold with these billing cycles: "
                + ", ".join(product["BillingCycleOptions"]),
            )
        now = _timestamp(self.clock.now())
        with self.store.transaction():
            subscription_id = stable_uuid(self.seed, "subscription", self.store.next_seq("subscription"))
            sub: dict[str, Any] = {
                "SubscriptionId": subscription_id,
                "TenantId": tenant_id,
                "Status": "Active",
                "ProductId": product_id,
                "Quantity": quantity,
                "FirstPurchased": now,
                "LastModified": now,
                "BillingCycle": options[cycle.lower()],
            }
            if product["ProductType"] == "Azure":
                sub["UsageProducts"] = self._usage_products_for(subscription_id)
            self.store.put(SUBSCRIPTIONS, subscription_id, sub, parent=tenant_id)
        return self.subscription_view(sub)

    def _usage_products_for(self, subscription_id: str) -> list[str]:
        """A stable pick of 2 to all of the usage meters, so each new Azure plan consumes differently."""
        meters = sorted(self.catalog.usage_product_ids())
        chosen = [
            m for m in meters if stable_fraction(self.seed, "meter", subscription_id, m) < Decimal("0.6")
        ]
        return chosen if len(chosen) >= 2 else meters[:2]

    @staticmethod
    def _quantity(value: Any, product: Mapping[str, Any]) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise DistributorError(400, "InvalidQuantity", "Quantity must be a whole number.")
        low, high = int(product["MinQty"]), int(product["MaxQty"])
        if not low <= value <= high:
            raise DistributorError(
                400,
                "QuantityOutOfRange",
                f"Quantity for {product['ProductName']} must be between {low} and {high}.",
                [{"MinQty": low, "MaxQty": high}],
            )
        return value

    def update_subscription(self, subscription_id: str, body: Mapping[str, Any]) -> dict[str, Any]:
        if not any(key in body for key in ("Quantity", "Status", "ProductId")):
            raise DistributorError(400, "NothingToChange", "Send Quantity and/or Status.")
        with self.store.transaction():
            sub = self._subscription_doc(subscription_id)
            if "ProductId" in body and body["ProductId"] != sub["ProductId"]:
                raise DistributorError(400, "PackageMigrationNotSupported", PACKAGE_MIGRATION_MESSAGE)
            if sub["Status"] in FINAL_STATUSES:
                raise DistributorError(
                    400,
                    "SubscriptionNotModifiable",
                    f"A subscription in status {sub['Status']} cannot be changed.",
                )
            if "Quantity" in body:
                sub["Quantity"] = self._quantity(body["Quantity"], self.catalog.products[sub["ProductId"]])
            if "Status" in body:
                status = SETTABLE_STATUSES.get(str(body["Status"]).lower())
                if status is None:
                    raise DistributorError(
                        400, "InvalidStatus", "Status must be Active, Suspended or Cancelled."
                    )
                sub["Status"] = status
                if status == "Cancelled":
                    sub["CancelledDate"] = _timestamp(self.clock.now())
            sub["LastModified"] = _timestamp(self.clock.now())
            self.store.put(SUBSCRIPTIONS, subscription_id, sub, parent=sub["TenantId"])
        return self.subscription_view(sub)

    # -- usage -------------------------------------------------------------------------------

    def usage_config(self) -> UsageConfig:
        doc = self.store.get(SETTINGS, USAGE_CONFIG_ID)
        return UsageConfig.from_wire(doc) if doc else UsageConfig()

    def set_usage_config(self, body: Mapping[str, Any]) -> UsageConfig:
        current = self.usage_config().as_wire()
        config = UsageConfig.from_wire({**current, **body})
        self.store.put(
            SETTINGS, USAGE_CONFIG_ID, {key: str(value) for key, value in config.as_wire().items()}
        )
        return config

    def add_usage_records(self, bodies: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
        records = []
        with self.store.transaction():
            for body in bodies:
                record_id = stable_uuid(self.seed, "explicit-usage", self.store.next_seq("usage_record"))
                record = explicit_record(body, record_id=record_id, currency=self.catalog.currency)
                self.store.put(USAGE_RECORDS, record["UsageRecordId"], _stored(record))
                records.append(record)
        return records

    def usage(self, start: date, end: date, tenant_id: str | None = None) -> list[dict[str, Any]]:
        """All records of [start, end]: generated ones for finished days, plus the explicit ones."""
        if end < start:
            raise DistributorError(400, "InvalidPeriod", "endDate must not be before startDate.")
        if (end - start).days + 1 > MAX_PERIOD_DAYS:
            raise DistributorError(
                400, "InvalidPeriod", f"A usage period spans at most {MAX_PERIOD_DAYS} days."
            )
        last_final_day = date.fromordinal(self.clock.now().date().toordinal() - 1)
        tenants = [
            {**tenant, "Subscriptions": self.store.list(SUBSCRIPTIONS, parent=tenant["TenantId"])}
            for tenant in self.store.list(TENANTS)
        ]
        records = generate_usage(
            seed=self.seed,
            tenants=tenants,
            products=self.catalog.products,
            currency=self.catalog.currency,
            start=start,
            end=min(end, last_final_day),
            config=self.usage_config(),
        )
        first, last = start.isoformat(), end.isoformat()
        explicit = self.store.list(USAGE_RECORDS, where=lambda r: first <= r["UsageDate"] <= last)
        records.extend(_loaded(record) for record in explicit)
        records.sort(key=lambda record: (record["UsageDate"], record["UsageRecordId"]))
        if tenant_id:
            records = [record for record in records if record["TenantId"] == tenant_id]
        return records


_DECIMAL_FIELDS = ("UnitRate", "Units", "SubTotal", "BillableRatio")


def _stored(record: Mapping[str, Any]) -> dict[str, Any]:
    return {key: str(value) if key in _DECIMAL_FIELDS else value for key, value in record.items()}


def _loaded(record: Mapping[str, Any]) -> dict[str, Any]:
    return {key: Decimal(value) if key in _DECIMAL_FIELDS else value for key, value in record.items()}


def _mapping(value: Any) -> dict[str, Any]:
    return dict(value) if isinstance(value, Mapping) else {}


def _password() -> str:
    # Meets the Microsoft 365 policy: upper, lower, digit and symbol.
    return f"Sbx{secrets.token_hex(4)}!{secrets.randbelow(90) + 10}a"
