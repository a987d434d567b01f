"""Carts, checkout and orders (reference §2.5). Checkout is idempotent on MS-RequestId."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from cspbroker.providers.paging import items_of
from cspbroker.providers.parsing import (
    as_int,
    as_list,
    as_mapping,
    as_str,
    opt_datetime,
    opt_decimal,
    opt_str,
)
from cspbroker.providers.partnercenter.common import (
    ApiBase,
    BillingCycle,
    OrderStatus,
    ProvisioningState,
    seg,
)

__all__ = [
    "Cart",
    "CartAddOn",
    "CartLineItem",
    "CartLineItemError",
    "CartLineItemRequest",
    "CheckoutResult",
    "LineItemProvisioningStatus",
    "Order",
    "OrderError",
    "OrderLineItem",
    "OrdersApi",
    "Pricing",
]


@dataclass(frozen=True)
class CartAddOn:
    """An add-on bought together with its base line (`addonItems`)."""

    catalog_item_id: str
    quantity: int
    billing_cycle: str
    term_duration: str | None = None


@dataclass(frozen=True)
class CartLineItemRequest:
    """One line of a new cart.

    `parent_subscription_id` buys an add-on for an existing base subscription (sent as
    `provisioningContext.ParentSubscriptionId`); perpetual software uses `billing_cycle="one_time"`
    and no `term_duration`.
    """

    catalog_item_id: str
    quantity: int
    billing_cycle: str
    term_duration: str | None = None
    friendly_name: str | None = None
    currency_code: str | None = None
    promotion_id: str | None = None
    parent_subscription_id: str | None = None
    addon_items: tuple[CartAddOn, ...] = ()
    transaction_reseller_id: str | None = None
    renews_to_term_duration: str | None = None
    attestation_accepted: bool | None = None

    def to_json(self, line_id: int) -> tuple[dict[str, Any], int]:
        """The camelCase line with id `line_id`, and the next free id (add-ons take ids too)."""
        body: dict[str, Any] = {
            "id": line_id,
            "catalogItemId": self.catalog_item_id,
            "quantity": self.quantity,
            "billingCycle": str(self.billing_cycle),
        }
        optional: dict[str, Any] = {
            "termDuration": self.term_duration,
            "friendlyName": self.friendly_name,
            "currencyCode": self.currency_code,
            "promotionId": self.promotion_id,
            "attestationAccepted": self.attestation_accepted,
        }
        body.update({key: value for key, value in optional.items() if value is not None})
        if self.parent_subscription_id is not None:
            # PascalCase inside provisioningContext, exactly as in Microsoft's add-on sample.
            body["provisioningContext"] = {"ParentSubscriptionId": self.parent_subscription_id}
        if self.transaction_reseller_id is not None:
            body["participants"] = [{"key": "transaction_reseller", "value": self.transaction_reseller_id}]
        if self.renews_to_term_duration is not None:
            body["renewsTo"] = [{"termDuration": self.renews_to_term_duration}]
        next_id = line_id + 1
        if self.addon_items:
            addons = []
            for addon in self.addon_items:
                item: dict[str, Any] = {
                    "id": next_id,
                    "catalogItemId": addon.catalog_item_id,
                    "quantity": addon.quantity,
                    "billingCycle": str(addon.billing_cycle),
                }
                if addon.term_duration is not None:
                    item["termDuration"] = addon.term_duration
                addons.append(item)
                next_id += 1
            body["addonItems"] = addons
        return body, next_id


@dataclass(frozen=True)
class CartLineItemError:
    code: str
    description: str

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CartLineItemError:
        return cls(code=as_str(data.get("errorCode")), description=as_str(data.get("errorDescription")))


@dataclass(frozen=True)
class CartLineItem:
    id: int
    catalog_item_id: str
    quantity: int
    billing_cycle: BillingCycle
    term_duration: str | None
    friendly_name: str | None
    error: CartLineItemError | None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CartLineItem:
        error = data.get("error")
        return cls(
            id=as_int(data.get("id")),
            catalog_item_id=as_str(data.get("catalogItemId")),
            quantity=as_int(data.get("quantity")),
            billing_cycle=BillingCycle.parse(data.get("billingCycle")),
            term_duration=opt_str(data.get("termDuration")),
            friendly_name=opt_str(data.get("friendlyName")),
            error=CartLineItemError.from_json(error) if isinstance(error, Mapping) else None,
        )


@dataclass(frozen=True)
class Cart:
    id: str
    status: str | None
    line_items: tuple[CartLineItem, ...]
    creation_timestamp: datetime | None
    last_modified_timestamp: datetime | None
    expiration_timestamp: datetime | None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Cart:
        return cls(
            id=as_str(data.get("id")),
            status=opt_str(data.get("status")),
            line_items=tuple(CartLineItem.from_json(as_mapping(i)) for i in as_list(data.get("lineItems"))),
            creation_timestamp=opt_datetime(data.get("creationTimeStamp")),
            last_modified_timestamp=opt_datetime(data.get("lastModifiedTimeStamp")),
            expiration_timestamp=opt_datetime(data.get("expirationTimeStamp")),
        )


@dataclass(frozen=True)
class Pricing:
    list_price: Decimal | None
    discounted_price: Decimal | None
    prorated_price: Decimal | None
    price: Decimal | None
    extended_price: Decimal | None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Pricing:
        return cls(
            list_price=opt_decimal(data.get("listPrice")),
            discounted_price=opt_decimal(data.get("discountedPrice")),
            prorated_price=opt_decimal(data.get("proratedPrice")),
            price=opt_decimal(data.get("price")),
            extended_price=opt_decimal(data.get("extendedPrice")),
        )


@dataclass(frozen=True)
class OrderLineItem:
    line_item_number: int
    offer_id: str
    subscription_id: str | None
    parent_subscription_id: str | None
    term_duration: str | None
    transaction_type: str | None
    friendly_name: str | None
    quantity: int
    pricing: Pricing | None
    partner_id_on_record: str | None
    promotion_id: str | None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> OrderLineItem:
        pricing = data.get("pricing")
        return cls(
            line_item_number=as_int(data.get("lineItemNumber")),
            offer_id=as_str(data.get("offerId")),
            subscription_id=opt_str(data.get("subscriptionId")),
            parent_subscription_id=opt_str(data.get("parentSubscriptionId")),
            term_duration=opt_str(data.get("termDuration")),
            transaction_type=opt_str(data.get("transactionType")),
            friendly_name=opt_str(data.get("friendlyName")),
            quantity=as_int(data.get("quantity")),
            pricing=Pricing.from_json(pricing) if isinstance(pricing, Mapping) else None,
            partner_id_on_record=opt_str(data.get("partnerIdOnRecord")),
            promotion_id=opt_str(data.get("promotionId")),
        )


@dataclass(frozen=True)
class Order:
    id: str
    alternate_id: str | None
    reference_customer_id: str | None
    billing_cycle: BillingCycle
    currency_code: str | None
    creation_date: datetime | None
    status: OrderStatus
    status_raw: str
    transaction_type: str | None
    total_price: Decimal | None
    line_items: tuple[OrderLineItem, ...]

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Order:
        status = as_str(data.get("status"), "unknown")
        return cls(
            id=as_str(data.get("id")),
            alternate_id=opt_str(data.get("alternateId")),
            reference_customer_id=opt_str(data.get("referenceCustomerId")),
            billing_cycle=BillingCycle.parse(data.get("billingCycle")),
            currency_code=opt_str(data.get("currencyCode")),
            creation_date=opt_datetime(data.get("creationDate")),
            status=OrderStatus.parse(status),
            status_raw=status,
            transaction_type=opt_str(data.get("transactionType")),
            total_price=opt_decimal(data.get("totalPrice")),
            line_items=tuple(
                OrderLineItem.from_json(as_mapping(item)) for item in as_list(data.get("lineItems"))
            ),
        )


@dataclass(frozen=True)
class OrderError:
    order_group_id: str | None
    code: str
    description: str

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> OrderError:
        return cls(
            order_group_id=opt_str(data.get("orderGroupId")),
            code=as_str(data.get("code")),
            description=as_str(data.get("description")),
        )


@dataclass(frozen=True)
class CheckoutResult:
    orders: tuple[Order, ...]
    order_errors: tuple[OrderError, ...]

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CheckoutResult:
        return cls(
            orders=tuple(Order.from_json(as_mapping(o)) for o in as_list(data.get("orders"))),
            order_errors=tuple(OrderError.from_json(as_mapping(e)) for e in as_list(data.get("orderErrors"))),
        )


@dataclass(frozen=True)
class LineItemProvisioningStatus:
    line_item_number: int
    status: ProvisioningState
    status_raw: str
    quantities: tuple[tuple[int, str], ...]

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> LineItemProvisioningStatus:
        status = as_str(data.get("status"), "unknown")
        return cls(
            line_item_number=as_int(data.get("lineItemNumber")),
            status=ProvisioningState.parse(status),
            status_raw=status,
            quantities=tuple(
                (as_int(as_mapping(q).get("quantity")), as_str(as_mapping(q).get("status")))
                for q in as_list(data.get("quantityProvisioningInformation"))
            ),
        )


class OrdersApi(ApiBase):
    def _customer(self, customer_id: str) -> str:
        return f"/v1/customers/{seg(customer_id)}"

    def create_cart(
        self,
        customer_id: str,
        line_items: Sequence[CartLineItemRequest],
        *,
        request_id: str | None = None,
    ) -> Cart:
        if not line_items:
            raise ValueError("a cart needs at least one line item")
        lines: list[dict[str, Any]] = []
        next_id = 0
        for line in line_items:
            body, next_id = line.to_json(next_id)
            lines.append(body)
        path = f"{self._customer(customer_id)}/carts"
        return Cart.from_json(
            self._http.post(path, json={"lineItems": lines}, request_id=request_id).object()
        )

    def get_cart(self, customer_id: str, cart_id: str) -> Cart:
        return Cart.from_json(self._http.get(f"{self._customer(customer_id)}/carts/{seg(cart_id)}").object())

    def checkout_cart(
        self, customer_id: str, cart_id: str, *, request_id: str | None = None
    ) -> CheckoutResult:
        """`POST …/carts/{id}/checkout` → 201. Read `order_errors` as well as `orders`."""
        path = f"{self._customer(customer_id)}/carts/{seg(cart_id)}/checkout"
        return CheckoutResult.from_json(self._http.post(path, request_id=request_id).object())

    def get_order(self, customer_id: str, order_id: str, *, include_price: bool = False) -> Order:
        path = f"{self._customer(customer_id)}/orders/{seg(order_id)}"
        params = {"include_price": True} if include_price else None
        return Order.from_json(self._http.get(path, params=params).object())

    def list_orders(
        self, customer_id: str, *, billing_type: str | None = None, include_price: bool = False
    ) -> list[Order]:
        """Orders appear in this list up to 15 minutes after checkout (eventual consistency)."""
        params = {"billingType": billing_type, "include_price": True if include_price else None}
        body = self._http.get(f"{self._customer(customer_id)}/orders", params=params).body
        return [Order.from_json(as_mapping(item)) for item in items_of(body)]

    def get_order_provisioning_status(
        self, customer_id: str, order_id: str
    ) -> list[LineItemProvisioningStatus]:
        path = f"{self._customer(customer_id)}/orders/{seg(order_id)}/provisioningstatus"
        body = self._http.get(path).body
        return [LineItemProvisioningStatus.from_json(as_mapping(item)) for item in items_of(body)]

    def cancel_order_line_items(
        self,
        customer_id: str,
        order_id: str,
        line_item_numbers: Sequence[int],
        *,
        request_id: str | None = None,
    ) -> Order:
        """Cancel software / perpetual lines (`PATCH …/orders/{id}` with `status: cancelled`)."""
        body = {
            "status": "cancelled",
            "lineItems": [{"lineItemNumber": number} for number in line_item_numbers],
        }
        path = f"{self._customer(customer_id)}/orders/{seg(order_id)}"
        return Order.from_json(self._http.patch(path, json=body, request_id=request_id).object())
