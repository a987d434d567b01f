"""Carts, checkout, orders and provisioning status."""

from __future__ import annotations

from decimal import Decimal

import pytest

from cspbroker.providers.errors import ProviderRejected
from cspbroker.providers.partnercenter.models import (
    BillingCycle,
    CartAddOn,
    CartLineItemRequest,
    OrderStatus,
    ProvisioningState,
)

from .support import FakeProvider, collection, fixture, fixture_bytes, floats_in, make_client, respond

CID = "0c39d6d5-c70d-4c55-bc02-f620844f3fd1"


def cart_json(lines: list[dict[str, object]]) -> dict[str, object]:
    return {
        "id": "cart-1",
        "status": "Active",
        "creationTimeStamp": "2024-05-01T08:00:00Z",
        "lineItems": lines,
    }


def test_cart_line_is_built_exactly_like_the_reference() -> None:
    line = CartLineItemRequest(
        catalog_item_id="CFQ7TTC0LH18:0001:CFQ7TTC0K59S",
        quantity=5,
        billing_cycle="monthly",
        term_duration="P1Y",
        friendly_name="opt",
        currency_code="USD",
        promotion_id="opt",
        parent_subscription_id="<for add-on to existing sub>",
        addon_items=(CartAddOn(catalog_item_id="...", quantity=2, billing_cycle="monthly"),),
        transaction_reseller_id="<indirect reseller MPN id>",
        renews_to_term_duration="P1M",
        attestation_accepted=True,
    )
    expected = fixture("cart_line_item.json")
    fake = FakeProvider(respond(201, cart_json([expected])))

    cart = make_client(fake).create_cart(CID, [line], request_id="cart-op")

    assert (fake.requests[0].method, fake.requests[0].url.path) == ("POST", f"/v1/customers/{CID}/carts")
    assert fake.requests[0].headers["MS-RequestId"] == "cart-op"
    assert fake.body() == {"lineItems": [expected]}
    assert cart.id == "cart-1"
    assert cart.line_items[0].billing_cycle is BillingCycle.MONTHLY


def test_line_ids_run_on_across_lines_and_add_ons() -> None:
    lines = [
        CartLineItemRequest(
            "A:0001:X", 1, "monthly", "P1M", addon_items=(CartAddOn("B:0001:Y", 1, "monthly", "P1M"),)
        ),
        CartLineItemRequest("DG7GMGF0DWTL:0001:DG7GMGF0DSFM", 1, "one_time"),
    ]
    fake = FakeProvider(respond(201, cart_json([])))

    make_client(fake).create_cart(CID, lines)

    body = fake.body()
    assert [
        body["lineItems"][0]["id"],
        body["lineItems"][0]["addonItems"][0]["id"],
        body["lineItems"][1]["id"],
    ] == [0, 1, 2]
    assert body["lineItems"][1] == {
        "id": 2,
        "catalogItemId": "DG7GMGF0DWTL:0001:DG7GMGF0DSFM",
        "quantity": 1,
        "billingCycle": "one_time",
    }


def test_cart_line_errors_are_read() -> None:
    line = {
        "id": 0,
        "catalogItemId": "BAD",
        "quantity": 1,
        "billingCycle": "monthly",
        "error": {"errorCode": 10001, "errorDescription": "CatalogItemIdIsNotValid"},
    }
    fake = FakeProvider(respond(201, cart_json([line])))

    cart = make_client(fake).create_cart(CID, [CartLineItemRequest("BAD", 1, "monthly")])

    assert cart.line_items[0].error is not None
    assert cart.line_items[0].error.code == "10001"


def test_checkout_returns_orders_and_order_errors() -> None:
    fake = FakeProvider(respond(201, fixture_bytes("checkout_result.json")))

    result = make_client(fake).checkout_cart(CID, "cart-1", request_id="checkout-op")

    assert (fake.requests[0].method, fake.requests[0].url.path) == (
        "POST",
        f"/v1/customers/{CID}/carts/cart-1/checkout",
    )
    assert fake.requests[0].headers["MS-RequestId"] == "checkout-op"
    assert result.orders[0].status is OrderStatus.PENDING
    assert result.orders[0].line_items[0].subscription_id == "a4c1340d-6911-4758-bba3-0c4c6007d161"
    assert (result.order_errors[0].code, result.order_errors[0].order_group_id) == ("800017", "1")


def test_recheckout_is_rejected_with_800065() -> None:
    fake = FakeProvider(
        respond(400, {"code": 800065, "description": "Cannot check out an already submitted cart"})
    )

    with pytest.raises(ProviderRejected) as caught:
        make_client(fake).checkout_cart(CID, "cart-1")

    assert caught.value.code == "800065"
    assert len(fake.requests) == 1


def test_order_prices_are_decimal() -> None:
    fake = FakeProvider(respond(200, fixture_bytes("order.json")))

    order = make_client(fake).get_order(CID, "d5b8a9f0c1e2", include_price=True)

    assert str(fake.requests[0].url).endswith(f"/v1/customers/{CID}/orders/d5b8a9f0c1e2?include_price=true")
    assert order.status is OrderStatus.COMPLETED
    assert order.total_price == Decimal("64.80")
    pricing = order.line_items[0].pricing
    assert pricing is not None
    assert (pricing.list_price, pricing.extended_price) == (Decimal("6.00"), Decimal("64.80"))
    assert type(pricing.price) is Decimal
    assert floats_in(order) == []


def test_unknown_order_status_is_kept_raw() -> None:
    order_bytes = fixture_bytes("order.json").replace(
        b'"status": "completed"', b'"status": "partiallyFulfilled"'
    )
    fake = FakeProvider(respond(200, b'{"totalCount": 1, "items": [' + order_bytes + b"]}"))

    (order,) = make_client(fake).list_orders(CID)

    assert (order.status, order.status_raw) == (OrderStatus.UNKNOWN, "partiallyFulfilled")


def test_provisioning_status_per_line() -> None:
    body = collection(
        [
            {
                "lineItemNumber": 0,
                "status": "PrefulfillmentPending",
                "quantityProvisioningInformation": [{"quantity": 12, "status": "Pending"}],
            }
        ]
    )
    fake = FakeProvider(respond(200, body))

    (line,) = make_client(fake).get_order_provisioning_status(CID, "o1")

    assert fake.requests[0].url.path == f"/v1/customers/{CID}/orders/o1/provisioningstatus"
    assert line.status is ProvisioningState.PREFULFILLMENT_PENDING
    assert line.quantities == ((12, "Pending"),)


def test_software_lines_are_cancelled_by_patching_the_order() -> None:
    fake = FakeProvider(respond(200, fixture_bytes("order.json").replace(b'"completed"', b'"cancelled"')))

    order = make_client(fake).cancel_order_line_items(CID, "o1", [0])

    assert (fake.requests[0].method, fake.requests[0].url.path) == ("PATCH", f"/v1/customers/{CID}/orders/o1")
    assert fake.body() == {"status": "cancelled", "lineItems": [{"lineItemNumber": 0}]}
    assert order.status is OrderStatus.CANCELLED
