"""The state machines of orders and provider operations: one function per transition, nothing else
assigns `state`.

Order:      draft → awaiting approval → approved → provisioning → completed | failed
                  ↘ approved (no approval needed)  ↘ rejected (by staff)
            draft → completed (a billing-only cancellation: no provider call);  failed → approved (retry)
Operation:  pending → in flight → succeeded | failed;  in flight → pending (a retryable failure, or a
            claim whose worker died and whose lease expired)

Each transition checks the state it leaves and raises `InvalidTransition` otherwise, so a retried
message or a second worker cannot move a finished order or operation. The caller holds the row lock.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from cspbroker.domain.errors import DomainError
from cspbroker.provisioning.models import OperationState, Order, OrderState, ProviderOperation


class InvalidTransition(DomainError):
    code = "invalid_order_transition"


def _move_order(order: Order, leaving: tuple[str, ...], to: str, **fields: object) -> Order:
    if order.state not in leaving:
        raise InvalidTransition(
            f"Order {order.pk} is {order.get_state_display().lower()}; "
            f"it cannot become {to.replace('_', ' ')}.",
            field="state",
        )
    order.state = to
    for name, value in fields.items():
        setattr(order, name, value)
    order.save(update_fields=["state", *fields])
    return order


def await_approval(order: Order) -> Order:
    return _move_order(order, (OrderState.DRAFT,), OrderState.AWAITING_APPROVAL, payload=order.payload)


def approve_at_once(order: Order) -> Order:
    """No approval needed: straight on to the provider."""
    return _move_order(order, (OrderState.DRAFT,), OrderState.APPROVED, payload=order.payload)


def decide(order: Order, *, approve: bool, by: str, at: datetime, reason: str) -> Order:
    return _move_order(
        order,
        (OrderState.AWAITING_APPROVAL,),
        OrderState.APPROVED if approve else OrderState.REJECTED,
        decided_by_label=by,
        decided_at=at,
        decision_reason=reason,
    )


def retry(order: Order) -> Order:
    """A failed order goes out again (possibly corrected: its payload is saved with it)."""
    return _move_order(
        order,
        (OrderState.FAILED,),
        OrderState.APPROVED,
        payload=order.payload,
        failure_code="",
        failure_message="",
    )


def start_provisioning(order: Order) -> Order:
    if order.state == OrderState.PROVISIONING:
        return order  # a second attempt of the same operation
    return _move_order(order, (OrderState.APPROVED,), OrderState.PROVISIONING)


def complete(order: Order, *, at: datetime) -> Order:
    """Done: the provider's answer is recorded (a new subscription is the order's from now on)."""
    leaving = (OrderState.DRAFT, OrderState.APPROVED, OrderState.PROVISIONING)
    return _move_order(
        order,
        leaving,
        OrderState.COMPLETED,
        completed_at=at,
        payload=order.payload,
        subscription=order.subscription,
    )


def fail(order: Order, *, code: str, message: str) -> Order:
    leaving = (OrderState.APPROVED, OrderState.PROVISIONING)
    return _move_order(
        order, leaving, OrderState.FAILED, failure_code=code[:40], failure_message=message[:1000]
    )


def _move_operation(
    operation: ProviderOperation, leaving: tuple[str, ...], to: str, **fields: object
) -> ProviderOperation:
    if operation.state not in leaving:
        raise InvalidTransition(f"Operation {operation.pk} is {operation.state}, not {' or '.join(leaving)}.")
    operation.state = to
    for name, value in fields.items():
        setattr(operation, name, value)
    operation.save(update_fields=["state", *fields])
    return operation


def claim(operation: ProviderOperation, *, lease_until: datetime) -> ProviderOperation:
    """Pending (or in flight with an expired lease: its worker died) → in flight, for one attempt."""
    leaving = (OperationState.PENDING, OperationState.IN_FLIGHT)
    return _move_operation(
        operation, leaving, OperationState.IN_FLIGHT, attempts=operation.attempts + 1, lease_until=lease_until
    )


def release_for_retry(operation: ProviderOperation, *, due: datetime, error: str) -> ProviderOperation:
    return _move_operation(
        operation,
        (OperationState.IN_FLIGHT,),
        OperationState.PENDING,
        lease_until=None,
        next_attempt_at=due,
        last_error=error[:1000],
    )


def postpone(operation: ProviderOperation, *, by: timedelta, now: datetime) -> ProviderOperation:
    """Not claimed now (another change of the subscription goes first): try again shortly."""
    operation.next_attempt_at = now + by
    operation.save(update_fields=["next_attempt_at"])
    return operation


def succeed(operation: ProviderOperation, *, at: datetime, result: dict[str, Any]) -> ProviderOperation:
    return _move_operation(
        operation,
        (OperationState.IN_FLIGHT,),
        OperationState.SUCCEEDED,
        finished_at=at,
        lease_until=None,
        result=result,
    )


def fail_operation(operation: ProviderOperation, *, at: datetime, error: str) -> ProviderOperation:
    return _move_operation(
        operation,
        (OperationState.IN_FLIGHT,),
        OperationState.FAILED,
        finished_at=at,
        lease_until=None,
        last_error=error[:1000],
    )
