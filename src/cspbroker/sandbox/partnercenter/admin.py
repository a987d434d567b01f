"""Partner-Center-specific sandbox admin endpoints (no token; never faulted unless a rule names them).

Out-of-band changes, as if made in the Microsoft 365 admin centre / Partner Center portal:
- `POST   /_sandbox/customers` — link an existing tenant: `{"companyName", "domain", "country",
  "subscriptions": [{"catalogItemId", "quantity", "termDuration", "billingCycle", "purchasedDaysAgo"?,
  "autoRenewEnabled"?}], "users": [{"userPrincipalName", "firstName", "lastName", "displayName",
  "usageLocation"?, "licenses": [catalogItemId | "productId:skuId" | Entra SKU id]}]}` → 201
  `{"customer", "adminPassword", "subscriptions", "users"}`
- `POST   /_sandbox/customers/{cid}/subscriptions` — a purchase in the PC portal (a cart line body)
  → 201 `{"order", "subscriptions"}`
- `PATCH  /_sandbox/customers/{cid}/subscriptions/{sid}` — `{"quantity"?, "status"?
  ("active"|"suspended"|"deleted"), "autoRenewEnabled"?, "friendlyName"?}`, no window rules → 200 Subscription
- `POST   /_sandbox/customers/{cid}/users` — `{"userPrincipalName", "displayName", "firstName"?,
  "lastName"?, "usageLocation"?, "password"?}` → 201 `{"user", "password"}`
- `DELETE /_sandbox/customers/{cid}/users/{uid}` → 204 (soft delete)
- `POST   /_sandbox/customers/{cid}/users/{uid}/licenses` — `{"assign": [...], "remove": [...]}`
  (Entra SKU ids or catalog ids) → 200 `{"user", "licenses"}`; 400 60012 without a free seat
- `POST   /_sandbox/invoices/close` → 200 `{"invoices": [Invoice, ...]}` (every unbilled line)
- `GET/POST /_sandbox/settings` — `{"checkoutDelayMs": 50, "softwareIdDelaySeconds": null|seconds}`
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ..common.errors import ApiError
from .commerce import apply_patch
from .customers import render_customer
from .http import invalid_input, read_json, respond
from .licenses import update_licenses
from .lookups import customer_or_404, generate_password, portal_actor, subscription_or_404, user_or_404
from .oob import licence_sku, link_existing_tenant, purchase
from .orders import render_order
from .recon import close_period, render_invoice
from .state import PCState
from .subscription_model import render
from .users import create_user, delete_user, render_user

_SETTINGS = {"checkoutDelayMs", "softwareIdDelaySeconds"}


def routes(state: PCState) -> list[BaseRoute]:
    async def link_tenant(request: Request) -> Response:
        result = link_existing_tenant(state, await read_json(request))
        body = {
            "customer": render_customer(result["customer"]),
            "adminPassword": result["adminPassword"],
            "subscriptions": [render(state, sub) for sub in result["subscriptions"]],
            "users": [render_user(user) for user in result["users"]],
        }
        return respond(body, 201)

    async def buy(request: Request) -> Response:
        customer = customer_or_404(state, request.path_params["customer_id"])
        order = purchase(state, customer, await read_json(request))
        subs = state.store.list(
            "subscriptions", parent=customer["id"], where=lambda s: s["orderId"] == order["id"]
        )
        body = {
            "order": render_order(state, order, include_price=True),
            "subscriptions": [render(state, s) for s in subs],
        }
        return respond(body, 201)

    async def change_subscription(request: Request) -> Response:
        customer = customer_or_404(state, request.path_params["customer_id"])
        sub = subscription_or_404(state, customer["id"], request.path_params["subscription_id"])
        body = await read_json(request)
        with state.store.transaction():
            apply_patch(state, sub, body, portal_actor(customer), enforce=False)
        return respond(render(state, sub))

    async def add_user(request: Request) -> Response:
        customer = customer_or_404(state, request.path_params["customer_id"])
        body = await read_json(request)
        password = str(body.pop("password", "") or generate_password())
        with state.store.transaction():
            user = create_user(
                state, customer, {**body, "passwordProfile": {"password": password}}, portal_actor(customer)
            )
        return respond({"user": render_user(user), "password": password}, 201)

    async def remove_user(request: Request) -> Response:
        customer = customer_or_404(state, request.path_params["customer_id"])
        user = user_or_404(state, customer["id"], request.path_params["user_id"])
        with state.store.transaction():
            delete_user(state, customer, user, portal_actor(customer))
        return Response(status_code=204)

    async def licences(request: Request) -> Response:
        customer = customer_or_404(state, request.path_params["customer_id"])
        user = user_or_404(state, customer["id"], request.path_params["user_id"])
        body = await read_json(request)
        assign = [licence_sku(state, str(ref)) for ref in body.get("assign") or []]
        remove = [licence_sku(state, str(ref)) for ref in body.get("remove") or []]
        if not assign and not remove:
            raise invalid_input("Invalid request input: send assign and/or remove.")
        with state.store.transaction():
            update_licenses(state, customer, user, assign, remove, portal_actor(customer))
        user = user_or_404(state, customer["id"], user["id"])
        return respond({"user": render_user(user), "licenses": user["licenses"]})

    async def close_invoices(request: Request) -> Response:
        return respond({"invoices": [render_invoice(invoice) for invoice in close_period(state)]})

    async def get_settings(request: Request) -> Response:
        return respond(state.settings())

    async def post_settings(request: Request) -> Response:
        body = await read_json(request)
        unknown = set(body) - _SETTINGS
        if unknown:
            raise ApiError(400, 800002, f"Unknown settings: {', '.join(sorted(unknown))}.")
        return respond(state.update_settings(body))

    base = "/_sandbox/customers/{customer_id}"
    return [
        Route("/_sandbox/customers", link_tenant, methods=["POST"]),
        Route(base + "/subscriptions", buy, methods=["POST"]),
        Route(base + "/subscriptions/{subscription_id}", change_subscription, methods=["PATCH"]),
        Route(base + "/users", add_user, methods=["POST"]),
        Route(base + "/users/{user_id}", remove_user, methods=["DELETE"]),
        Route(base + "/users/{user_id}/licenses", licences, methods=["POST"]),
        Route("/_sandbox/invoices/close", close_invoices, methods=["POST"]),
        Route("/_sandbox/settings", get_settings, methods=["GET"]),
        Route("/_sandbox/settings", post_settings, methods=["POST"]),
    ]
