"""A fault run: 60 orders and changes against a Partner Center that answers ~30 % of calls with
429 or 503. The executor retries (same request id) until every operation settles; afterwards the
sandbox and the platform agree: one subscription per new order, equal quantities, nothing twice,
nothing lost.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta

import httpx
import pytest

from cspbroker.domain.clock import local_date
from cspbroker.providers.partnercenter.client import PartnerCenterClient
from cspbroker.provisioning import executor
from cspbroker.provisioning import ordering as services
from cspbroker.provisioning.models import OperationState, Order, OrderState, ProviderOperation
from cspbroker.subscriptions.models import LedgerEntry, Subscription
from tests.integration.subscriptions.shop import CUSTOMER, RESELLER, remote_subscriptions

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

NEW_ORDERS = 40
CHANGES = 20


class SkippingClock:
    """Real time plus a jump forward whenever everything left waits for its retry time."""

    def __init__(self) -> None:
        self.skipped = timedelta(0)

    def now(self) -> datetime:
        from cspbroker.clock import platform_clock

        return platform_clock.now() + self.skipped

    def today(self, tz):
        return local_date(self.now(), tz)


def drive(pc_sandbox, clock: SkippingClock) -> dict[str, int]:
    """Run every due operation until none is left pending or in flight."""

    def client_for(order: Order) -> PartnerCenterClient:
        return PartnerCenterClient(
            tenant_id=pc_sandbox.tenant_id,
            client_id=pc_sandbox.client_id,
            client_secret=pc_sandbox.client_secret,
            base_url=pc_sandbox.url,
            token_url=pc_sandbox.token_url,
            max_attempts=3,
            sleep=lambda seconds: None,  # the test does not wait out the backoff
        )

    outcomes: dict[str, int] = {}
    for _ in range(10_000):
        due = executor.due_operations(clock)
        if not due:
            waiting = ProviderOperation.objects.filter(state=OperationState.PENDING).order_by(
                "next_attempt_at"
            )
            first = waiting.first()
            if first is None:
                return outcomes
            clock.skipped += max(first.next_attempt_at - clock.now(), timedelta(0)) + timedelta(
                milliseconds=1
            )
            continue
        for operation_id in due:
            outcome, _ = executor.execute(operation_id, clock=clock, client_for=client_for)
            outcomes[str(outcome)] = outcomes.get(str(outcome), 0) + 1
    raise AssertionError("the operations did not settle")


def test_sixty_orders_under_thirty_percent_faults_settle_exactly_once(shop, pc_sandbox):
    faults = f"{shop.world.sandbox_url}/_sandbox/faults"
    httpx.post(faults, json={"kind": "503", "rate": 0.2}).raise_for_status()
    httpx.post(faults, json={"kind": "429", "rate": 0.1, "retry_after": 1}).raise_for_status()
    clock = SkippingClock()
    started = time.perf_counter()
    for n in range(NEW_ORDERS):
        services.buy(
            request=shop.request(CUSTOMER if n % 2 else RESELLER, "api"),
            tenant_id=shop.tenant.pk,
            offer_id=shop.offer.pk,
            quantity=n % 7 + 1,
        )
    first_run = drive(pc_sandbox, clock)
    subscriptions = list(Subscription.objects.order_by("pk")[:CHANGES])
    for subscription in subscriptions:
        services.change(
            request=shop.request(RESELLER, "api"),
            subscription_id=subscription.pk,
            kind="change_quantity",
            payload={"quantity": subscription.quantity + 3},
            clock=clock,
        )
    second_run = drive(pc_sandbox, clock)
    seconds = time.perf_counter() - started
    fired = sum(rule["fired"] for rule in httpx.get(faults).json()["items"])

    orders = Order.objects.all()
    assert orders.count() == NEW_ORDERS + CHANGES
    assert set(orders.values_list("state", flat=True)) == {OrderState.COMPLETED}
    remote = {item.id: item for item in remote_subscriptions(shop.world)}
    local = {sub.provider_subscription_id: sub for sub in Subscription.objects.all()}
    assert len(remote) == len(local) == NEW_ORDERS  # one per new order: none duplicated, none lost
    assert remote.keys() == local.keys()
    assert all(remote[key].quantity == sub.quantity for key, sub in local.items())
    assert LedgerEntry.objects.count() == NEW_ORDERS + CHANGES  # every purchase and change recorded once
    attempts = sum(ProviderOperation.objects.values_list("attempts", flat=True))
    print(
        f"\nfault run: {NEW_ORDERS} new orders + {CHANGES} changes = {NEW_ORDERS + CHANGES} operations; "
        f"{fired} injected 429/503 answers; {attempts} executor attempts "
        f"({attempts - NEW_ORDERS - CHANGES} retried); outcomes {first_run} then {second_run}; "
        f"sandbox subscriptions {len(remote)}, local {len(local)}, duplicates 0, lost 0; {seconds:.1f} s"
    )
