"""Contract of the Partner Center client against the sandbox, over real HTTP on loopback: idempotency
on MS-RequestId, and every kind of injected fault (429 with Retry-After, 500, 503, latency, dropped
connections, timeouts). The client's `sleep` records waits instead of waiting."""

from __future__ import annotations

import time
import uuid

import httpx
import pytest

from cspbroker.providers.errors import PreconditionFailed, ProviderRejected, ProviderUnavailable
from cspbroker.providers.partnercenter import PartnerCenterClient
from cspbroker.providers.partnercenter.models import AuditFilter, Customer, SubscriptionChanges
from tests.integration.providers._pc_fixtures import (
    BASIC,
    BASIC_AAD,
    Exchange,
    PcSandbox,
    Wire,
    a_line,
    a_new_customer,
    a_new_user,
    buy,
    make_client,
    pc_fixtures,
)

sandbox, wire, client = pc_fixtures()


@pytest.fixture
def customer(client: PartnerCenterClient) -> Customer:
    return client.create_customer(a_new_customer())


def request_id() -> str:
    return str(uuid.uuid4())


def attempts(exchanges: list[Exchange]) -> list[tuple[int | None, str | None]]:
    return [(e.status, e.request_id) for e in exchanges]


# -- idempotency: the same MS-RequestId twice makes one thing ------------------------------------


def test_create_customer_twice_with_one_request_id_creates_one_customer(
    sandbox: PcSandbox, client: PartnerCenterClient, wire: Wire
) -> None:
    new, rid = a_new_customer("onceonly"), request_id()

    first = client.create_customer(new, request_id=rid)
    again = client.create_customer(new, request_id=rid)

    assert again == first  # the stored answer, admin password included
    assert sandbox.count("customers") == 2  # Northwind and this one
    assert attempts(wire.transport.api("POST", "/v1/customers")) == [(201, rid), (201, rid)]
    with pytest.raises(ProviderRejected) as without_the_id:
        client.create_customer(new)
    assert without_the_id.value.code == "800002"  # a fresh id is a new request: the domain is taken


def test_create_cart_twice_with_one_request_id_creates_one_cart(
    sandbox: PcSandbox, client: PartnerCenterClient, customer: Customer
) -> None:
    rid = request_id()

    first = client.create_cart(customer.id, [a_line()], request_id=rid)
    again = client.create_cart(customer.id, [a_line()], request_id=rid)

    assert again.id == first.id
    assert sandbox.count("carts", parent=customer.id) == 1


def test_checkout_twice_with_one_request_id_orders_once(
    sandbox: PcSandbox, client: PartnerCenterClient, customer: Customer
) -> None:
    cart, rid = client.create_cart(customer.id, [a_line(BASIC, 3)]), request_id()

    first = client.checkout_cart(customer.id, cart.id, request_id=rid)
    again = client.checkout_cart(customer.id, cart.id, request_id=rid)

    assert [o.id for o in again.orders] == [o.id for o in first.orders]
    assert sandbox.count("orders", parent=customer.id) == 1
    assert [s.quantity for s in client.list_subscriptions(customer.id)] == [3]
    with pytest.raises(ProviderRejected) as new_id:
        client.checkout_cart(customer.id, cart.id, request_id=request_id())
    assert new_id.value.code == "800065"


def test_patch_twice_with_one_request_id_changes_and_charges_once(
    sandbox: PcSandbox, client: PartnerCenterClient, customer: Customer
) -> None:
    (sub,) = buy(client, customer.id, a_line(BASIC, 5))
    rid, today = request_id(), sandbox.today()

    first = client.patch_subscription(
        customer.id, sub.id, SubscriptionChanges(quantity=8), current=sub, request_id=rid
    )
    # The same request again, with the etag it was first sent with: replayed, not a stale 412.
    again = client.patch_subscription(
        customer.id, sub.id, SubscriptionChanges(quantity=8), current=sub, request_id=rid
    )

    assert (again.quantity, again.etag) == (first.quantity, first.etag)
    lines = [
        line.charge_type
        for line in client.list_unbilled_line_items(currency="USD")
        if line.subscription_id == sub.id
    ]
    assert lines == ["new", "addQuantity"]
    updates = client.list_audit_records(start_date=today, filter=AuditFilter("CustomerId", customer.id))
    assert [r.operation_type for r in updates if r.resource_type == "subscription"] == ["update_subscription"]
    with pytest.raises(PreconditionFailed):
        client.patch_subscription(
            customer.id, sub.id, SubscriptionChanges(quantity=9), current=sub, request_id=request_id()
        )


