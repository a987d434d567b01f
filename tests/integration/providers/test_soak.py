"""Soak: 1,000 mixed logical operations through the Partner Center client against the sandbox, with
20 % of HTTP attempts failing (429 with Retry-After 0 or 1, 500, 503, dropped connections; seeded).

Every logical operation carries one request id across its retries, and one in ten is sent a second
time with the same id after it succeeded (a worker that crashed before recording the answer). At the
end the sandbox must hold exactly what the model says: no duplicate customer, user, cart, order,
subscription or charge, every quantity, status and licence as intended, nothing lost.
"""

from __future__ import annotations

import json
import random
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from cspbroker.providers.partnercenter import PartnerCenterClient
from cspbroker.providers.partnercenter.models import (
    AuditFilter,
    Subscription,
    SubscriptionChanges,
    SubscriptionStatus,
)
from tests.integration.providers._pc_fixtures import (
    BASIC,
    BASIC_AAD,
    EXCHANGE_PLAN_1,
    EXCHANGE_PLAN_1_AAD,
    STANDARD,
    STANDARD_AAD,
    PcSandbox,
    Wire,
    a_line,
    a_new_customer,
    a_new_user,
    make_client,
    pc_fixtures,
)

sandbox, _wire, _client = pc_fixtures(seed=2026)

OPERATIONS = 1_000
SEED = 20_261_122
RESEND_RATE = 0.1
FAULT_RATE = 0.2
MAX_SEATS = 300  # the smallest SKU maximum of the products bought here
PRODUCTS = {BASIC: BASIC_AAD, STANDARD: STANDARD_AAD, EXCHANGE_PLAN_1: EXCHANGE_PLAN_1_AAD}
# Five failure rules of FAULT_RATE / 5 each. The sandbox tries rules in order, so each
# later rule's rate is conditioned on the earlier ones not firing.
FAULTS: list[dict[str, Any]] = [
    {"kind": "429", "retry_after": 0},
    {"kind": "429", "retry_after": 1},
    {"kind": "500"},
    {"kind": "503", "retry_after": 1},
    {"kind": "drop"},
]
WEIGHTS = {
    "create_customer": 4,
    "create_user": 15,
    "buy": 12,
    "change_quantity": 30,
    "suspend_or_reactivate": 14,
    "assign_or_remove_licence": 25,
}


@dataclass
class Sub:
    aad_sku: str
    quantity: int
    current: Subscription
    suspended: bool = False


@dataclass
class Tenant:
    id: str
    domain: str
    users: dict[str, set[str]] = field(default_factory=dict)  # user id → Entra SKU ids held
    subs: dict[str, Sub] = field(default_factory=dict)
    carts: int = 0

    def seats(self, aad_sku: str) -> tuple[int, int]:
        """(active seats, consumed seats) of one licence, as subscribedskus counts them."""
        active = sum(s.quantity for s in self.subs.values() if s.aad_sku == aad_sku and not s.suspended)
        consumed = sum(aad_sku in held for held in self.users.values())
        return active, consumed


@dataclass
class Model:
    """What the sandbox must hold at the end, built from the operations that succeeded."""

    tenants: list[Tenant] = field(default_factory=list)
    charges: Counter[str] = field(default_factory=Counter)
    done: Counter[str] = field(default_factory=Counter)
    resent: int = 0


