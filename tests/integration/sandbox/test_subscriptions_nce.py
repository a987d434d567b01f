"""New-commerce rules on subscriptions, driven through PATCH and the sandbox clock."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from .conftest import PC, STANDARD


def patch(pc: PC, sub: dict[str, Any], etag: bool = False, **changes: Any) -> Any:
    headers = {"If-Match": sub["attributes"]["etag"]} if etag else {}
    path = f"/customers/{sub['_customer']}/subscriptions/{sub['id']}"
    return pc.patch(
        path, json={**{k: v for k, v in sub.items() if k != "_customer"}, **changes}, headers=headers
    )


def bought(pc: PC, customer: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    return {**pc.buy(customer["id"], **kwargs), "_customer": customer["id"]}


def fresh(pc: PC, sub: dict[str, Any]) -> dict[str, Any]:
    return {**pc.subscription(sub["_customer"], sub["id"]), "_customer": sub["_customer"]}


def test_new_subscription_has_window_lots_and_dates(pc: PC, customer: dict[str, Any]) -> None:
    now = datetime.fromisoformat(pc.admin("GET", "/clock").json()["now"])
    sub = bought(pc, customer, quantity=5)

    window = datetime.fromisoformat(sub["cancellationAllowedUntilDate"].replace("Z", "+00:00"))
    # The purchase happens a moment after `now` was read, and the sandbox writes whole seconds.
    assert timedelta(days=7) - timedelta(seconds=5) < window - now <= timedelta(days=7, seconds=5)
    assert sub["refundableQuantity"]["totalQuantity"] == 5
    assert (
        sub["refundableQuantity"]["details"][0]["allowedUntilDateTime"] == sub["cancellationAllowedUntilDate"]
    )
    start = now.date()
    expected_end = date(start.year + 1, start.month, min(start.day, 28 if start.month == 2 else start.day))
    assert sub["commitmentEndDate"].startswith((expected_end - timedelta(days=1)).isoformat())
    assert sub["attributes"]["objectType"] == "Subscription" and sub["attributes"]["etag"]
    assert sub["autoRenewEnabled"] is True and sub["isTrial"] is False


def test_quantity_increase_adds_its_own_lot_and_decrease_within_window(
    pc: PC, customer: dict[str, Any]
) -> None:
    sub = bought(pc, customer, quantity=5)
    pc.advance("P2D")

    up = patch(pc, sub, quantity=8)
    down = patch(pc, fresh(pc, sub), quantity=4)

    assert up.status_code == 200
    lots = up.json()["refundableQuantity"]
    assert lots["totalQuantity"] == 8 and [d["quantity"] for d in lots["details"]] == [5, 3]
    assert lots["details"][0]["allowedUntilDateTime"] < lots["details"][1]["allowedUntilDateTime"]
    assert down.status_code == 200 and down.json()["quantity"] == 4
    assert down.json()["refundableQuantity"]["totalQuantity"] == 4


def test_decrease_after_the_window_is_800090(pc: PC, customer: dict[str, Any]) -> None:
    sub = bought(pc, customer, quantity=5)
    pc.advance("P8D")

    response = patch(pc, fresh(pc, sub), quantity=4)

    assert response.status_code == 400 and response.json()["code"] == 800090
    assert pc.subscription(customer["id"], sub["id"])["quantity"] == 5


def test_late_seats_have_their_own_window(pc: PC, customer: dict[str, Any]) -> None:
    sub = bought(pc, customer, quantity=5)
    pc.advance("P6D")
    patch(pc, fresh(pc, sub), quantity=7)
    pc.advance("P2D")

    too_many = patch(pc, fresh(pc, sub), quantity=4)
    allowed = patch(pc, fresh(pc, sub), quantity=5)

    assert too_many.json()["code"] == 800090
    assert allowed.status_code == 200 and allowed.json()["refundableQuantity"]["totalQuantity"] == 0


def test_cancel_inside_and_outside_the_window(pc: PC, customer: dict[str, Any]) -> None:
    early = bought(pc, customer, quantity=2)
    late = bought(pc, customer, quantity=2)

    cancelled = patch(pc, early, status="deleted")
    pc.advance("P8D")
    refused = patch(pc, fresh(pc, late), status="deleted")

    assert cancelled.status_code == 200 and cancelled.json()["status"] == "deleted"
    assert refused.status_code == 400
    assert refused.json()["code"] == 900117
    assert refused.json()["description"] == (
        "You have passed your 7-day cancellation window. We are unable to cancel your purchase"
    )
    again = patch(pc, fresh(pc, early), quantity=3)
    assert again.status_code == 400 and again.json()["code"] == 2011


def test_suspended_subscription_cannot_change_quantity(pc: PC, customer: dict[str, Any]) -> None:
    sub = bought(pc, customer, quantity=5)

    both = patch(pc, sub, status="suspended", quantity=6)
    suspended = patch(pc, sub, status="suspended", autoRenewEnabled=False)
    blocked = patch(pc, fresh(pc, sub), quantity=6)
    resumed = patch(pc, fresh(pc, sub), status="active")

    assert both.json()["code"] == 2001
    assert suspended.json()["status"] == "suspended" and suspended.json()["suspensionReasons"]
    assert blocked.status_code == 400 and blocked.json()["code"] == 800091
    assert resumed.json()["status"] == "active"


def test_stale_if_match_is_412_2055(pc: PC, customer: dict[str, Any]) -> None:
    sub = bought(pc, customer, quantity=5)

    first = patch(pc, sub, etag=True, friendlyName="Sales team")
    stale = patch(pc, sub, etag=True, friendlyName="Again")

    assert first.status_code == 200 and first.json()["friendlyName"] == "Sales team"
    assert first.json()["attributes"]["etag"] != sub["attributes"]["etag"]
    assert stale.status_code == 412
    assert stale.json() == {
        "code": 2055,
        "description": "Etag is no longer valid",
        "data": [],
        "source": "PartnerFD",
    }


def test_quantity_outside_sku_range_is_2002_and_billing_cycle_is_2054(
    pc: PC, customer: dict[str, Any]
) -> None:
    sub = bought(pc, customer, quantity=5)

    assert patch(pc, sub, quantity=301).json()["code"] == 2002
    assert patch(pc, sub, billingCycle="annual").json()["code"] == 2054


def test_scheduled_change_is_cleared_by_an_immediate_change(pc: PC, customer: dict[str, Any]) -> None:
    sub = bought(pc, customer, quantity=5)
    instructions = {
        "product": {
            "productId": "CFQ7TTC0LDPB",
            "skuId": "0001",
            "availabilityId": "CFQ7TTC0K5BF",
            "billingCycle": "Monthly",
            "termDuration": "P1Y",
        },
        "quantity": 5,
    }

    scheduled = patch(pc, sub, scheduledNextTermInstructions=instructions)
    bumped = patch(
        pc,
        fresh(pc, sub),
        quantity=6,
        scheduledNextTermInstructions=scheduled.json()["scheduledNextTermInstructions"],
    )

    assert scheduled.json()["scheduledNextTermInstructions"]["product"]["productId"] == "CFQ7TTC0LDPB"
    assert bumped.json()["scheduledNextTermInstructions"] is None


def test_scheduled_change_applies_at_renewal(pc: PC, customer: dict[str, Any]) -> None:
    sub = bought(pc, customer, quantity=5, term="P1M")
    instructions = {
        "product": {
            "productId": "CFQ7TTC0LDPB",
            "skuId": "0001",
            "availabilityId": "CFQ7TTC0K5BF",
            "billingCycle": "monthly",
            "termDuration": "P1Y",
        },
        "quantity": 7,
    }
    patch(pc, sub, scheduledNextTermInstructions=instructions)
    pc.advance("P32D")

    renewed = pc.subscription(customer["id"], sub["id"])

    assert renewed["offerId"] == STANDARD and renewed["quantity"] == 7 and renewed["termDuration"] == "P1Y"
    assert renewed["scheduledNextTermInstructions"] is None


def test_renewal_with_auto_renew_on_starts_a_new_term_and_window(pc: PC, customer: dict[str, Any]) -> None:
    sub = bought(pc, customer, quantity=5, term="P1M")
    pc.advance("P32D")

    renewed = pc.subscription(customer["id"], sub["id"])

    assert renewed["status"] == "active"
    assert renewed["commitmentEndDate"] > sub["commitmentEndDate"]
    assert renewed["cancellationAllowedUntilDate"] > sub["cancellationAllowedUntilDate"]
    assert renewed["refundableQuantity"]["totalQuantity"] == 5
    lines = sorted(pc.lines("current") + pc.lines("previous"), key=lambda line: line["chargeStartDate"])
    charges = [line["chargeType"] for line in lines if line["subscriptionId"] == sub["id"]]
    assert charges == ["new", "renew"]


def test_renewal_with_auto_renew_off_expires(pc: PC, customer: dict[str, Any]) -> None:
    sub = bought(pc, customer, quantity=5, term="P1M")
    patch(pc, sub, autoRenewEnabled=False)
    pc.advance("P32D")

    expired = pc.subscription(customer["id"], sub["id"])

    assert expired["status"] == "expired"
    assert patch(pc, {**expired, "_customer": customer["id"]}, status="active").json()["code"] == 2011


def test_billing_cycle_end_dates_are_anchored_to_month_ends(pc: PC, customer: dict[str, Any]) -> None:
    year = datetime.fromisoformat(pc.admin("GET", "/clock").json()["now"]).year + 2
    year += 1 if year % 4 == 0 else 0  # not a leap year: February has 28 days
    assert pc.admin("POST", "/clock", json={"set": f"{year}-01-31T10:00:00Z"}).status_code == 200
    sub = bought(pc, customer, quantity=1)
    ends = [sub["billingCycleEndDate"][:10]]
    for step in ("P29D", "P30D", "P30D"):  # to Mar 1, Mar 31, Apr 30
        pc.advance(step)
        ends.append(pc.subscription(customer["id"], sub["id"])["billingCycleEndDate"][:10])

    assert ends == [f"{year}-02-27", f"{year}-03-30", f"{year}-04-29", f"{year}-05-30"]
