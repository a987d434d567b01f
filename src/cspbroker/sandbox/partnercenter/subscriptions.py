"""Subscription routes: list (also `?order_id=`), get, PATCH (with If-Match), add-ons."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..common.errors import ApiError
from .commerce import apply_patch
from .http import collection, read_json, respond
from .lookups import api_actor, customer_or_404, subscription_or_404
from .state import PCState
from .subscription_model import render


def routes(state: PCState) -> list[Route]:
    async def list_subscriptions(request: Request) -> Response:
        customer = customer_or_404(state, request.path_params["customer_id"])
        order_id = request.query_params.get("order_id")
        subs = state.store.list(
            "subscriptions",
            parent=customer["id"],
            where=(lambda s: s["orderId"] == order_id) if order_id else None,
        )
        query = f"?order_id={order_id}" if order_id else ""
        return respond(
            collection([render(state, s) for s in subs], f"/customers/{customer['id']}/subscriptions{query}")
        )

    async def get_subscription(request: Request) -> Response:
        customer = customer_or_404(state, request.path_params["customer_id"])
        sub = subscription_or_404(state, customer["id"], request.path_params["subscription_id"])
        return respond(render(state, sub), headers={"ETag": sub["etag"]})

    async def patch_subscription(request: Request) -> Response:
        customer = customer_or_404(state, request.path_params["customer_id"])
        sub = subscription_or_404(state, customer["id"], request.path_params["subscription_id"])
        if_match = request.headers.get("if-match")
        if if_match and if_match.strip().strip('"') not in ("*", sub["etag"]):
            raise ApiError(412, 2055, "Etag is no longer valid")
        body = await read_json(request)
        with state.store.transaction():
            apply_patch(state, sub, body, api_actor(request), enforce=True)
        return respond(render(state, sub), headers={"ETag": sub["etag"]})

    async def list_addons(request: Request) -> Response:
        customer = customer_or_404(state, request.path_params["customer_id"])
        sub = subscription_or_404(state, customer["id"], request.path_params["subscription_id"])
        addons = state.store.list(
            "subscriptions", parent=customer["id"], where=lambda s: s.get("parentSubscriptionId") == sub["id"]
        )
        uri = f"/customers/{customer['id']}/subscriptions/{sub['id']}/addons"
        return respond(collection([render(state, a) for a in addons], uri))

    base = "/v1/customers/{customer_id}/subscriptions"
    return [
        Route(base, list_subscriptions, methods=["GET"]),
        Route(base + "/{subscription_id}", get_subscription, methods=["GET"]),
        Route(base + "/{subscription_id}", state.idempotency.wrap(patch_subscription), methods=["PATCH"]),
        Route(base + "/{subscription_id}/addons", list_addons, methods=["GET"]),
    ]
