"""New-commerce rules on subscriptions: quantity lots, cancellation window, suspension, renewal, trials.

Every change goes through here, from the API (`enforce=True`: Partner Center's rules and error codes)
or from the sandbox's out-of-band admin actions (`enforce=False`: what Microsoft's own portals may do).
Callers hold a store transaction, so a rule that fails undoes every write of the request.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..common.errors import ApiError
from . import audit
from .billing import subscription_line
from .state import Actor, PCState
from .subscription_model import first_charge, render, save
from .terms import current_cycle, cycle_bounds, next_event, refundable_lots, term_bounds, window_end
from .timeutil import CANCELLATION_WINDOW, TERM_MONTHS, exact

SYSTEM = Actor(user_principal_name="", application_id="", source="Microsoft")
TRIAL_RULE = "Trial subscriptions cannot be suspended or cancelled; turn autoRenewEnabled off instead."


def _prorated(state: PCState, sub: dict[str, Any], charge_type: str, quantity: int, now: datetime) -> None:
    """Charge (or refund, for a negative quantity) the rest of the current billing cycle."""
    cycle = current_cycle(sub, now.date())
    if cycle is None or sub.get("isTrial"):
        return
    subscription_line(
        state,
        sub,
        charge_type,
        quantity=quantity,
        days=(cycle[1] - now.date()).days,
        cycle_days=(cycle[1] - cycle[0]).days,
        charge_start=now.date(),
        charge_end_exclusive=cycle[1],
    )


def change_quantity(state: PCState, sub: dict[str, Any], quantity: int, *, enforce: bool) -> None:
    item = state.catalog.item(sub["offerId"])
    low, high = (int(item.sku["min"]), int(item.sku["max"])) if item else (1, 10_000)
    if not low <= quantity <= high:
        raise ApiError(400, 2002, f"The quantity {quantity} is not within the allowed range {low}-{high}.")
    now = state.now()
    delta = quantity - int(sub["quantity"])
    if delta > 0:
        sub["lots"].append({"quantity": delta, "until": exact(now + CANCELLATION_WINDOW)})
        _prorated(state, sub, "addQuantity", delta, now)
    elif delta < 0:
        lots = refundable_lots(sub, now)
        if enforce and -delta > sum(int(lot["quantity"]) for lot in lots):
            raise ApiError(
                400,
                800090,
                "Subscription quantity cannot be decreased: seats can only be removed within 7 days of "
                "their purchase or renewal, up to the refundable quantity.",
            )
        remaining = -delta
        for lot in reversed(lots):
            taken = min(remaining, int(lot["quantity"]))
            lot["quantity"] = int(lot["quantity"]) - taken
            remaining -= taken
        sub["lots"] = [lot for lot in sub["lots"] if int(lot["quantity"]) > 0]
        _prorated(state, sub, "removeQuantity", delta, now)
    sub["quantity"] = quantity
    sub["scheduledNextTermInstructions"] = None


def cancel(state: PCState, sub: dict[str, Any], actor: Actor, *, enforce: bool) -> None:
    now = state.now()
    if enforce and sub.get("isTrial"):
        raise ApiError(400, 800002, TRIAL_RULE)
    window = window_end(sub)
    if enforce and (window is None or now > window):
        raise ApiError(
            400,
            900117,
            "You have passed your 7-day cancellation window. We are unable to cancel your purchase",
        )
    _prorated(state, sub, "cancel", -int(sub["quantity"]), now)
    sub.update(status="deleted", autoRenewEnabled=False, scheduledNextTermInstructions=None, lots=[])
    sub["cancelledAt"] = exact(now)
    for addon in state.store.list("subscriptions", parent=sub["customerId"]):
        if addon.get("parentSubscriptionId") == sub["id"] and addon["status"] in ("active", "suspended"):
            old = render(state, addon)
            cancel(state, addon, actor, enforce=False)
            save(state, addon)
            _audit(state, addon, actor, old, "update_subscription", {"Reason": "ParentCancelled"})


def _audit(
    state: PCState,
    sub: dict[str, Any],
    actor: Actor,
    old: dict[str, Any],
    operation: str,
    data: dict[str, Any],
) -> None:
    customer = state.store.get("customers", sub["customerId"])
    audit.record(
        state,
        actor=actor,
        customer=customer,
        resource_type="subscription",
        operation_type=operation,
        old=old,
        new=render(state, sub),
        data={"SubscriptionId": sub["id"], "OfferId": sub["offerId"], **data},
    )


def _instructions(state: PCState, raw: Any) -> dict[str, Any]:
    if not isinstance(raw, dict) or not isinstance(raw.get("product"), dict):
        raise ApiError(400, 800002, "Invalid request input: scheduledNextTermInstructions needs a product.")
    product = raw["product"]
    catalog_id = f"{product.get('productId')}:{product.get('skuId')}:{product.get('availabilityId')}"
    item = state.catalog.item(catalog_id)
    cycle = str(product.get("billingCycle") or "").lower().replace("onetime", "one_time")
    duration = str(product.get("termDuration") or "")
    if item is None or item.is_trial or item.term(duration, cycle) is None:
        raise ApiError(
            400, 800002, f"Invalid request input: {catalog_id} with {duration}/{cycle} cannot be scheduled."
        )
    quantity = raw.get("quantity")
    if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 1:
        raise ApiError(
            400, 800002, "Invalid request input: scheduledNextTermInstructions.quantity must be ≥ 1."
        )
    clean = {
        "productId": item.product_id,
        "skuId": item.sku_id,
        "availabilityId": item.availability_id,
        "billingCycle": cycle,
        "termDuration": duration,
    }
    if product.get("promotionId"):
        clean["promotionId"] = product["promotionId"]
    return {"product": clean, "quantity": quantity}


def apply_patch(
    state: PCState, sub: dict[str, Any], body: dict[str, Any], actor: Actor, *, enforce: bool
) -> bool:
    """Apply a PATCH (the whole Subscription, or just the fields to change). True when anything changed."""
    old = render(state, sub)
    previously_scheduled = sub.get("scheduledNextTermInstructions")
    status = body.get("status")
    status = status.lower() if isinstance(status, str) and status.lower() != sub["status"] else None
    quantity = body.get("quantity")
    if quantity is not None and (not isinstance(quantity, int) or isinstance(quantity, bool)):
        raise ApiError(400, 800002, "Invalid request input: quantity must be a whole number.")
    quantity = quantity if quantity is not None and quantity != sub["quantity"] else None
    auto = body.get("autoRenewEnabled")
    auto = auto if isinstance(auto, bool) and auto != sub["autoRenewEnabled"] else None
    name = body.get("friendlyName")
    name = name if isinstance(name, str) and name and name != sub["friendlyName"] else None
    scheduled_sent = "scheduledNextTermInstructions" in body
    scheduled = body.get("scheduledNextTermInstructions")
    changes: list[Any] = [status, quantity, auto, name]
    if sub["status"] in ("deleted", "expired"):
        if any(change is not None for change in changes) or (scheduled_sent and scheduled):
            raise ApiError(400, 2011, f"A {sub['status']} subscription cannot be updated.")
        return False
    if str(body.get("billingCycle") or sub["billingCycle"]).lower() != sub["billingCycle"]:
        raise ApiError(
            400, 2054, "The billing cycle can't be changed by updating the subscription; update the order."
        )
    if str(body.get("termDuration") or sub["termDuration"]) != sub["termDuration"]:
        raise ApiError(
            400, 800002, "Invalid request input: use scheduledNextTermInstructions to change the term."
        )
    if status not in (None, "active", "suspended", "deleted"):
        raise ApiError(400, 800002, f"Invalid request input: status {status} cannot be set.")
    if quantity is not None and status == "suspended":
        raise ApiError(400, 2001, "The quantity cannot change while the subscription is being suspended.")
    if quantity is not None and sub["status"] == "suspended" and status != "active" and enforce:
        raise ApiError(400, 800091, "Cannot update a subscription with suspended status.")
    if enforce and sub.get("isTrial") and status in ("suspended", "deleted"):
        raise ApiError(400, 800002, TRIAL_RULE)
    if status == "active":
        sub.update(status="active", suspensionReasons=[])
    if quantity is not None:
        change_quantity(state, sub, quantity, enforce=enforce)
    if auto is not None:
        sub["autoRenewEnabled"] = auto
        if not auto:
            sub["scheduledNextTermInstructions"] = None
    if name is not None:
        sub["friendlyName"] = name
    if scheduled_sent:
        wanted = _instructions(state, scheduled) if scheduled else None
        # The full Subscription echoes the current instructions: only a different value is a change.
        if wanted != previously_scheduled:
            if wanted and not sub["autoRenewEnabled"]:
                raise ApiError(
                    400,
                    800093,
                    "The subscription is not eligible to be auto-renewed: turn autoRenewEnabled on.",
                )
            sub["scheduledNextTermInstructions"] = wanted
            changes.append(wanted or "cleared")
    if status == "suspended":
        sub.update(
            status="suspended", suspensionReasons=["PartnerInitiated" if enforce else "CustomerInitiated"]
        )
    if status == "deleted":
        cancel(state, sub, actor, enforce=enforce)
    if all(change is None for change in changes):
        return False
    save(state, sub)
    _audit(state, sub, actor, old, "update_subscription", {"Changed": ",".join(body.keys())})
    return True


# --- the clock
def _renew(state: PCState, sub: dict[str, Any], at: datetime) -> str:
    scheduled = sub.get("scheduledNextTermInstructions")
    sub["termOffsetMonths"] = int(sub["termOffsetMonths"]) + TERM_MONTHS[sub["termDuration"]]
    if scheduled:
        product = scheduled["product"]
        item = state.catalog.item(f"{product['productId']}:{product['skuId']}:{product['availabilityId']}")
        if item is not None:
            sub.update(
                offerId=item.catalog_item_id,
                productId=item.product_id,
                skuId=item.sku_id,
                availabilityId=item.availability_id,
                productName=item.product["title"],
                offerName=item.title,
                aadSkuId=item.sku.get("aadSkuId"),
                quantity=scheduled["quantity"],
            )
        # A new term length restarts the month count from the renewal date.
        if product["termDuration"] != sub["termDuration"] or product["billingCycle"] != sub["billingCycle"]:
            sub.update(anchorDate=at.date().isoformat(), termOffsetMonths=0)
        sub.update(termDuration=product["termDuration"], billingCycle=product["billingCycle"])
    return _start_term(state, sub, at, "renew")


def _start_term(state: PCState, sub: dict[str, Any], at: datetime, charge_type: str) -> str:
    item = state.catalog.item(sub["offerId"])
    if item is not None:
        sub["unitPrice"] = str(item.price(sub["termDuration"], sub["billingCycle"], sub["currency"]))
    sub.update(termStartedAt=exact(at), scheduledNextTermInstructions=None, nextCycle=0)
    sub["lots"] = [{"quantity": sub["quantity"], "until": exact(at + CANCELLATION_WINDOW)}]
    first_charge(state, sub, charge_type)
    return charge_type


def _convert_trial(state: PCState, sub: dict[str, Any], at: datetime) -> str:
    trial = state.catalog.item(sub["offerId"])
    target = state.catalog.item(trial.sku["convertsTo"]) if trial else None
    if target is None:
        sub["status"] = "expired"
        return "expire"
    sub.update(
        offerId=target.catalog_item_id,
        productId=target.product_id,
        skuId=target.sku_id,
        availabilityId=target.availability_id,
        productName=target.product["title"],
        offerName=target.title,
        isTrial=False,
        termDuration="P1Y",
        billingCycle="monthly",
        anchorDate=at.date().isoformat(),
        termOffsetMonths=0,
    )
    if sub["friendlyName"] == trial.title:  # type: ignore[union-attr]
        sub["friendlyName"] = target.title
    return _start_term(state, sub, at, "convert")


def _end_of_term(state: PCState, sub: dict[str, Any], at: datetime) -> str:
    if sub.get("isTrial"):
        return _convert_trial(state, sub, at) if sub["autoRenewEnabled"] else _expire(sub)
    if sub["autoRenewEnabled"]:
        return _renew(state, sub, at)
    return _expire(sub)


def _expire(sub: dict[str, Any]) -> str:
    sub.update(status="expired", lots=[], scheduledNextTermInstructions=None)
    return "expire"


def advance(state: PCState, sub: dict[str, Any], now: datetime) -> None:
    """Catch one subscription up with the clock: cycle charges, then renewal / conversion / expiry."""
    while (at := next_event(sub)) is not None and at <= now:
        old = render(state, sub)
        bounds = cycle_bounds(sub, int(sub["nextCycle"]))
        if bounds is not None:
            days = (bounds[1] - bounds[0]).days
            subscription_line(
                state,
                sub,
                "cycleCharge",
                quantity=int(sub["quantity"]),
                days=days,
                cycle_days=days,
                charge_start=bounds[0],
                charge_end_exclusive=bounds[1],
            )
            sub["nextCycle"] = int(sub["nextCycle"]) + 1
            save(state, sub, touch=False)
            continue
        outcome = _end_of_term(state, sub, at)
        save(state, sub)
        operation = "convert_trial_subscription" if outcome == "convert" else "update_subscription"
        _audit(
            state,
            sub,
            SYSTEM,
            old,
            operation,
            {"Reason": outcome, "TermEnd": term_bounds(sub)[0].isoformat()},
        )


def process_subscriptions(state: PCState, now: datetime) -> datetime | None:
    """The state's processor: advance every subscription that is due; return the next due time."""

    def due(doc: dict[str, Any]) -> bool:
        return bool(doc.get("nextEventAt")) and datetime.fromisoformat(doc["nextEventAt"]) <= now

    for sub in state.store.list("subscriptions", where=due):
        advance(state, sub, now)
    upcoming = [
        datetime.fromisoformat(doc["nextEventAt"])
        for doc in state.store.list("subscriptions", where=lambda d: bool(d.get("nextEventAt")))
    ]
    return min(upcoming, default=None)