def test_user_and_licence_writes_are_idempotent_too(
    sandbox: PcSandbox, client: PartnerCenterClient, customer: Customer
) -> None:
    buy(client, customer.id, a_line(BASIC, 2))
    new_user, user_rid, licence_rid = a_new_user(customer.domain, "twice"), request_id(), request_id()

    user = client.create_user(customer.id, new_user, request_id=user_rid)
    assert client.create_user(customer.id, new_user, request_id=user_rid).id == user.id
    client.update_user_licenses(customer.id, user.id, assign=[BASIC_AAD], request_id=licence_rid)
    client.update_user_licenses(customer.id, user.id, assign=[BASIC_AAD], request_id=licence_rid)

    assert sandbox.count("users", parent=customer.id) == 2  # the admin and this user
    (sku,) = client.list_subscribed_skus(customer.id)
    assert (sku.consumed_units, sku.available_units) == (1, 1)


# -- faults -------------------------------------------------------------------------------------


def test_429_waits_at_least_retry_after_then_succeeds_with_the_same_request_id(
    sandbox: PcSandbox, client: PartnerCenterClient, wire: Wire
) -> None:
    sandbox.add_fault(kind="429", path_pattern="^/v1/customers$", method="GET", next_n=1, retry_after=7)

    customers = list(client.list_customers())

    assert len(customers) == 1
    assert wire.waits == [7.0]
    (throttled, served) = wire.transport.api("GET", "/v1/customers")
    assert (throttled.status, served.status) == (429, 200)
    assert throttled.request_id == served.request_id == served.echoed_request_id
    assert throttled.correlation_id != served.correlation_id
    assert sandbox.faults() == []


def test_a_429_asking_for_too_long_a_pause_is_handed_back_to_the_scheduler(
    sandbox: PcSandbox, client: PartnerCenterClient, wire: Wire
) -> None:
    sandbox.add_fault(kind="429", path_pattern="^/v1/customers$", next_n=1, retry_after=600)

    with pytest.raises(ProviderUnavailable) as throttled:
        list(client.list_customers())

    assert (throttled.value.status, throttled.value.retry_after, throttled.value.attempts) == (429, 600.0, 1)
    assert wire.waits == []
    assert "Rate limit is exceeded" in throttled.value.message


@pytest.mark.parametrize("kind", ["500", "503"])
def test_two_server_errors_then_success_keep_one_request_id_and_create_once(
    sandbox: PcSandbox, client: PartnerCenterClient, wire: Wire, kind: str
) -> None:
    sandbox.add_fault(kind=kind, path_pattern="^/v1/customers$", method="POST", next_n=2, retry_after=3)

    created = client.create_customer(a_new_customer())

    posts = wire.transport.api("POST", "/v1/customers")
    assert [e.status for e in posts] == [int(kind), int(kind), 201]
    assert len({e.request_id for e in posts}) == 1 and posts[-1].echoed_request_id == posts[0].request_id
    assert len({e.correlation_id for e in posts}) == 3  # a new correlation id per attempt
    if kind == "503":
        assert wire.waits == [3.0, 3.0]  # the sandbox's 503 carries Retry-After
    else:
        first, second = wire.waits  # exponential backoff with equal jitter: [0.5, 1] then [1, 2]
        assert 0.5 <= first <= 1.0 <= second <= 2.0
    assert sandbox.count("customers") == 2
    assert client.get_customer(created.id).domain == created.domain


def test_server_errors_on_checkout_order_once(
    sandbox: PcSandbox, client: PartnerCenterClient, customer: Customer
) -> None:
    cart = client.create_cart(customer.id, [a_line(BASIC, 2)])
    sandbox.add_fault(kind="503", path_pattern="/checkout$", next_n=2, retry_after=1)

    result = client.checkout_cart(customer.id, cart.id)

    assert len(result.orders) == 1
    assert sandbox.count("orders", parent=customer.id) == 1
    assert sandbox.count("subscriptions", parent=customer.id) == 1


