"""Licences: the tenant's subscribed SKUs (seats), assignment to users, and a user's licences.

The licence `skuId` is the Entra ID SKU GUID, not the catalog's "0001"; every licence-based
subscription carries the `aadSkuId` of its catalog SKU, and seats of all active subscriptions with
the same `aadSkuId` add up (`totalUnits`). Inactive (deleted) users do not consume seats.
"""

from __future__ import annotations

import uuid
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..common.errors import ApiError
from . import audit
from .catalog import CatalogItem
from .http import collection, invalid_input, read_json, respond
from .lookups import api_actor, customer_or_404, user_or_404
from .state import Actor, PCState
from .users import render_user

USAGE_LOCATION_ERROR = "License assignment cannot be done for user with invalid usage location"
OUT_OF_LICENSES = (
    "We're sorry, it looks like you've run out of licenses. Buy more licenses, and then try again."
)


def _service_plans(item: CatalogItem) -> list[dict[str, Any]]:
    return [
        {
            "displayName": name.replace("_", " ").title(),
            "serviceName": name,
            "id": str(uuid.uuid5(uuid.NAMESPACE_OID, f"serviceplan:{name}")),
            "capabilityStatus": "Enabled",
            "targetType": "User",
        }
        for name in item.sku.get("servicePlans", [])
    ]


def _product_sku(item: CatalogItem) -> dict[str, Any]:
    return {
        "id": item.sku["aadSkuId"],
        "name": item.product["title"],
        "skuPartNumber": item.sku["skuPartNumber"],
        "targetType": "User",
        "licenseGroupId": "group1",
    }


def seat_counts(state: PCState, customer_id: str) -> dict[str, dict[str, Any]]:
    """Per Entra SKU id: the catalog item and the active / suspended / consumed seat counts."""
    counts: dict[str, dict[str, Any]] = {}
    for sub in state.store.list("subscriptions", parent=customer_id):
        if not sub.get("aadSkuId") or sub["status"] not in ("active", "suspended"):
            continue
        item = state.catalog.item(sub["offerId"])
        entry = counts.setdefault(sub["aadSkuId"], {"item": item, "active": 0, "suspended": 0, "consumed": 0})
        entry["active" if sub["status"] == "active" else "suspended"] += int(sub["quantity"])
    for user in state.store.list("users", parent=customer_id, where=lambda u: u["state"] == "active"):
        for sku_id in user.get("licenses", []):
            if sku_id in counts:
                counts[sku_id]["consumed"] += 1
    return counts


def render_subscribed_sku(sku_id: str, entry: dict[str, Any]) -> dict[str, Any]:
    total = entry["active"]
    return {
        "availableUnits": total - entry["consumed"],
        "activeUnits": entry["active"],
        "consumedUnits": entry["consumed"],
        "suspendedUnits": entry["suspended"],
        "totalUnits": total,
        "warningUnits": 0,
        "productSku": _product_sku(entry["item"]),
        "servicePlans": _service_plans(entry["item"]),
        "capabilityStatus": "Enabled" if entry["active"] else "Suspended",
        "attributes": {"objectType": "SubscribedSku"},
    }


def render_license(item: CatalogItem) -> dict[str, Any]:
    return {
        "productSku": _product_sku(item),
        "servicePlans": _service_plans(item),
        "attributes": {"objectType": "License"},
    }


