"""Carts, checkout, orders, add-ons, idempotency by MS-RequestId."""

from __future__ import annotations

import threading
import uuid
from typing import Any

from .conftest import BASIC_MONTHLY, PC, TEAMS_PHONE, fixture


def cart(pc: PC, customer_id: str, *lines: dict[str, Any]) -> dict[str, Any]:
    response = pc.post(f"/customers/{customer_id}/carts", json={"lineItems": list(lines)})
    assert response.status_code == 201, response.text
    return dict(response.json())


def checkout(pc: PC, customer_id: str, cart_id: str, **kwargs: Any) -> Any:
    return pc.post(f"/customers/{customer_id}/carts/{cart_id}/checkout", **kwargs)


def test_cart_checkout_creates_an_order_and_a_subscription(pc: PC, customer: dict[str, Any]) -> None:
    created = cart(pc, customer["id"], fixture("cart_line_item.json"))
    assert created["status"] == "Active"
    assert created["lineItems"][0]["catalogItemId"] == BASIC_MONTHLY
    assert "error" not in created["lineItems"][0]
    assert pc.get(f"/customers/{customer['id']}/carts/{created['id']}").json()["id"] == created["id"]

    result = checkout(pc, customer["id"], created["id"])

    assert result.status_code == 201
    body = result.json()
    assert body["orderErrors"] == []
    order = body["orders"][0]
    assert order["status"] == "completed" and order["billingCycle"] == "monthly"
    line = order["lineItems"][0]
    assert (line["offerId"], line["quantity"], line["termDuration"]) == (BASIC_MONTHLY, 5, "P1Y")
    subscription = pc.subscription(customer["id"], line["subscriptionId"])
    assert (subscription["status"], subscription["quantity"], subscription["orderId"]) == (
        "active",
        5,
        order["id"],
    )
    by_order = pc.get(f"/customers/{customer['id']}/subscriptions", params={"order_id": order["id"]}).json()
    assert [s["id"] for s in by_order["items"]] == [subscription["id"]]
    assert pc.get(f"/customers/{customer['id']}/carts/{created['id']}").json()["status"] == "Ordered"


def test_orders_list_get_price_and_provisioning_status(pc: PC, customer: dict[str, Any]) -> None:
    subscription = pc.buy(customer["id"], quantity=3)
    order_id = subscription["orderId"]

    listed = pc.get(f"/customers/{customer['id']}/orders").json()
    priced = pc.get(f"/customers/{customer['id']}/orders/{order_id}", params={"include_price": "true"}).json()
    status = pc.get(f"/customers/{customer['id']}/orders/{order_id}/provisioningstatus").json()

    assert [o["id"] for o in listed["items"]] == [order_id]
    assert priced["lineItems"][0]["pricing"]["listPrice"] == 6
    assert priced["lineItems"][0]["pricing"]["currency"] == "USD"
    assert priced["totalPrice"] == 18
    assert "pricing" not in pc.get(f"/customers/{customer['id']}/orders/{order_id}").json()["lineItems"][0]
    assert status["items"][0]["status"] == "Fulfilled"
    assert pc.get(f"/customers/{customer['id']}/orders/nope").json()["code"] == 20000


def test_re_checkout_is_800065(pc: PC, customer: dict[str, Any]) -> None:
    created = cart(pc, customer["id"], fixture("cart_line_item.json"))
    checkout(pc, customer["id"], created["id"])

    again = checkout(pc, customer["id"], created["id"])

    assert again.status_code == 400 and again.json()["code"] == 800065


def test_concurrent_checkout_of_one_cart_is_409_800064(pc: PC, customer: dict[str, Any]) -> None:
    pc.admin("POST", "/settings", json={"checkoutDelayMs": 600})
    created = cart(pc, customer["id"], fixture("cart_line_item.json"))
    results: list[Any] = []

    def run() -> None:
        results.append(checkout(pc, customer["id"], created["id"]))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    codes = sorted(r.status_code for r in results)
    assert codes == [201, 409]
    assert next(r for r in results if r.status_code == 409).json()["code"] == 800064
    assert len(pc.get(f"/customers/{customer['id']}/subscriptions").json()["items"]) == 1


