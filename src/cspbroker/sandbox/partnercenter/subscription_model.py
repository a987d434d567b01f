"""Subscription documents: creation on purchase, persistence, and the Partner Center wire shape."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from .billing import subscription_line
from .catalog import TERM_CYCLE_WIRE, CatalogItem
from .http import link
from .state import PCState, new_etag
from .terms import cycle_bounds, first_cycle_after, next_event, refundable_lots, term_bounds, window_end
from .timeutil import CANCELLATION_WINDOW, TERM_MONTHS, exact, iso, iso_date, midnight, parse


def save(state: PCState, sub: dict[str, Any], *, touch: bool = True) -> None:
    """Persist; a changed subscription gets a new etag. Keeps the next clock event known to the state."""
    if touch:
        sub["etag"] = new_etag()
    event = next_event(sub)
    sub["nextEventAt"] = exact(event) if event else None
    state.store.put("subscriptions", sub["id"], sub, parent=sub["customerId"])
    state.note_due(sub["nextEventAt"])


def create_subscription(
    state: PCState,
    *,
    customer: dict[str, Any],
    item: CatalogItem,
    quantity: int,
    term_duration: str,
    billing_cycle: str,
    currency: str,
    order: dict[str, Any] | None,
    parent_id: str | None = None,
    friendly_name: str | None = None,
    auto_renew: bool = True,
    purchased_at: datetime | None = None,
) -> dict[str, Any]:
    """A new subscription; `purchased_at` in the past (an existing tenant) bills nothing before now."""
    now = state.now()
    bought = purchased_at or now
    sub: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "entitlementId": str(uuid.uuid4()),
        "customerId": customer["id"],
        "orderId": order["id"] if order else "",
        "offerId": item.catalog_item_id,
        "productId": item.product_id,
        "skuId": item.sku_id,
        "availabilityId": item.availability_id,
        "productName": item.product["title"],
        "offerName": item.title,
        "productTypeId": item.product["type"],
        "friendlyName": friendly_name or item.title,
        "quantity": quantity,
        "termDuration": term_duration,
        "billingCycle": billing_cycle,
        "isTrial": item.is_trial,
        "status": "active",
        "autoRenewEnabled": auto_renew,
        "parentSubscriptionId": parent_id,
        "aadSkuId": item.sku.get("aadSkuId"),
        "currency": currency,
        "unitPrice": str(item.price(term_duration, billing_cycle, currency)),
        "creationDate": exact(bought),
        "anchorDate": bought.date().isoformat(),
        "termOffsetMonths": 0,
        "termStartedAt": exact(bought),
        "nextCycle": 0,
        "lots": []
        if item.is_trial
        else [{"quantity": quantity, "until": exact(bought + CANCELLATION_WINDOW)}],
        "scheduledNextTermInstructions": None,
        "suspensionReasons": [],
    }
    if purchased_at is None:
        first_charge(state, sub, "new")
    else:
        # An existing tenant's subscription: bring its term up to date without billing the past.
        while term_bounds(sub)[1] <= now.date() and not sub["isTrial"]:
            sub["termOffsetMonths"] += TERM_MONTHS[sub["termDuration"]]
            sub["termStartedAt"] = exact(midnight(term_bounds(sub)[0]))
            sub["lots"] = []
        sub["nextCycle"] = first_cycle_after(sub, now.date())
    save(state, sub)
    return sub


def first_charge(state: PCState, sub: dict[str, Any], charge_type: str) -> None:
    """The charge for the first billing cycle of a term (a trial: its 30 days at no cost)."""
    bounds = cycle_bounds(sub, 0) or term_bounds(sub)
    days = (bounds[1] - bounds[0]).days
    subscription_line(
        state,
        sub,
        charge_type,
        quantity=int(sub["quantity"]),
        days=days,
        cycle_days=days,
        charge_start=bounds[0],
        charge_end_exclusive=bounds[1],
    )
    sub["nextCycle"] = 1


def _instructions(sub: dict[str, Any]) -> dict[str, Any] | None:
    scheduled = sub.get("scheduledNextTermInstructions")
    if not scheduled:
        return None
    product = scheduled["product"]
    return {
        "product": {
            **product,
            "billingCycle": TERM_CYCLE_WIRE.get(product["billingCycle"], product["billingCycle"]),
        },
        "quantity": scheduled["quantity"],
    }


def render(state: PCState, sub: dict[str, Any]) -> dict[str, Any]:
    now = state.now()
    term_start, term_end = term_bounds(sub)
    cycle = cycle_bounds(sub, max(int(sub["nextCycle"]) - 1, 0))
    window = window_end(sub)
    live = sub["status"] in ("active", "suspended")
    lots = refundable_lots(sub, now) if live else []
    started = parse(sub["termStartedAt"])
    cycle_end = (cycle[1] if cycle else term_end) - timedelta(days=1)
    body: dict[str, Any] = {
        "id": sub["id"],
        "entitlementId": sub["entitlementId"],
        "offerId": sub["offerId"],
        "offerName": sub["offerName"],
        "friendlyName": sub["friendlyName"],
        "productType": {"id": sub["productTypeId"], "displayName": sub["productTypeId"]},
        "quantity": sub["quantity"],
        "unitType": "Licenses",
        "hasPurchasableAddons": not sub.get("parentSubscriptionId") and sub["productTypeId"] != "Software",
        "creationDate": iso(parse(sub["creationDate"])),
        "effectiveStartDate": iso(started if started.date() == term_start else midnight(term_start)),
        "commitmentEndDate": iso_date(term_end - timedelta(days=1)),
        "commitmentEndDateTime": iso(midnight(term_end) - timedelta(seconds=1)),
        "cancellationAllowedUntilDate": iso(window) if window else None,
        "billingCycleEndDate": iso_date(cycle_end),
        "billingCycleEndDateTime": iso(midnight(cycle_end + timedelta(days=1)) - timedelta(seconds=1)),
        "status": sub["status"],
        "autoRenewEnabled": sub["autoRenewEnabled"],
        "billingType": "license",
        "billingCycle": sub["billingCycle"],
        "termDuration": sub["termDuration"],
        "renewalTermDuration": sub["termDuration"] if not sub["isTrial"] else "P1Y",
        "isTrial": sub["isTrial"],
        "isMicrosoftProduct": True,
        "publisherName": "Microsoft Corporation",
        "contractType": "subscription",
        "orderId": sub["orderId"],
        "suspensionReasons": list(sub.get("suspensionReasons", [])),
        "actions": ["edit", "cancel"] if live and window and now <= window else ["edit"] if live else [],
        "refundOptions": [
            {"type": "Full", "expiresAt": iso(started + timedelta(days=1))},
            {"type": "Partial", "expiresAt": iso(window)},
        ]
        if live and window and now <= window
        else [],
        "refundableQuantity": {
            "totalQuantity": sum(int(lot["quantity"]) for lot in lots),
            "details": [
                {"quantity": lot["quantity"], "allowedUntilDateTime": iso(parse(lot["until"]))}
                for lot in lots
            ],
        },
        "scheduledNextTermInstructions": _instructions(sub),
        "links": _links(sub),
        "attributes": {"etag": sub["etag"], "objectType": "Subscription"},
    }
    if sub.get("parentSubscriptionId"):
        body["parentSubscriptionId"] = sub["parentSubscriptionId"]
    return body


def _links(sub: dict[str, Any]) -> dict[str, Any]:
    base = f"/customers/{sub['customerId']}/subscriptions/{sub['id']}"
    links = {
        "product": link(f"/products/{sub['productId']}?country=US"),
        "sku": link(f"/products/{sub['productId']}/skus/{sub['skuId']}?country=US"),
        "availability": link(
            f"/products/{sub['productId']}/skus/{sub['skuId']}/availabilities/{sub['availabilityId']}?country=US"
        ),
        "self": link(base),
    }
    if sub.get("parentSubscriptionId"):
        links["parentSubscription"] = link(
            f"/customers/{sub['customerId']}/subscriptions/{sub['parentSubscriptionId']}"
        )
    return links
