"""Executing a provider operation exactly once in effect, whatever crashes in between.

1. claim   — under a row lock: pending (or in flight with an expired lease) → in flight, with a lease;
2. call    — outside any transaction, with the operation's stable request id;
3. record  — under row locks, only if still in flight: result, ledgers, history, order completed.

A worker killed before 2 leaves the claim to expire; one killed during or after 2 but before 3
leaves the same; the recovery job then runs the operation again and the provider, seeing the same
MS-RequestId, returns its first answer instead of acting twice. Step 3 records at most once.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable
from datetime import timedelta
from enum import StrEnum

from django.conf import settings
from django.db import transaction

from cspbroker.clock import platform_clock
from cspbroker.connections import clients
from cspbroker.domain.clock import Clock
from cspbroker.providers.errors import ProviderRejected, ProviderUnavailable
from cspbroker.providers.ports import PartnerCenterClientPort
from cspbroker.provisioning import actions, recording, transitions
from cspbroker.provisioning.models import OperationState, Order, ProviderOperation

BACKOFF_CAP = timedelta(minutes=30)


class Outcome(StrEnum):
    SUCCEEDED = "succeeded"
    RETRY = "retry"
    FAILED = "failed"
    SKIPPED = "skipped"


def lease() -> timedelta:
    return timedelta(seconds=int(getattr(settings, "CSPB_OPERATION_LEASE_SECONDS", 300)))


def crash_point(name: str) -> None:
    """Test hook for the crash tests: SIGKILL this process at a named point, once per marker file."""
    marker = os.environ.get("CSPB_CRASH_AT")
    if marker and marker.split(":", 1)[0] == name:
        path = marker.split(":", 1)[1]
        if not os.path.exists(path):
            with open(path, "w") as flag:
                flag.write(name)
            os.kill(os.getpid(), signal.SIGKILL)


@transaction.atomic
def _claim(operation_id: int, clock: Clock) -> ProviderOperation | None:
    operation = ProviderOperation.objects.select_for_update().get(pk=operation_id)
    now = clock.now()
    if operation.state in (OperationState.SUCCEEDED, OperationState.FAILED):
        return None
    if operation.state == OperationState.IN_FLIGHT and operation.lease_until and operation.lease_until > now:
        return None  # another worker holds it
    if operation.state == OperationState.PENDING and operation.next_attempt_at > now:
        return None  # not due yet
    order = Order.objects.select_for_update().get(pk=operation.order_id)
    if order.subscription_id is not None and _busy(order.subscription_id, operation.pk, now):
        # One change at a time per subscription, in order of submission: the second sees the first's result.
        transitions.postpone(operation, by=timedelta(seconds=2), now=now)
        return None
    transitions.claim(operation, lease_until=now + lease())
    transitions.start_provisioning(order)
    return operation


def _busy(subscription_id: int, operation_id: int, now: object) -> bool:
    return (
        ProviderOperation.objects.filter(
            order__subscription_id=subscription_id,
            state__in=[OperationState.IN_FLIGHT, OperationState.PENDING],
            pk__lt=operation_id,
        )
        .exclude(state=OperationState.IN_FLIGHT, lease_until__lt=now)
        .exists()
    )


@transaction.atomic
def _release_for_retry(operation_id: int, error: ProviderUnavailable, clock: Clock) -> timedelta:
    operation = ProviderOperation.objects.select_for_update().get(pk=operation_id)
    delay = min(BACKOFF_CAP, timedelta(seconds=2 ** min(operation.attempts, 11)))
    if error.retry_after is not None:
        delay = max(delay, timedelta(seconds=error.retry_after))
    if operation.state == OperationState.IN_FLIGHT:
        transitions.release_for_retry(operation, due=clock.now() + delay, error=str(error))
    return delay


def execute(
    operation_id: int,
    *,
    clock: Clock = platform_clock,
    client_for: Callable[[Order], PartnerCenterClientPort] | None = None,
    on_failure: Callable[[Order], None] | None = None,
) -> tuple[Outcome, timedelta | None]:
    """Run one operation; returns what happened and, for a retry, after how long."""
    operation = _claim(operation_id, clock)
    if operation is None:
        return Outcome.SKIPPED, None
    order = Order.objects.select_related("tenant__connection", "offer__availability", "subscription").get(
        pk=operation.order_id
    )
    crash_point("before_call")
    client = client_for(order) if client_for else clients.partner_center(order.tenant.connection)
    try:
        result = actions.perform(client, order, operation.request_id)
    except ProviderUnavailable as error:
        return Outcome.RETRY, _release_for_retry(operation.pk, error, clock)
    except ProviderRejected as error:
        failed = recording.record_failure(
            operation.pk,
            code=error.code or "rejected",
            message=error.description or str(error),
            now=clock.now(),
        )
        if failed is not None and on_failure is not None:
            on_failure(failed)
        return Outcome.FAILED, None
    finally:
        client.close()
    crash_point("after_call")
    recording.record_success(operation.pk, result, clock)
    return Outcome.SUCCEEDED, None


def due_operations(clock: Clock, limit: int = 500) -> list[int]:
    """Operations to (re)run now: pending and due, or in flight with an expired lease (a crashed worker)."""
    now = clock.now()
    pending = ProviderOperation.objects.filter(state=OperationState.PENDING, next_attempt_at__lte=now)
    abandoned = ProviderOperation.objects.filter(state=OperationState.IN_FLIGHT, lease_until__lt=now)
    return list((pending | abandoned).order_by("pk").values_list("pk", flat=True)[:limit])