def test_line_item_errors(pc: PC, customer: dict[str, Any]) -> None:
    created = cart(
        pc,
        customer["id"],
        {
            "catalogItemId": "CFQ7TTC0ZZZZ:0001:CFQ7TTC0ZZZZ",
            "quantity": 1,
            "billingCycle": "monthly",
            "termDuration": "P1Y",
        },
        {"catalogItemId": BASIC_MONTHLY, "quantity": 301, "billingCycle": "monthly", "termDuration": "P1Y"},
        {"catalogItemId": TEAMS_PHONE, "quantity": 1, "billingCycle": "monthly", "termDuration": "P1Y"},
        {"catalogItemId": BASIC_MONTHLY, "quantity": 1, "billingCycle": "annual", "termDuration": "P1M"},
        {"catalogItemId": BASIC_MONTHLY, "quantity": 2, "billingCycle": "monthly", "termDuration": "P1M"},
    )
    codes = [line.get("error", {}).get("errorCode") for line in created["lineItems"]]

    result = checkout(pc, customer["id"], created["id"]).json()

    assert codes == [10001, 800017, 10007, 10010, None]
    assert [e["code"] for e in result["orderErrors"]] == [10001, 800017, 10007, 10010]
    assert len(result["orders"]) == 1 and result["orders"][0]["lineItems"][0]["quantity"] == 2


def test_checkout_with_only_bad_lines_is_800009(pc: PC, customer: dict[str, Any]) -> None:
    created = cart(pc, customer["id"], {"catalogItemId": "nope", "quantity": 1, "billingCycle": "monthly"})

    response = checkout(pc, customer["id"], created["id"])

    assert response.status_code == 400 and response.json()["code"] == 800009


def test_add_ons_to_an_existing_subscription_and_in_the_same_cart(pc: PC, customer: dict[str, Any]) -> None:
    base = pc.buy(customer["id"], quantity=5)
    addon = pc.buy(
        customer["id"], TEAMS_PHONE, quantity=2, provisioningContext={"ParentSubscriptionId": base["id"]}
    )
    bundled = cart(
        pc,
        customer["id"],
        {
            "catalogItemId": BASIC_MONTHLY,
            "quantity": 3,
            "billingCycle": "monthly",
            "termDuration": "P1Y",
            "addonItems": [
                {
                    "catalogItemId": TEAMS_PHONE,
                    "quantity": 3,
                    "billingCycle": "monthly",
                    "termDuration": "P1Y",
                }
            ],
        },
    )
    order = checkout(pc, customer["id"], bundled["id"]).json()["orders"][0]

    assert addon["parentSubscriptionId"] == base["id"]
    addons = pc.get(f"/customers/{customer['id']}/subscriptions/{base['id']}/addons").json()["items"]
    assert [a["id"] for a in addons] == [addon["id"]]
    base_line, addon_line = order["lineItems"]
    assert addon_line["parentSubscriptionId"] == base_line["subscriptionId"]


def test_same_request_id_creates_one_customer_and_one_order(pc: PC) -> None:
    body = fixture("create_customer_request.json")
    body["companyProfile"]["domain"] = "idempotent1.onmicrosoft.com"
    request_id = str(uuid.uuid4())

    first = pc.post("/customers", json=body, headers={"MS-RequestId": request_id})
    second = pc.post("/customers", json=body, headers={"MS-RequestId": request_id})

    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert second.headers["MS-RequestId"] == request_id
    domains = [c["companyProfile"]["domain"] for c in pc.get("/customers").json()["items"]]
    assert domains.count("idempotent1.onmicrosoft.com") == 1

    customer_id = first.json()["id"]
    created = cart(pc, customer_id, fixture("cart_line_item.json"))
    checkout_id = str(uuid.uuid4())
    one = checkout(pc, customer_id, created["id"], headers={"MS-RequestId": checkout_id})
    two = checkout(pc, customer_id, created["id"], headers={"MS-RequestId": checkout_id})
    assert one.status_code == two.status_code == 201
    assert one.json()["orders"][0]["id"] == two.json()["orders"][0]["id"]
    assert len(pc.get(f"/customers/{customer_id}/orders").json()["items"]) == 1
    fresh = checkout(pc, customer_id, created["id"], headers={"MS-RequestId": str(uuid.uuid4())})
    assert fresh.json()["code"] == 800065