def update_licenses(
    state: PCState,
    customer: dict[str, Any],
    user: dict[str, Any],
    assign: list[str],
    remove: list[str],
    actor: Actor,
) -> None:
    """Apply a LicenseUpdate; raises 60012 when a SKU has no free seat, as Partner Center does."""
    if user["state"] != "active":
        raise ApiError(404, 60002, f"User object ID {user['id']} not found.")
    if assign and not user.get("usageLocation"):
        raise ApiError(
            400, 800002, USAGE_LOCATION_ERROR, [f"InvalidUsageLocationException : {USAGE_LOCATION_ERROR}"]
        )
    old = {"licenses": list(user.get("licenses", []))}
    held = [sku for sku in user.get("licenses", []) if sku not in remove]
    counts = seat_counts(state, customer["id"])
    for sku_id in assign:
        if sku_id in held:
            continue
        entry = counts.get(sku_id)
        if entry is None:
            raise invalid_input(f"Invalid request input: the SKU {sku_id} is not subscribed in this tenant.")
        freed = 1 if sku_id in user.get("licenses", []) else 0
        if entry["active"] - entry["consumed"] + freed < 1:
            raise ApiError(
                400,
                60012,
                OUT_OF_LICENSES,
                [
                    f"LicenseQuotaExceededException : Subscription with Account {customer['commerceId']} and "
                    f"SKU {sku_id} does not have any available licenses left."
                ],
            )
        held.append(sku_id)
        entry["consumed"] += 1
    user["licenses"] = held
    state.store.put("users", user["id"], user, parent=customer["id"])
    audit.record(
        state,
        actor=actor,
        customer=customer,
        resource_type="license",
        operation_type="update_customer_user_licenses",
        old={**render_user(user), **old},
        new={**render_user(user), "licenses": held},
        data={"UserId": user["id"], "Assigned": ",".join(assign), "Removed": ",".join(remove)},
    )


def routes(state: PCState) -> list[Route]:
    async def subscribed_skus(request: Request) -> Response:
        customer = customer_or_404(state, request.path_params["customer_id"])
        groups = request.query_params.getlist("licenseGroupIds")
        counts = seat_counts(state, customer["id"])
        items = [] if groups and "Group1" not in groups and "group1" not in groups else counts.items()
        rendered = [render_subscribed_sku(sku_id, entry) for sku_id, entry in items]
        return respond(collection(rendered, f"/customers/{customer['id']}/subscribedskus"))

    async def license_updates(request: Request) -> Response:
        customer = customer_or_404(state, request.path_params["customer_id"])
        user = user_or_404(state, customer["id"], request.path_params["user_id"])
        data = await read_json(request)
        to_assign = data.get("licensesToAssign") or []
        to_remove = data.get("licensesToRemove") or []
        if not isinstance(to_assign, list) or not isinstance(to_remove, list):
            raise invalid_input(
                "Invalid request input: licensesToAssign and licensesToRemove must be arrays."
            )
        try:
            assign = [str(entry["skuId"]).lower() for entry in to_assign]
        except (KeyError, TypeError) as error:
            raise invalid_input(
                "Invalid request input: each licensesToAssign entry needs a skuId."
            ) from error
        remove = [str(sku).lower() for sku in to_remove]
        if not assign and not remove:
            raise invalid_input("Invalid request input: nothing to assign or remove.")
        with state.store.transaction():
            update_licenses(state, customer, user, assign, remove, api_actor(request))
        body = {
            "licensesToAssign": to_assign,
            "licensesToRemove": to_remove,
            "licenseWarnings": [],
            "attributes": {"objectType": "LicenseUpdate"},
        }
        return respond(body, 201)

    async def user_licenses(request: Request) -> Response:
        customer = customer_or_404(state, request.path_params["customer_id"])
        user = user_or_404(state, customer["id"], request.path_params["user_id"])
        groups = request.query_params.getlist("licenseGroupIds")
        items = []
        if not groups or "Group1" in groups or "group1" in groups:
            for sku_id in user.get("licenses", []):
                item = state.catalog.by_aad_sku(sku_id)
                if item is not None:
                    items.append(render_license(item))
        return respond(collection(items, f"/customers/{customer['id']}/users/{user['id']}/licenses"))

    base = "/v1/customers/{customer_id}"
    return [
        Route(base + "/subscribedskus", subscribed_skus, methods=["GET"]),
        Route(
            base + "/users/{user_id}/licenseupdates",
            state.idempotency.wrap(license_updates),
            methods=["POST"],
        ),
        Route(base + "/users/{user_id}/licenses", user_licenses, methods=["GET"]),
    ]
