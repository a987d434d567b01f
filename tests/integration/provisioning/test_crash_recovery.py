"""A worker killed at any instant finishes the operation exactly once after a restart (issue 5).

Each test runs the executor in a separate worker process, SIGKILLs it at a named point (before the
provider call, during it, after it but before recording), then restarts a worker: the order must
complete with exactly one subscription at the provider and one locally, one ledger row, one event.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import httpx
import pytest
from django.conf import settings

from cspbroker.connections.clients import partner_center_client
from cspbroker.provisioning.models import OperationState, Order, OrderKind, OrderState, ProviderOperation
from cspbroker.subscriptions.models import LedgerEntry, Subscription, SubscriptionEvent
from tests.integration.provisioning.conftest import database_url, run_worker

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

EXECUTE = "from cspbroker.provisioning.executor import execute; print(execute({op})[0])"


def new_order(world, quantity=5) -> ProviderOperation:
    order = Order.objects.create(
        customer=world.tenant.customer,
        tenant=world.tenant,
        kind=OrderKind.NEW,
        state=OrderState.APPROVED,
        offer=world.offer,
        payload={"quantity": quantity},
        requested_by="user:1",
        requested_by_label="admin@adventureworks.example",
        channel="storefront",
    )
    return ProviderOperation.objects.create(order=order)


def provider_subscriptions(world):
    client = partner_center_client(world.connection)
    try:
        return client.list_subscriptions(world.tenant.provider_tenant_id)
    finally:
        client.close()


def assert_exactly_once(world, operation, quantity=5):
    operation.refresh_from_db()
    assert operation.state == OperationState.SUCCEEDED, operation.last_error
    assert Order.objects.get(pk=operation.order_id).state == OrderState.COMPLETED
    remote = provider_subscriptions(world)
    assert len(remote) == 1 and remote[0].quantity == quantity
    local = Subscription.objects.get(tenant=world.tenant)
    assert local.provider_subscription_id == remote[0].id and local.quantity == quantity
    assert LedgerEntry.objects.filter(subscription=local).count() == 1  # the purchase, once
    assert SubscriptionEvent.objects.filter(subscription=local, kind="new").count() == 1


@pytest.mark.parametrize("point", ["before_call", "after_call"])
def test_a_worker_killed_at_a_point_finishes_once_after_restart(world, tmp_path, point):
    operation = new_order(world)
    crashed = run_worker(EXECUTE.format(op=operation.pk), crash_at=point, marker=tmp_path / "crashed")
    assert crashed.returncode == -signal.SIGKILL, crashed.stderr
    operation.refresh_from_db()
    assert operation.state == OperationState.IN_FLIGHT  # the claim outlives the dead worker
    expected_remote = 0 if point == "before_call" else 1
    assert len(provider_subscriptions(world)) == expected_remote
    assert not Subscription.objects.exists()
    time.sleep(1.2)  # the lease (1 s in these workers) expires
    restarted = run_worker(EXECUTE.format(op=operation.pk))
    assert restarted.returncode == 0, restarted.stderr
    assert restarted.stdout.strip().endswith("succeeded")
    assert_exactly_once(world, operation)


def test_a_worker_killed_during_the_call_finishes_once_after_restart(world, tmp_path):
    # The sandbox holds the checkout for 3 s; the worker is killed while waiting for the answer.
    # The sandbox still completes the order: the platform never saw the result.
    operation = new_order(world)
    httpx.post(
        f"{world.sandbox_url}/_sandbox/faults",
        json={"kind": "latency", "path_pattern": "/checkout$", "latency_ms": 3000, "next_n": 1},
    )
    env_code = EXECUTE.format(op=operation.pk)
    worker = subprocess.Popen(
        [sys.executable, "-m", "cspbroker", "shell", "-c", env_code],
        env={
            **os.environ,
            "DATABASE_URL": database_url(),
            "CSPB_VAR_DIR": str(settings.VAR_DIR),
            "CSPB_OPERATION_LEASE_SECONDS": "1",
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 30
    while not ProviderOperation.objects.filter(pk=operation.pk, state=OperationState.IN_FLIGHT).exists():
        assert time.monotonic() < deadline and worker.poll() is None
        time.sleep(0.05)
    time.sleep(1.0)  # inside the 3 s checkout
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=10)
    time.sleep(2.5)  # the sandbox finishes the checkout; the lease expires
    assert len(provider_subscriptions(world)) == 1
    assert not Subscription.objects.exists()
    restarted = run_worker(EXECUTE.format(op=operation.pk))
    assert restarted.returncode == 0, restarted.stderr
    assert_exactly_once(world, operation)


def test_a_quantity_change_killed_after_the_call_is_applied_once(world, tmp_path):
    operation = new_order(world, quantity=5)
    assert run_worker(EXECUTE.format(op=operation.pk)).returncode == 0
    subscription = Subscription.objects.get(tenant=world.tenant)
    change = Order.objects.create(
        customer=world.tenant.customer,
        tenant=world.tenant,
        kind=OrderKind.CHANGE_QUANTITY,
        state=OrderState.APPROVED,
        subscription=subscription,
        payload={"quantity": 8, "old": 5},
        requested_by="user:1",
        requested_by_label="admin@adventureworks.example",
        channel="storefront",
    )
    change_operation = ProviderOperation.objects.create(order=change)
    crashed = run_worker(
        EXECUTE.format(op=change_operation.pk), crash_at="after_call", marker=tmp_path / "c2"
    )
    assert crashed.returncode == -signal.SIGKILL
    time.sleep(1.2)
    assert run_worker(EXECUTE.format(op=change_operation.pk)).returncode == 0
    change_operation.refresh_from_db()
    assert change_operation.state == OperationState.SUCCEEDED
    subscription.refresh_from_db()
    assert subscription.quantity == 8
    assert [r.quantity for r in LedgerEntry.objects.filter(subscription=subscription).order_by("id")] == [
        5,
        8,
    ]
    assert provider_subscriptions(world)[0].quantity == 8
