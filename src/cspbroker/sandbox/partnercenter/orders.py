"""Orders: placing them (one per billing cycle group, a subscription or an entitlement per line) and
reading them back (`GET .../orders`, `.../orders/{id}`, `.../orders/{id}/provisioningstatus`)."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from . import audit
from .billing import add_line
from .catalog import CURRENCY_SYMBOLS, CatalogItem
from .http import collection, link, respond
from .lookups import customer_or_404, order_or_404
from .state import Actor, PCState, new_alphanumeric
from .subscription_model import create_subscription
from .timeutil import exact, iso, parse


@dataclass
class OrderLine:
    """A validated cart line (or out-of-band purchase)."""

    item: CatalogItem
    quantity: int
    term_duration: str
    billing_cycle: str
    currency: str
    friendly_name: str | None = None
    parent_subscription_id: str | None = None
    order_group: str = "0"
    addons: list[OrderLine] = field(default_factory=list)


def is_fulfilled(state: PCState, doc: dict[str, Any]) -> bool:
    return not doc.get("fulfilAt") or state.now() >= parse(doc["fulfilAt"])


def _entitlement(
    state: PCState,
    customer: dict[str, Any],
    order: dict[str, Any],
    number: int,
    line: OrderLine,
    subscription_id: str | None,
) -> None:
    doc = {
        "id": str(uuid.uuid4()),
        "customerId": customer["id"],
        "orderId": order["id"],
        "alternateId": order["alternateId"],
        "lineItemNumber": number,
        "productId": line.item.product_id,
        "skuId": line.item.sku_id,
        "title": line.item.title,
        "quantity": line.quantity,
        "subscriptionId": subscription_id,
        "createdAt": order["_createdAt"],
        "fulfilAt": order["fulfilAt"],
        "softwareId": str(uuid.uuid4()).upper(),
        "productKey": "-".join(secrets.token_hex(3).upper()[:5] for _ in range(5))
        if subscription_id is None
        else None,
    }
    state.store.put("entitlements", doc["id"], doc, parent=customer["id"])


def _add(
    state: PCState, customer: dict[str, Any], order: dict[str, Any], line: OrderLine, parent: str | None
) -> None:
    number = len(order["lineItems"])
    price = line.item.price(line.term_duration, line.billing_cycle, line.currency)
    entry: dict[str, Any] = {
        "lineItemNumber": number,
        "offerId": line.item.catalog_item_id,
        "termDuration": line.term_duration or None,
        "transactionType": "new",
        "friendlyName": line.friendly_name or line.item.title,
        "quantity": line.quantity,
        "unitPrice": str(price),
    }
    if line.item.is_perpetual:
        add_line(
            state,
            customer=customer,
            order=order,
            product_id=line.item.product_id,
            sku_id=line.item.sku_id,
            availability_id=line.item.availability_id,
            product_name=line.item.product["title"],
            sku_name=line.item.title,
            charge_type="new",
            unit_price=price,
            quantity=line.quantity,
            days=1,
            cycle_days=1,
            charge_start=state.now().date(),
            charge_end_exclusive=state.now().date() + timedelta(days=1),
            currency=line.currency,
            term_duration="",
            billing_cycle="one_time",
        )
        _entitlement(state, customer, order, number, line, None)
        order["lineItems"].append(entry)
        return
    sub = create_subscription(
        state,
        customer=customer,
        item=line.item,
        quantity=line.quantity,
        term_duration=line.term_duration,
        billing_cycle=line.billing_cycle,
        currency=line.currency,
        order=order,
        parent_id=parent,
        friendly_name=line.friendly_name,
    )
    entry["subscriptionId"] = sub["id"]
    if parent:
        entry["parentSubscriptionId"] = parent
    order["lineItems"].append(entry)
    if line.item.is_software:
        _entitlement(state, customer, order, number, line, sub["id"])
    for addon in line.addons:
        _add(state, customer, order, addon, sub["id"])


def place_orders(
    state: PCState, customer: dict[str, Any], lines: list[OrderLine], actor: Actor
) -> list[dict[str, Any]]:
    """One order per billing cycle (add-ons ride with their base line). Caller holds a transaction."""
    groups: dict[str, list[OrderLine]] = {}
    for line in lines:
        groups.setdefault(line.billing_cycle, []).append(line)
    orders = []
    now = state.now()
    for billing_cycle, group in groups.items():
        software = any(line.item.is_software for line in group)
        currency = group[0].currency
        order: dict[str, Any] = {
            "id": new_alphanumeric(),
            "alternateId": secrets.token_hex(6),
            "referenceCustomerId": customer["id"],
            "billingCycle": billing_cycle,
            "currencyCode": currency,
            "currencySymbol": CURRENCY_SYMBOLS[currency],
            "creationDate": iso(now),
            "transactionType": "UserPurchase",
            "lineItems": [],
            "_createdAt": exact(now),
            "fulfilAt": exact(now + timedelta(seconds=state.software_delay_seconds())) if software else None,
        }
        state.store.put("orders", order["id"], order, parent=customer["id"])
        for line in group:
            _add(state, customer, order, line, line.parent_subscription_id)
        state.store.put("orders", order["id"], order, parent=customer["id"])
        audit.record(
            state,
            actor=actor,
            customer=customer,
            resource_type="order",
            operation_type="create_order",
            new=render_order(state, order, include_price=True),
            data={"OrderId": order["id"]},
        )
        orders.append(order)
    return orders


def render_order(state: PCState, order: dict[str, Any], *, include_price: bool) -> dict[str, Any]:
    base = f"/customers/{order['referenceCustomerId']}/orders/{order['id']}"
    lines = []
    total = Decimal(0)
    for entry in order["lineItems"]:
        offer = entry["offerId"].split(":")
        line = {key: value for key, value in entry.items() if key != "unitPrice" and value is not None}
        links = {
            "provisioningStatus": link(f"{base}/provisioningstatus"),
            "sku": link(f"/products/{offer[0]}/skus/{offer[1]}?country=US"),
        }
        if entry.get("subscriptionId"):
            links["subscription"] = link(
                f"/customers/{order['referenceCustomerId']}/subscriptions/{entry['subscriptionId']}"
            )
        line["links"] = links
        price = Decimal(entry["unitPrice"])
        total += price * entry["quantity"]
        if include_price:
            line["pricing"] = {
                "listPrice": price,
                "discountedPrice": price,
                "proratedPrice": price,
                "price": price,
                "extendedPrice": price * entry["quantity"],
                "currency": order["currencyCode"],
            }
        lines.append(line)
    body: dict[str, Any] = {
        "id": order["id"],
        "alternateId": order["alternateId"],
        "referenceCustomerId": order["referenceCustomerId"],
        "billingCycle": order["billingCycle"],
        "currencyCode": order["currencyCode"],
        "currencySymbol": order["currencySymbol"],
        "lineItems": lines,
        "creationDate": order["creationDate"],
        "status": "completed" if is_fulfilled(state, order) else "pending",
        "transactionType": order["transactionType"],
        "links": {"provisioningStatus": link(f"{base}/provisioningstatus"), "self": link(base)},
        "attributes": {"objectType": "Order"},
    }
    if include_price:
        body["totalPrice"] = total
    return body


def _include_price(request: Request) -> bool:
    return (
        request.query_params.get("include_price") or request.query_params.get("includePrice") or ""
    ).lower() == "true"


def routes(state: PCState) -> list[Route]:
    async def list_orders(request: Request) -> Response:
        customer = customer_or_404(state, request.path_params["customer_id"])
        billing_type = (request.query_params.get("billingType") or "").lower()
        orders = state.store.list("orders", parent=customer["id"])
        if billing_type in ("license", "software", "one_time"):
            want_software = billing_type != "license"
            orders = [o for o in orders if bool(o.get("fulfilAt")) == want_software]
        items = [render_order(state, o, include_price=_include_price(request)) for o in orders]
        return respond(collection(items, f"/customers/{customer['id']}/orders"))

    async def get_order(request: Request) -> Response:
        customer = customer_or_404(state, request.path_params["customer_id"])
        order = order_or_404(state, customer["id"], request.path_params["order_id"])
        return respond(render_order(state, order, include_price=_include_price(request)))

    async def provisioning_status(request: Request) -> Response:
        customer = customer_or_404(state, request.path_params["customer_id"])
        order = order_or_404(state, customer["id"], request.path_params["order_id"])
        status = "Fulfilled" if is_fulfilled(state, order) else "PrefulfillmentPending"
        items = [
            {
                "lineItemNumber": entry["lineItemNumber"],
                "status": status,
                "quantityProvisioningInformation": [{"quantity": entry["quantity"], "status": status}],
                "attributes": {"objectType": "OrderLineItemProvisioningStatus"},
            }
            for entry in order["lineItems"]
        ]
        return respond(
            collection(items, f"/customers/{customer['id']}/orders/{order['id']}/provisioningstatus")
        )

    base = "/v1/customers/{customer_id}/orders"
    return [
        Route(base, list_orders, methods=["GET"]),
        Route(base + "/{order_id}", get_order, methods=["GET"]),
        Route(base + "/{order_id}/provisioningstatus", provisioning_status, methods=["GET"]),
    ]