class Soak:
    def __init__(self, client: PartnerCenterClient, rng: random.Random) -> None:
        self.client = client
        self.rng = rng
        self.model = Model()

    def request_id(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def twice(self, call: Callable[[], Any], same: Callable[[Any, Any], bool]) -> Any:
        """Run a write; now and then send it again with the same request id: the answer must not change."""
        result = call()
        if self.rng.random() < RESEND_RATE:
            self.model.resent += 1
            assert same(result, call()), "a repeated request id changed the outcome"
        return result

    def run(self, operations: int) -> None:
        names, weights = list(WEIGHTS), list(WEIGHTS.values())
        while sum(self.model.done.values()) < operations:
            name = self.rng.choices(names, weights)[0]
            if getattr(self, name)():
                self.model.done[name] += 1

    def tenant(self, *, with_users: bool = False, with_subs: bool = False) -> Tenant | None:
        candidates = [
            t for t in self.model.tenants if (t.users or not with_users) and (t.subs or not with_subs)
        ]
        return self.rng.choice(candidates) if candidates else None

    # -- the operations; each returns False when it cannot be done in the current state --------

    def create_customer(self) -> bool:
        new, rid = a_new_customer(f"soak{len(self.model.tenants):04d}"), self.request_id()
        customer = self.twice(lambda: self.client.create_customer(new, request_id=rid), lambda a, b: a == b)
        self.model.tenants.append(Tenant(customer.id, customer.domain))
        return True

    def create_user(self) -> bool:
        tenant = self.tenant()
        if tenant is None:
            return False
        new, rid = a_new_user(tenant.domain, f"user{len(tenant.users):03d}"), self.request_id()
        user = self.twice(
            lambda: self.client.create_user(tenant.id, new, request_id=rid), lambda a, b: a == b
        )
        tenant.users[user.id] = set()
        return True

    def buy(self) -> bool:
        tenant = self.tenant()
        if tenant is None:
            return False
        item = self.rng.choice(list(PRODUCTS))
        line = a_line(item, self.rng.randint(1, 10), term=self.rng.choice(["P1M", "P1Y"]))
        cart_rid, checkout_rid = self.request_id(), self.request_id()
        cart = self.twice(
            lambda: self.client.create_cart(tenant.id, [line], request_id=cart_rid), lambda a, b: a.id == b.id
        )
        result = self.twice(
            lambda: self.client.checkout_cart(tenant.id, cart.id, request_id=checkout_rid),
            lambda a, b: a == b,
        )
        (order,) = result.orders
        subscription_id = order.line_items[0].subscription_id
        current = self.client.get_subscription(tenant.id, subscription_id)
        tenant.carts += 1
        tenant.subs[current.id] = Sub(PRODUCTS[item], line.quantity, current)
        self.model.charges["new"] += 1
        return True

    def patch(self, tenant: Tenant, sub: Sub, changes: SubscriptionChanges) -> None:
        rid, current = self.request_id(), sub.current
        sub.current = self.twice(
            lambda: self.client.patch_subscription(
                tenant.id, current.id, changes, current=current, request_id=rid
            ),
            lambda a, b: (a.etag, a.quantity, a.status) == (b.etag, b.quantity, b.status),
        )

    def change_quantity(self) -> bool:
        tenant = self.tenant(with_subs=True)
        active = [s for s in tenant.subs.values() if not s.suspended] if tenant else []
        if tenant is None or not active:
            return False
        sub, delta = self.rng.choice(active), self.rng.randint(1, 3)
        up = self.rng.random() < 0.6 or sub.quantity - delta < 1
        quantity = sub.quantity + delta if up else sub.quantity - delta
        if quantity > MAX_SEATS:
            return False
        self.patch(tenant, sub, SubscriptionChanges(quantity=quantity))
        sub.quantity = quantity
        self.model.charges["addQuantity" if up else "removeQuantity"] += 1
        return True

    def suspend_or_reactivate(self) -> bool:
        tenant = self.tenant(with_subs=True)
        if tenant is None:
            return False
        sub = self.rng.choice(list(tenant.subs.values()))
        status = SubscriptionStatus.ACTIVE if sub.suspended else SubscriptionStatus.SUSPENDED
        self.patch(tenant, sub, SubscriptionChanges(status=status))
        sub.suspended = not sub.suspended
        return True

    def assign_or_remove_licence(self) -> bool:
        tenant = self.tenant(with_users=True, with_subs=True)
        if tenant is None:
            return False
        user_id = self.rng.choice(list(tenant.users))
        aad_sku = self.rng.choice(sorted({s.aad_sku for s in tenant.subs.values()}))
        held, rid = tenant.users[user_id], self.request_id()
        if aad_sku in held:
            changes: dict[str, list[str]] = {"remove": [aad_sku]}
        else:
            active, consumed = tenant.seats(aad_sku)
            if active - consumed < 1:
                return False
            changes = {"assign": [aad_sku]}
        self.twice(
            lambda: self.client.update_user_licenses(tenant.id, user_id, request_id=rid, **changes),
            lambda a, b: a == b,
        )
        held.symmetric_difference_update({aad_sku})
        return True


def install_faults(sandbox: PcSandbox) -> None:
    share, left = FAULT_RATE / len(FAULTS), 1.0
    for rule in FAULTS:
        sandbox.add_fault(**rule, rate=share / left)
        left -= share


def check_final_state(sandbox: PcSandbox, client: PartnerCenterClient, model: Model) -> None:
    expected_customers = {t.id for t in model.tenants}
    listed = [c.id for c in client.list_customers(page_size=100)]
    assert len(listed) == len(set(listed)) == len(expected_customers) + 1  # and Northwind
    assert expected_customers <= set(listed)
    for tenant in model.tenants:
        users = {u.id: u for u in client.list_users(tenant.id, page_size=100)}
        assert set(users) - set(tenant.users) == {next(iter(users))}  # only the admin besides ours
        assert sandbox.count("users", parent=tenant.id) == len(tenant.users) + 1
        assert sandbox.count("carts", parent=tenant.id) == tenant.carts
        assert sandbox.count("orders", parent=tenant.id) == len(tenant.subs)
        subs = {s.id: s for s in client.list_subscriptions(tenant.id)}
        assert {sid: (s.quantity, s.status) for sid, s in subs.items()} == {
            sid: (s.quantity, SubscriptionStatus.SUSPENDED if s.suspended else SubscriptionStatus.ACTIVE)
            for sid, s in tenant.subs.items()
        }
        for user_id, held in tenant.users.items():
            assert {lic.product_sku.id for lic in client.list_user_licenses(tenant.id, user_id)} == held
        for sku in client.list_subscribed_skus(tenant.id):
            assert (sku.active_units, sku.consumed_units) == tenant.seats(sku.product_sku.id)
    charges = Counter(line.charge_type for line in client.list_unbilled_line_items(currency="USD"))
    assert charges == model.charges
    orders = client.list_audit_records(
        start_date=sandbox.today(), filter=AuditFilter("ResourceType", "order")
    )
    assert sum(1 for _ in orders) == sum(len(t.subs) for t in model.tenants)


@pytest.mark.slow
def test_a_thousand_operations_through_twenty_percent_faults_leave_exactly_the_intended_state(
    sandbox: PcSandbox,
) -> None:
    sandbox.settings(checkoutDelayMs=0)
    install_faults(sandbox)
    wire = Wire()
    started = time.monotonic()

    with make_client(sandbox, wire, max_attempts=10) as client:
        soak = Soak(client, random.Random(SEED))
        soak.run(OPERATIONS)
        fired = sum(rule["fired"] for rule in sandbox.faults())
        elapsed_operations = time.monotonic() - started
        during_operations = len(wire.transport.exchanges)
        sandbox.clear_faults()
        check_final_state(sandbox, client, soak.model)

    attempts = [e for e in wire.transport.exchanges[:during_operations] if e.path.startswith("/v1/")]
    faulted = [e for e in attempts if e.status in (429, 500, 503) or e.error]
    throttled_waits = [
        (float(e.retry_after or 0), wait)
        for e, wait in zip(faulted, wire.waits, strict=True)
        if e.status == 429
    ]
    numbers = {
        "operations": sum(soak.model.done.values()),
        "by_kind": dict(soak.model.done),
        "resent_with_the_same_request_id": soak.model.resent,
        "http_attempts": len(attempts),
        "injected_faults_seen": len(faulted),
        "faults_by_kind": dict(Counter(str(e.status or e.error) for e in faulted)),
        "retry_after_headers_of_429": dict(Counter(e.retry_after for e in faulted if e.status == 429)),
        "retries": len(wire.waits),
        "seconds_waited_if_not_stubbed": round(sum(wire.waits), 1),
        "elapsed_seconds": round(elapsed_operations, 1),
        "elapsed_with_checks_seconds": round(time.monotonic() - started, 1),
    }
    print("\nsoak:", json.dumps(numbers, indent=1))
    assert numbers["operations"] == OPERATIONS
    assert len(faulted) == fired == len(wire.waits)  # every fault seen by the client, each retried once
    assert abs(len(faulted) / len(attempts) - FAULT_RATE) < 0.05
    assert all(wait >= retry_after for retry_after, wait in throttled_waits)
    # Single-threaded, so the attempt after a failed one is its retry: same request id, same call.
    retried = [(attempts[i + 1], failed) for i, failed in enumerate(attempts) if failed in faulted]
    assert all((a.request_id, a.method, a.path) == (f.request_id, f.method, f.path) for a, f in retried)
    assert {e.status for e in wire.transport.api() if e not in faulted} <= {200, 201, 204}
