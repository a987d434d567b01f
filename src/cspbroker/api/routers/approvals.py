"""Approvals (S4): the orders waiting for staff, with the warnings to read first, and the decision.

Only staff of the customer's reseller (or the operator) decide; nobody decides on their own request
(403 `own_request`); a rejection needs a reason, which the customer reads. Both sides get an email.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from cspbroker.api.auth import actor
from cspbroker.api.idempotency import idempotent
from cspbroker.api.schemas import OrderOut, order_out
from cspbroker.clock import platform_clock
from cspbroker.provisioning import selectors
from cspbroker.provisioning import services as provisioning

router = Router(tags=["approvals"])


class ApprovalOut(Schema):
    order: OrderOut
    warnings: list[str]
    own_request: bool


class DecisionIn(Schema):
    reason: str = ""


@router.get("", response=list[ApprovalOut], summary="Orders waiting for your approval (staff)")
def list_approvals(request: HttpRequest) -> list[dict[str, Any]]:
    approvals = selectors.approvals_for(actor(request), platform_clock.now())
    return [
        {"order": order_out(item.order), "warnings": item.warnings, "own_request": item.own_request}
        for item in approvals
    ]


def _decide(request: HttpRequest, order_id: int, approve: bool, reason: str) -> dict[str, Any]:
    who = actor(request)
    order = selectors.order_for(who, order_id)  # 404 for an order you cannot see
    decided = provisioning.decide(
        actor=who, order_id=order.pk, approve=approve, reason=reason, clock=platform_clock
    )
    return order_out(decided)


@router.post("/{order_id}/approve", response=OrderOut, summary="Approve: the order goes to the provider")
@idempotent(OrderOut)
def approve(request: HttpRequest, order_id: int, body: DecisionIn) -> Any:
    return _decide(request, order_id, True, body.reason)


@router.post("/{order_id}/reject", response=OrderOut, summary="Reject with a reason the customer reads")
@idempotent(OrderOut)
def reject(request: HttpRequest, order_id: int, body: DecisionIn) -> Any:
    return _decide(request, order_id, False, body.reason)
