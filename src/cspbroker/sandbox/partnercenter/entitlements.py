"""Software entitlements (perpetual keys and software subscriptions).

The software id and product key (`entitledArtifacts`) appear only once `software_id_delay` has
passed on the sandbox clock, as the real service fills them in minutes after the order. The expiry
date (software subscriptions: the end of the current term) is returned only with `showExpiry=true`.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .http import collection, invalid_input, respond
from .lookups import customer_or_404
from .orders import is_fulfilled
from .state import PCState
from .subscription_model import render


def render_entitlement(state: PCState, doc: dict[str, Any], *, show_expiry: bool) -> dict[str, Any]:
    fulfilled = is_fulfilled(state, doc)
    artifacts = []
    if fulfilled:
        artifact = {"artifactType": "software", "softwareId": doc["softwareId"]}
        if doc.get("productKey"):
            artifact["productKey"] = doc["productKey"]
        artifacts.append(artifact)
    body: dict[str, Any] = {
        "referenceOrder": {
            "id": doc["orderId"],
            "lineItemId": str(doc["lineItemNumber"]),
            "alternateId": doc["alternateId"],
        },
        "productId": doc["productId"],
        "skuId": doc["skuId"],
        "quantity": doc["quantity"],
        "quantityDetails": [{"quantity": doc["quantity"], "status": "Fulfilled" if fulfilled else "Pending"}],
        "entitlementType": "software",
        "fulfillmentState": "Fulfilled" if fulfilled else "Pending",
        "entitledArtifacts": artifacts,
        "includedEntitlements": [],
        "attributes": {"objectType": "Entitlement"},
    }
    if show_expiry:
        expiry = None
        sub = state.store.get("subscriptions", doc["subscriptionId"]) if doc.get("subscriptionId") else None
        if sub is not None:
            expiry = render(state, sub)["commitmentEndDate"]
        body["expiryDate"] = expiry
    return body


def routes(state: PCState) -> list[Route]:
    async def list_entitlements(request: Request) -> Response:
        customer = customer_or_404(state, request.path_params["customer_id"])
        kind = (request.query_params.get("entitlementType") or "").lower()
        if kind not in ("", "software", "reservedinstance"):
            raise invalid_input(
                "Invalid request input: entitlementType must be software or reservedInstance."
            )
        show_expiry = (request.query_params.get("showExpiry") or "").lower() == "true"
        docs = [] if kind == "reservedinstance" else state.store.list("entitlements", parent=customer["id"])
        items = [render_entitlement(state, doc, show_expiry=show_expiry) for doc in docs]
        return respond(collection(items, f"/customers/{customer['id']}/entitlements"))

    return [Route("/v1/customers/{customer_id}/entitlements", list_entitlements, methods=["GET"])]
