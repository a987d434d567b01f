"""Every typed Partner Center request and response model, in one import.

Models are frozen dataclasses with snake_case attributes, parsed tolerantly: unknown fields are
ignored, unknown enum values read as `UNKNOWN` with the raw text kept (`status_raw`), money is
Decimal and timestamps are aware datetimes. Each lives next to the operations that use it.
"""

from __future__ import annotations

from cspbroker.providers.partnercenter.audit import AuditFilter, AuditRecord
from cspbroker.providers.partnercenter.catalog import (
    Availability,
    AvailabilityTerm,
    PriceSheetRow,
    Product,
    RefundPolicy,
    Sku,
    catalog_item_id,
)
from cspbroker.providers.partnercenter.common import (
    BillingCycle,
    OrderStatus,
    ProvisioningState,
    SubscriptionStatus,
    TargetView,
    UserState,
)
from cspbroker.providers.partnercenter.customers import (
    Address,
    BillingProfile,
    CompanyProfile,
    Customer,
    NewCustomer,
    UserCredentials,
)
from cspbroker.providers.partnercenter.entitlements import EntitledArtifact, Entitlement
from cspbroker.providers.partnercenter.orders import (
    Cart,
    CartAddOn,
    CartLineItem,
    CartLineItemError,
    CartLineItemRequest,
    CheckoutResult,
    LineItemProvisioningStatus,
    Order,
    OrderError,
    OrderLineItem,
    Pricing,
)
from cspbroker.providers.partnercenter.reconciliation import (
    DailyRatedUsageLineItem,
    Invoice,
    OneTimeInvoiceLineItem,
)
from cspbroker.providers.partnercenter.subscriptions import (
    ProductTerm,
    RefundableLot,
    RefundableQuantity,
    RefundOption,
    ScheduledNextTermInstructions,
    Subscription,
    SubscriptionChanges,
    SubscriptionProvisioningStatus,
)
from cspbroker.providers.partnercenter.transitions import (
    Eligibility,
    Transition,
    TransitionEligibility,
    TransitionRequest,
)
from cspbroker.providers.partnercenter.users import (
    CustomerUser,
    LicenceAssignment,
    LicenseUpdateResult,
    LicenseWarning,
    NewUser,
    ProductSku,
    ServicePlan,
    SubscribedSku,
    UserChanges,
    UserLicense,
)

__all__ = [
    "Address",
    "AuditFilter",
    "AuditRecord",
    "Availability",
    "AvailabilityTerm",
    "BillingCycle",
    "BillingProfile",
    "Cart",
    "CartAddOn",
    "CartLineItem",
    "CartLineItemError",
    "CartLineItemRequest",
    "CheckoutResult",
    "CompanyProfile",
    "Customer",
    "CustomerUser",
    "DailyRatedUsageLineItem",
    "Eligibility",
    "EntitledArtifact",
    "Entitlement",
    "Invoice",
    "LicenceAssignment",
    "LicenseUpdateResult",
    "LicenseWarning",
    "LineItemProvisioningStatus",
    "NewCustomer",
    "NewUser",
    "OneTimeInvoiceLineItem",
    "Order",
    "OrderError",
    "OrderLineItem",
    "OrderStatus",
    "PriceSheetRow",
    "Pricing",
    "Product",
    "ProductSku",
    "ProductTerm",
    "ProvisioningState",
    "RefundOption",
    "RefundPolicy",
    "RefundableLot",
    "RefundableQuantity",
    "ScheduledNextTermInstructions",
    "ServicePlan",
    "Sku",
    "SubscribedSku",
    "Subscription",
    "SubscriptionChanges",
    "SubscriptionProvisioningStatus",
    "SubscriptionStatus",
    "TargetView",
    "Transition",
    "TransitionEligibility",
    "TransitionRequest",
    "UserChanges",
    "UserCredentials",
    "UserLicense",
    "UserState",
    "catalog_item_id",
]
