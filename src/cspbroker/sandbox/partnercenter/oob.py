"""Out-of-band changes: what happens in Microsoft's own portals, outside the partner's API calls.

Used by the `/_sandbox/...` admin endpoints and by the seed (an existing tenant to link). Every
change is written to the audit log with the portal as its source, so sync code can find it.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from ..common.errors import ApiError
from .carts import LineError, validate_line
from .customers import create_customer
from .http import invalid_input
from .licenses import update_licenses
from .lookups import generate_password, portal_actor
from .orders import OrderLine, place_orders
from .state import PCState
from .subscription_model import create_subscription
from .users import create_user

PARTNER_PORTAL = "PartnerCenterPortal"


def licence_sku(state: PCState, reference: str) -> str:
    """An Entra SKU id from either the SKU GUID itself or a catalog item id / `productId:skuId`."""
    if reference.count(":") >= 1:
        parts = reference.upper().split(":")
        item = state.catalog.by_sku.get((parts[0], parts[1]))
        if item is None or not item.sku.get("aadSkuId"):
            raise invalid_input(f"Invalid request input: {reference} is not a licence-based catalog item.")
        return str(item.sku["aadSkuId"])
    return reference.lower()


def order_line(state: PCState, customer: dict[str, Any], data: dict[str, Any]) -> OrderLine:
    try:
        return validate_line(state, customer, data)
    except LineError as error:
        raise ApiError(400, error.code, error.description) from error


def purchase(state: PCState, customer: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """A purchase made in the Partner Center portal: an order and its subscription, billed as usual."""
    with state.store.transaction():
        line = order_line(state, customer, data)
        orders = place_orders(state, customer, [line], portal_actor(customer, PARTNER_PORTAL))
    return orders[0]


def link_existing_tenant(state: PCState, data: dict[str, Any]) -> dict[str, Any]:
    """Create a tenant that already existed (with subscriptions and users) and now has us as reseller."""
    country = str(data.get("country") or "US").upper()
    domain = str(data.get("domain") or "")
    name = str(data.get("companyName") or domain.split(".")[0].title())
    billing = data.get("billingProfile") or {
        "email": data.get("email") or f"admin@{domain}",
        "culture": "en-US",
        "language": "en",
        "companyName": name,
        "defaultAddress": data.get("address")
        or {
            "firstName": "Tenant",
            "lastName": "Admin",
            "addressLine1": "1 Main Street",
            "city": "Seattle",
            "state": "WA",
            "postalCode": "98101",
            "country": country,
            "phoneNumber": "+1 206 555 0100",
        },
    }
    with state.store.transaction():
        customer, password = create_customer(
            state,
            {"companyProfile": {"domain": domain}, "billingProfile": billing},
            portal_actor(None, PARTNER_PORTAL),
        )
        actor = portal_actor(customer)
        subscriptions = []
        for spec in data.get("subscriptions") or []:
            line = order_line(state, customer, spec)
            days_ago = int(spec.get("purchasedDaysAgo") or 0)
            sub = create_subscription(
                state,
                customer=customer,
                item=line.item,
                quantity=line.quantity,
                term_duration=line.term_duration,
                billing_cycle=line.billing_cycle,
                currency=line.currency,
                order=None,
                friendly_name=line.friendly_name,
                auto_renew=bool(spec.get("autoRenewEnabled", True)),
                purchased_at=state.now() - timedelta(days=days_ago),
            )
            subscriptions.append(sub)
        users = []
        for spec in data.get("users") or []:
            user = create_user(
                state, customer, {**spec, "passwordProfile": {"password": generate_password()}}, actor
            )
            skus = [licence_sku(state, str(ref)) for ref in spec.get("licenses") or []]
            if skus:
                update_licenses(state, customer, user, skus, [], actor)
            users.append(state.store.get("users", user["id"]))
    return {"customer": customer, "adminPassword": password, "subscriptions": subscriptions, "users": users}


NORTHWIND: dict[str, Any] = {
    "companyName": "Northwind Traders",
    "domain": "northwindtraders.onmicrosoft.com",
    "country": "US",
    "email": "it@northwindtraders.example",
    "subscriptions": [
        {
            "catalogItemId": "CFQ7TTC0LDPB:0001:CFQ7TTC0K5BF",
            "quantity": 10,
            "termDuration": "P1Y",
            "billingCycle": "monthly",
            "purchasedDaysAgo": 120,
        },
        {
            "catalogItemId": "CFQ7TTC0LH16:0001:CFQ7TTC0K5D1",
            "quantity": 5,
            "termDuration": "P1M",
            "billingCycle": "monthly",
            "purchasedDaysAgo": 40,
        },
        {
            "catalogItemId": "CFQ7TTC0L3PB:0001:CFQ7TTC0KDSZ",
            "quantity": 3,
            "termDuration": "P1Y",
            "billingCycle": "annual",
            "purchasedDaysAgo": 200,
        },
    ],
    "users": [
        {
            "userPrincipalName": "nancy.davolio@northwindtraders.onmicrosoft.com",
            "firstName": "Nancy",
            "lastName": "Davolio",
            "displayName": "Nancy Davolio",
            "usageLocation": "US",
            "licenses": ["CFQ7TTC0LDPB:0001", "CFQ7TTC0L3PB:0001"],
        },
        {
            "userPrincipalName": "andrew.fuller@northwindtraders.onmicrosoft.com",
            "firstName": "Andrew",
            "lastName": "Fuller",
            "displayName": "Andrew Fuller",
            "usageLocation": "US",
            "licenses": ["CFQ7TTC0LDPB:0001"],
        },
        {
            "userPrincipalName": "janet.leverling@northwindtraders.onmicrosoft.com",
            "firstName": "Janet",
            "lastName": "Leverling",
            "displayName": "Janet Leverling",
            "usageLocation": "US",
            "licenses": ["CFQ7TTC0LDPB:0001"],
        },
        {
            "userPrincipalName": "margaret.peacock@northwindtraders.onmicrosoft.com",
            "firstName": "Margaret",
            "lastName": "Peacock",
            "displayName": "Margaret Peacock",
            "usageLocation": "US",
            "licenses": ["CFQ7TTC0LH16:0001"],
        },
        {
            "userPrincipalName": "steven.buchanan@northwindtraders.onmicrosoft.com",
            "firstName": "Steven",
            "lastName": "Buchanan",
            "displayName": "Steven Buchanan",
            "usageLocation": "GB",
            "licenses": [],
        },
    ],
}


def seed(state: PCState) -> None:
    """On an empty state: the demo existing tenant (admin + 5 users, 3 subscriptions)."""
    if state.store.get("_sandbox", "seeded"):
        return
    link_existing_tenant(state, NORTHWIND)
    state.store.put("_sandbox", "seeded", {"northwind": True})
