"""Subscriptions: read, PATCH (quantity, status, auto-renew, scheduled changes, nickname), add-ons,
and NCE upgrades ("transitions") (reference §2.6).

Partner Center's PATCH takes the whole Subscription with the changed fields; the client sends back
the JSON it last read (unknown fields included) with the changes applied, and `If-Match` set to the
etag of that read unless the caller gives one.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from cspbroker.providers.paging import items_of
from cspbroker.providers.parsing import (
    as_bool,
    as_int,
    as_list,
    as_mapping,
    as_str,
    opt_date,
    opt_datetime,
    opt_int,
    opt_str,
    str_tuple,
)
from cspbroker.providers.partnercenter.common import (
    ApiBase,
    BillingCycle,
    SubscriptionStatus,
    etag_of,
    seg,
)

__all__ = [
    "ProductTerm",
    "RefundOption",
    "RefundableLot",
    "RefundableQuantity",
    "ScheduledNextTermInstructions",
    "Subscription",
    "SubscriptionChanges",
    "SubscriptionProvisioningStatus",
    "SubscriptionsApi",
]


@dataclass(frozen=True)
class RefundableLot:
    """Seats bought together, refundable (may be removed) until `allowed_until`."""

    quantity: int
    allowed_until: datetime | None


@dataclass(frozen=True)
class RefundableQuantity:
    total_quantity: int
    lots: tuple[RefundableLot, ...]

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RefundableQuantity:
        lots = tuple(
            RefundableLot(
                quantity=as_int(as_mapping(lot).get("quantity")),
                allowed_until=opt_datetime(as_mapping(lot).get("allowedUntilDateTime")),
            )
            for lot in as_list(data.get("details"))
        )
        total = opt_int(data.get("totalQuantity"))
        return cls(
            total_quantity=total if total is not None else sum(lot.quantity for lot in lots), lots=lots
        )


@dataclass(frozen=True)
class RefundOption:
    type: str
    expires_at: datetime | None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RefundOption:
        # The SDK names it ExpiresAt and samples use expiresAt; the docs table says expiresAfter.
        expiry = data.get("expiresAt", data.get("expiresAfter"))
        return cls(type=as_str(data.get("type")), expires_at=opt_datetime(expiry))


@dataclass(frozen=True)
class ProductTerm:
    """A product/sku/availability with a term and billing cycle (scheduled changes, next charge)."""

    product_id: str
    sku_id: str
    availability_id: str
    billing_cycle: str
    term_duration: str
    promotion_id: str | None = None

    @property
    def catalog_item_id(self) -> str:
        return f"{self.product_id}:{self.sku_id}:{self.availability_id}"

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ProductTerm:
        return cls(
            product_id=as_str(data.get("productId")),
            sku_id=as_str(data.get("skuId")),
            availability_id=as_str(data.get("availabilityId")),
            billing_cycle=as_str(data.get("billingCycle")),
            term_duration=as_str(data.get("termDuration")),
            promotion_id=opt_str(data.get("promotionId")),
        )

    def to_json(self) -> dict[str, Any]:
        body = {
            "productId": self.product_id,
            "skuId": self.sku_id,
            "availabilityId": self.availability_id,
            "billingCycle": self.billing_cycle,
            "termDuration": self.term_duration,
        }
        if self.promotion_id is not None:
            body["promotionId"] = self.promotion_id
        return body


@dataclass(frozen=True)
class ScheduledNextTermInstructions:
    product: ProductTerm
    quantity: int
    custom_term_end_date: datetime | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ScheduledNextTermInstructions:
        return cls(
            product=ProductTerm.from_json(as_mapping(data.get("product"))),
            quantity=as_int(data.get("quantity")),
            custom_term_end_date=opt_datetime(data.get("customTermEndDate")),
        )

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"product": self.product.to_json(), "quantity": self.quantity}
        if self.custom_term_end_date is not None:
            body["customTermEndDate"] = self.custom_term_end_date
        return body


@dataclass(frozen=True)
class Subscription:
    id: str
    offer_id: str
    offer_name: str | None
    friendly_name: str | None
    quantity: int
    unit_type: str | None
    status: SubscriptionStatus
    status_raw: str
    auto_renew_enabled: bool
    is_trial: bool
    billing_cycle: BillingCycle
    billing_cycle_raw: str
    term_duration: str | None
    billing_type: str | None
    parent_subscription_id: str | None
    order_id: str | None
    entitlement_id: str | None
    creation_date: datetime | None
    effective_start_date: datetime | None
    commitment_end_date: date | None
    cancellation_allowed_until: datetime | None
    billing_cycle_end_date: date | None
    refundable_quantity: RefundableQuantity | None
    refund_options: tuple[RefundOption, ...]
    scheduled_next_term_instructions: ScheduledNextTermInstructions | None
    has_purchasable_addons: bool
    product_type_id: str | None
    contract_type: str | None
    partner_id: str | None
    promotion_id: str | None
    suspension_reasons: tuple[str, ...]
    actions: tuple[str, ...]
    etag: str | None
    raw: Mapping[str, Any] = field(repr=False, compare=False, hash=False, default_factory=dict)

    @property
    def catalog_item_id(self) -> str:
        """For NCE subscriptions the offer id is the catalog item id."""
        return self.offer_id

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Subscription:
        status = as_str(data.get("status"), "unknown")
        cycle = as_str(data.get("billingCycle"))
        refundable = data.get("refundableQuantity")
        scheduled = data.get("scheduledNextTermInstructions")
        return cls(
            id=as_str(data.get("id")),
            offer_id=as_str(data.get("offerId")),
            offer_name=opt_str(data.get("offerName")),
            friendly_name=opt_str(data.get("friendlyName")),
            quantity=as_int(data.get("quantity")),
            unit_type=opt_str(data.get("unitType")),
            status=SubscriptionStatus.parse(status),
            status_raw=status,
            auto_renew_enabled=as_bool(data.get("autoRenewEnabled")),
            is_trial=as_bool(data.get("isTrial")),
            billing_cycle=BillingCycle.parse(cycle),
            billing_cycle_raw=cycle,
            term_duration=opt_str(data.get("termDuration")),
            billing_type=opt_str(data.get("billingType")),
            parent_subscription_id=opt_str(data.get("parentSubscriptionId")),
            order_id=opt_str(data.get("orderId")),
            entitlement_id=opt_str(data.get("entitlementId")),
            creation_date=opt_datetime(data.get("creationDate")),
            effective_start_date=opt_datetime(data.get("effectiveStartDate")),
            # New-commerce end dates are inclusive calendar dates.
            commitment_end_date=opt_date(data.get("commitmentEndDate")),
            cancellation_allowed_until=opt_datetime(data.get("cancellationAllowedUntilDate")),
            billing_cycle_end_date=opt_date(data.get("billingCycleEndDate")),
            refundable_quantity=(
                RefundableQuantity.from_json(refundable) if isinstance(refundable, Mapping) else None
            ),
            refund_options=tuple(
                RefundOption.from_json(as_mapping(o)) for o in as_list(data.get("refundOptions"))
            ),
            scheduled_next_term_instructions=(
                ScheduledNextTermInstructions.from_json(scheduled) if isinstance(scheduled, Mapping) else None
            ),
            has_purchasable_addons=as_bool(data.get("hasPurchasableAddons")),
            product_type_id=opt_str(as_mapping(data.get("productType")).get("id")),
            contract_type=opt_str(data.get("contractType")),
            partner_id=opt_str(data.get("partnerId")),
            promotion_id=opt_str(data.get("promotionId")),
            suspension_reasons=str_tuple(data.get("suspensionReasons")),
            actions=str_tuple(data.get("actions")),
            etag=etag_of(data),
            raw=copy.deepcopy(dict(data)),
        )


@dataclass(frozen=True)
class SubscriptionChanges:
    """Fields to change in one PATCH; None means "leave as is".

    Set `clear_scheduled_next_term_instructions` to send `null` (cancel a scheduled change).
    Note Microsoft's rule: any immediate mid-term change deletes previously scheduled changes.
    """

    quantity: int | None = None
    status: SubscriptionStatus | None = None
    auto_renew_enabled: bool | None = None
    friendly_name: str | None = None
    scheduled_next_term_instructions: ScheduledNextTermInstructions | None = None
    clear_scheduled_next_term_instructions: bool = False

    def __post_init__(self) -> None:
        if self.scheduled_next_term_instructions is not None and self.clear_scheduled_next_term_instructions:
            raise ValueError("cannot both schedule and clear next-term instructions")
        if self.status is not None and self.status in (SubscriptionStatus.UNKNOWN, SubscriptionStatus.NONE):
            raise ValueError(f"cannot set a subscription to status {self.status}")

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {}
        if self.quantity is not None:
            body["quantity"] = self.quantity
        if self.status is not None:
            body["status"] = self.status.value
        if self.auto_renew_enabled is not None:
            body["autoRenewEnabled"] = self.auto_renew_enabled
        if self.friendly_name is not None:
            body["friendlyName"] = self.friendly_name
        if self.scheduled_next_term_instructions is not None:
            body["scheduledNextTermInstructions"] = self.scheduled_next_term_instructions.to_json()
        if self.clear_scheduled_next_term_instructions:
            body["scheduledNextTermInstructions"] = None
        return body


@dataclass(frozen=True)
class SubscriptionProvisioningStatus:
    sku_id: str | None
    status: str
    quantity: int | None
    end_date: datetime | None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SubscriptionProvisioningStatus:
        return cls(
            sku_id=opt_str(data.get("skuId")),
            status=as_str(data.get("status")),
            quantity=opt_int(data.get("quantity")),
            end_date=opt_datetime(data.get("endDate")),
        )


class SubscriptionsApi(ApiBase):
    def _subscriptions(self, customer_id: str) -> str:
        return f"/v1/customers/{seg(customer_id)}/subscriptions"

    def list_subscriptions(self, customer_id: str, *, order_id: str | None = None) -> list[Subscription]:
        body = self._http.get(self._subscriptions(customer_id), params={"order_id": order_id}).body
        return [Subscription.from_json(as_mapping(item)) for item in items_of(body)]

    def get_subscription(self, customer_id: str, subscription_id: str) -> Subscription:
        path = f"{self._subscriptions(customer_id)}/{seg(subscription_id)}"
        return Subscription.from_json(self._http.get(path).object())

    def patch_subscription(
        self,
        customer_id: str,
        subscription_id: str,
        changes: SubscriptionChanges,
        *,
        current: Subscription | None = None,
        if_match: str | None = None,
        request_id: str | None = None,
    ) -> Subscription:
        """PATCH the whole subscription with `changes` applied.

        `current` is the subscription as last read (read now if not given); `If-Match` is
        `if_match` or else the etag of `current`. A stale etag raises PreconditionFailed.
        """
        changed = changes.to_json()
        if not changed:
            raise ValueError("no change to send")
        if current is None:
            current = self.get_subscription(customer_id, subscription_id)
        if current.id and current.id != subscription_id:
            raise ValueError("`current` is another subscription")
        body = {**copy.deepcopy(dict(current.raw)), **changed}
        path = f"{self._subscriptions(customer_id)}/{seg(subscription_id)}"
        response = self._http.patch(path, json=body, if_match=if_match or current.etag, request_id=request_id)
        return Subscription.from_json(response.object())

    def list_addons(self, customer_id: str, subscription_id: str) -> list[Subscription]:
        path = f"{self._subscriptions(customer_id)}/{seg(subscription_id)}/addons"
        return [Subscription.from_json(as_mapping(item)) for item in items_of(self._http.get(path).body)]

    def get_subscription_provisioning_status(
        self, customer_id: str, subscription_id: str
    ) -> SubscriptionProvisioningStatus:
        path = f"{self._subscriptions(customer_id)}/{seg(subscription_id)}/provisioningstatus"
        return SubscriptionProvisioningStatus.from_json(self._http.get(path).object())
