"""Two changes to one subscription at once are serialised: the second starts from the first's result.

The service locks the subscription row while it checks the rules and writes the order; the executor
runs one provider operation per subscription at a time, in order of submission. Here the provider is
slow to answer the first change, the second arrives meanwhile and waits, and its history says it
went from the first one's quantity.
"""

from __future__ import annotations

import threading
import time

import httpx
import pytest
from django.db import connection

from cspbroker.provisioning import executor
from cspbroker.provisioning import ordering as services
from cspbroker.provisioning.models import OperationState, Order, ProviderOperation
from cspbroker.subscriptions.models import LedgerEntry, SubscriptionEvent
from tests.integration.subscriptions.shop import CUSTOMER, RESELLER, remote_subscriptions

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def change_in_thread(shop, email, quantity, results):
    def run():
        try:
            order = services.change(
                request=shop.request(email, "backoffice"),
                subscription_id=results["subscription_id"],
                kind="change_quantity",
                payload={"quantity": quantity},
            )
            results[quantity] = order.pk
        except Exception as error:
            results[f"error-{quantity}"] = error
        finally:
            connection.close()

    return threading.Thread(target=run)


def test_two_concurrent_changes_are_serialised_and_the_second_sees_the_first(shop):
    sub = shop.buy(5)
    httpx.post(
        f"{shop.world.sandbox_url}/_sandbox/faults",
        json={"kind": "latency", "method": "PATCH", "latency_ms": 1500, "next_n": 1},
    ).raise_for_status()
    results = {"subscription_id": sub.pk}
    first = change_in_thread(shop, RESELLER, 8, results)
    second = change_in_thread(shop, CUSTOMER, 10, results)
    first.start()
    deadline = time.monotonic() + 10
    while not ProviderOperation.objects.filter(state=OperationState.IN_FLIGHT).exists():
        assert time.monotonic() < deadline, results
        time.sleep(0.02)
    second.start()  # the first change is at the provider now
    first.join(20)
    second.join(20)
    assert set(results) == {"subscription_id", 8, 10}, results
    waiting = ProviderOperation.objects.get(order_id=results[10])
    assert waiting.state == OperationState.PENDING and waiting.attempts == 0  # it waited for the first
    time.sleep(2.1)  # the executor's "busy, try again" delay
    assert executor.execute(waiting.pk)[0] is executor.Outcome.SUCCEEDED
    assert Order.objects.get(pk=results[8]).state == Order.objects.get(pk=results[10]).state == "completed"
    sub.refresh_from_db()
    assert sub.quantity == 10 and remote_subscriptions(shop.world)[0].quantity == 10
    assert [q.quantity for q in LedgerEntry.objects.filter(subscription=sub).order_by("id")] == [5, 8, 10]
    events = SubscriptionEvent.objects.filter(subscription=sub, kind="change_quantity").order_by("id")
    assert [(e.old_value, e.new_value["quantity"], e.actor_label) for e in events] == [
        (5, 8, RESELLER),
        (8, 10, CUSTOMER),
    ]


def test_two_concurrent_requests_with_one_idempotency_key_make_one_order(shop):
    from django.test import Client

    from tests.integration.subscriptions.shop import bearer

    headers = {**bearer(CUSTOMER), "HTTP_IDEMPOTENCY_KEY": "same-order"}
    body = {"tenant_id": shop.tenant.pk, "offer_id": shop.offer.pk, "quantity": 3}
    barrier = threading.Barrier(2)
    answers = []

    def post_order():
        try:
            barrier.wait()
            response = Client(**headers).post("/api/v1/orders", data=body, content_type="application/json")
            answers.append((response.status_code, response.json()["id"]))
        finally:
            connection.close()

    threads = [threading.Thread(target=post_order) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(answers) == 2 and answers[0] == answers[1] and answers[0][0] == 201, answers
    assert Order.objects.count() == 1 and len(remote_subscriptions(shop.world)) == 1