def test_latency_delays_but_does_not_retry(
    sandbox: PcSandbox, client: PartnerCenterClient, customer: Customer, wire: Wire
) -> None:
    sandbox.add_fault(kind="latency", path_pattern="/subscriptions$", method="GET", latency_ms=400)
    started = time.monotonic()

    assert client.list_subscriptions(customer.id) == []

    assert time.monotonic() - started >= 0.4
    assert wire.waits == []
    assert len(wire.transport.api("GET", "/subscriptions")) == 1


def test_a_dropped_connection_is_retried_and_the_cart_created_once(
    sandbox: PcSandbox, client: PartnerCenterClient, customer: Customer, wire: Wire
) -> None:
    sandbox.add_fault(kind="drop", path_pattern="/carts$", method="POST", next_n=1)

    cart = client.create_cart(customer.id, [a_line()])

    dropped, created = wire.transport.api("POST", "/carts")
    assert (dropped.status, dropped.error) == (None, "RemoteProtocolError")
    assert (created.status, created.request_id) == (201, dropped.request_id)
    assert len(wire.waits) == 1
    assert sandbox.count("carts", parent=customer.id) == 1
    assert client.get_cart(customer.id, cart.id).id == cart.id


def test_a_dropped_patch_is_retried_and_charged_once(
    sandbox: PcSandbox, client: PartnerCenterClient, customer: Customer
) -> None:
    (sub,) = buy(client, customer.id, a_line(BASIC, 5))
    sandbox.add_fault(kind="drop", path_pattern="/subscriptions/", method="PATCH", next_n=1)

    patched = client.patch_subscription(customer.id, sub.id, SubscriptionChanges(quantity=7), current=sub)

    assert patched.quantity == 7
    lines = [
        line for line in client.list_unbilled_line_items(currency="USD") if line.subscription_id == sub.id
    ]
    assert [(line.charge_type, line.quantity) for line in lines][1:] == [("addQuantity", 2)]


def test_a_timeout_on_every_attempt_is_provider_unavailable(sandbox: PcSandbox, customer: Customer) -> None:
    wire = Wire()
    sandbox.add_fault(kind="timeout", path_pattern=f"^/v1/customers/{customer.id}$", latency_ms=3000)

    with make_client(sandbox, wire, max_attempts=2, timeout=httpx.Timeout(1.0)) as impatient:
        started = time.monotonic()
        with pytest.raises(ProviderUnavailable) as unavailable:
            impatient.get_customer(customer.id)
        elapsed = time.monotonic() - started

    assert (unavailable.value.attempts, unavailable.value.status) == (2, None)
    assert "timed out (ReadTimeout)" in unavailable.value.message
    assert 2.0 <= elapsed < 5.0  # two 1 s timeouts; the sandbox would hold each for 3 s
    timed_out = wire.transport.api("GET", customer.id)
    assert [(e.status, e.error) for e in timed_out] == [(None, "ReadTimeout"), (None, "ReadTimeout")]
    assert len({e.request_id for e in timed_out}) == 1 and len(wire.waits) == 1


def test_a_timeout_once_then_success(sandbox: PcSandbox, customer: Customer) -> None:
    wire = Wire()
    sandbox.add_fault(
        kind="timeout", path_pattern=f"^/v1/customers/{customer.id}$", latency_ms=3000, next_n=1
    )

    with make_client(sandbox, wire, max_attempts=2, timeout=httpx.Timeout(1.0)) as impatient:
        assert impatient.get_customer(customer.id).id == customer.id

    assert [e.status for e in wire.transport.api("GET", customer.id)] == [None, 200]


def test_a_failing_token_endpoint_is_retried_within_the_call(
    sandbox: PcSandbox, client: PartnerCenterClient, wire: Wire
) -> None:
    sandbox.add_fault(kind="503", path_pattern="oauth2/token", next_n=1, retry_after=2)

    assert len(list(client.list_customers())) == 1

    token = [e.status for e in wire.transport.exchanges if e.path.endswith("/oauth2/token")]
    assert token == [503, 200]
    # One backoff wait: ClientCredentials does not read the token endpoint's Retry-After (see PROVIDERS.md).
    assert len(wire.waits) == 1
