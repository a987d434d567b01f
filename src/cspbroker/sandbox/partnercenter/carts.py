"""Carts: create, get, update, checkout (→ orders), with Partner Center's line-item errors.

Line-item problems do not fail the cart: each bad line carries `error {errorCode, errorDescription}`
(CartErrorCode numbers; 800017 for a quantity outside the SKU's range) and becomes an `orderErrors`
entry at checkout, while the good lines are ordered. A checkout with no good line fails with 800009.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..common.errors import ApiError
from .catalog import currency_for
from .http import invalid_input, read_json, respond
from .lookups import api_actor, customer_or_404
from .orders import OrderLine, place_orders, render_order
from .state import PCState
from .timeutil import iso, parse

CURRENCY_NOT_SUPPORTED = 10000
CATALOG_ITEM_NOT_VALID = 10001
SUBSCRIPTION_NOT_VALID = 10007
INVALID_INPUT = 10010
QUANTITY_NOT_AVAILABLE = 800017


class LineError(Exception):
    def __init__(self, code: int, description: str) -> None:
        super().__init__(description)
        self.code = code
        self.description = description


def _context_parent(raw: dict[str, Any]) -> str | None:
    context = raw.get("provisioningContext") or {}
    if not isinstance(context, dict):
        return None
    for key, value in context.items():
        if key.lower() == "parentsubscriptionid" and value:
            return str(value).lower()
    return None


def validate_line(
    state: PCState, customer: dict[str, Any], raw: dict[str, Any], base: OrderLine | None = None
) -> OrderLine:
    """An OrderLine for a cart line, or a LineError saying why Partner Center would refuse it."""
    item = state.catalog.item(str(raw.get("catalogItemId") or ""))
    if item is None:
        raise LineError(
            CATALOG_ITEM_NOT_VALID, f"The catalog item ID {raw.get('catalogItemId')} is not valid."
        )
    quantity = raw.get("quantity")
    if not isinstance(quantity, int) or isinstance(quantity, bool):
        raise LineError(INVALID_INPUT, "The quantity must be a whole number.")
    low, high = int(item.sku["min"]), int(item.sku["max"])
    if not low <= quantity <= high:
        raise LineError(
            QUANTITY_NOT_AVAILABLE,
            f"Quantity {quantity} is not available for this catalog item ({low}-{high}).",
        )
    cycle = str(raw.get("billingCycle") or ("one_time" if item.is_perpetual else "")).lower()
    cycle = cycle.replace("onetime", "one_time")
    duration = "" if item.is_perpetual else str(raw.get("termDuration") or "")
    if item.term(duration, cycle) is None:
        offered = ", ".join(f"{t.duration or '-'}/{t.billing_cycle}" for t in item.terms)
        raise LineError(
            INVALID_INPUT,
            f"Term {duration or '-'} with billing cycle {cycle or '-'} is not offered ({offered}).",
        )
    currency = currency_for(customer["billingProfile"]["defaultAddress"]["country"])
    if raw.get("currencyCode") and str(raw["currencyCode"]).upper() != currency:
        raise LineError(
            CURRENCY_NOT_SUPPORTED, f"Currency {raw['currencyCode']} is not supported; use {currency}."
        )
    parent_id = _context_parent(raw)
    if item.is_addon:
        prerequisites = set(item.sku.get("prerequisiteSkus", []))
        if base is not None:
            if f"{base.item.product_id}:{base.item.sku_id}" not in prerequisites:
                raise LineError(SUBSCRIPTION_NOT_VALID, f"{item.title} cannot be added to {base.item.title}.")
        else:
            parent = state.store.get("subscriptions", parent_id) if parent_id else None
            if (
                parent is None
                or parent["customerId"] != customer["id"]
                or parent["status"] != "active"
                or f"{parent['productId']}:{parent['skuId']}" not in prerequisites
            ):
                raise LineError(
                    SUBSCRIPTION_NOT_VALID,
                    f"{item.title} is an add-on: provisioningContext.ParentSubscriptionId must name an "
                    "active subscription to one of its prerequisite SKUs.",
                )
    elif parent_id or base is not None:
        raise LineError(INVALID_INPUT, f"{item.title} is not an add-on.")
    return OrderLine(
        item=item,
        quantity=quantity,
        term_duration=duration,
        billing_cycle=cycle,
        currency=currency,
        friendly_name=raw.get("friendlyName"),
        parent_subscription_id=parent_id if item.is_addon else None,
        order_group=str(raw.get("orderGroup") or "0"),
    )


def _normalise(state: PCState, customer: dict[str, Any], raw_lines: Any) -> list[dict[str, Any]]:
    if not isinstance(raw_lines, list) or not raw_lines:
        raise invalid_input("Invalid request input: lineItems must be a non-empty array.")
    lines: list[dict[str, Any]] = []
    next_id = 0
    for raw in raw_lines:
        if not isinstance(raw, dict):
            raise invalid_input("Invalid request input: each line item must be an object.")
        line = {**raw, "id": next_id}
        next_id += 1
        addons = []
        for addon in raw.get("addonItems") or []:
            addons.append({**addon, "id": next_id})
            next_id += 1
        line["addonItems"] = addons
        lines.append(line)
    groups: dict[str, str] = {}
    for line in lines:
        line.pop("error", None)
        try:
            valid = validate_line(state, customer, line)
            for addon in line["addonItems"]:
                addon.pop("error", None)
                validate_line(state, customer, addon, valid)
            line["billingCycle"], line["currencyCode"] = valid.billing_cycle, valid.currency
            line["termDuration"] = valid.term_duration or None
            line["orderGroup"] = groups.setdefault(valid.billing_cycle, str(len(groups)))
        except LineError as error:
            line["error"] = {"errorCode": error.code, "errorDescription": error.description}
            line["orderGroup"] = line.get("orderGroup") or "0"
    return lines


def render_cart(cart: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in cart.items() if not key.startswith("_")}


def routes(state: PCState) -> list[Route]:
    def cart_or_404(customer_id: str, cart_id: str) -> dict[str, Any]:
        cart = state.store.get("carts", cart_id.lower())
        if cart is None or cart["_customerId"] != customer_id:
            raise ApiError(404, 404, f"Cart {cart_id} was not found.")
        return cart

    async def create(request: Request) -> Response:
        customer = customer_or_404(state, request.path_params["customer_id"])
        data = await read_json(request)
        now = state.now()
        cart = {
            "id": str(uuid.uuid4()),
            "creationTimeStamp": iso(now),
            "lastModifiedTimeStamp": iso(now),
            "expirationTimeStamp": iso(now + timedelta(days=7)),
            "lastModifiedUser": getattr(request.state, "client_id", ""),
            "lineItems": _normalise(state, customer, data.get("lineItems")),
            "status": "Active",
            "attributes": {"objectType": "Cart"},
            "_customerId": customer["id"],
        }
        state.store.put("carts", cart["id"], cart, parent=customer["id"])
        return respond(render_cart(cart), 201)

    async def get_cart(request: Request) -> Response:
        customer = customer_or_404(state, request.path_params["customer_id"])
        return respond(render_cart(cart_or_404(customer["id"], request.path_params["cart_id"])))

    async def update(request: Request) -> Response:
        customer = customer_or_404(state, request.path_params["customer_id"])
        cart = cart_or_404(customer["id"], request.path_params["cart_id"])
        if cart["status"] != "Active":
            raise ApiError(400, 800065, "Cannot update an already submitted cart.")
        data = await read_json(request)
        cart["lineItems"] = _normalise(state, customer, data.get("lineItems"))
        cart["lastModifiedTimeStamp"] = iso(state.now())
        state.store.put("carts", cart["id"], cart, parent=customer["id"])
        return respond(render_cart(cart))

    async def checkout(request: Request) -> Response:
        customer = customer_or_404(state, request.path_params["customer_id"])
        cart = cart_or_404(customer["id"], request.path_params["cart_id"])
        if cart["status"] == "Ordered":
            raise ApiError(400, 800065, "Cannot check out an already submitted cart.")
        if parse(cart["expirationTimeStamp"]) < state.now():
            raise ApiError(400, 800002, f"Invalid request input: cart {cart['id']} has expired.")
        if cart["id"] in state.checkouts_in_flight:
            raise ApiError(409, 800064, f"Cart {cart['id']} is being processed by another request.")
        state.checkouts_in_flight.add(cart["id"])
        try:
            await asyncio.sleep(float(state.settings()["checkoutDelayMs"]) / 1000)
            with state.store.transaction():
                return _checkout(request, customer, cart)
        finally:
            state.checkouts_in_flight.discard(cart["id"])

    def _checkout(request: Request, customer: dict[str, Any], cart: dict[str, Any]) -> Response:
        good: list[OrderLine] = []
        errors = []
        for raw in cart["lineItems"]:
            try:
                line = validate_line(state, customer, raw)
                line.addons = [validate_line(state, customer, addon, line) for addon in raw["addonItems"]]
                good.append(line)
            except LineError as error:
                errors.append(
                    {
                        "orderGroupId": raw.get("orderGroup", "0"),
                        "code": error.code,
                        "description": error.description,
                    }
                )
        if not good:
            raise ApiError(
                400, 800009, "Error in Cart item(s)", [f"{e['code']}: {e['description']}" for e in errors]
            )
        orders = place_orders(state, customer, good, api_actor(request))
        cart["status"] = "Ordered"
        cart["lastModifiedTimeStamp"] = iso(state.now())
        state.store.put("carts", cart["id"], cart, parent=customer["id"])
        body = {
            "orders": [render_order(state, order, include_price=False) for order in orders],
            "orderErrors": errors,
            "attributes": {"objectType": "CartCheckoutResult"},
        }
        return respond(body, 201)

    idem = state.idempotency.wrap
    base = "/v1/customers/{customer_id}/carts"
    return [
        Route(base, idem(create), methods=["POST"]),
        Route(base + "/{cart_id}", get_cart, methods=["GET"]),
        Route(base + "/{cart_id}", idem(update), methods=["PUT"]),
        Route(base + "/{cart_id}/checkout", idem(checkout), methods=["POST"]),
    ]
