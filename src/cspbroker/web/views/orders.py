"""Order pages (both areas) and approvals (back office): the state of every order, the provider's
failure code and message, "retry" with a corrected quantity, approve / reject with a reason, and the
approval settings per customer and per reseller default (S4).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from cspbroker.accounts.access import may
from cspbroker.clock import platform_clock
from cspbroker.domain.errors import DomainError
from cspbroker.domain.parties import Action
from cspbroker.provisioning import approvals, selectors
from cspbroker.provisioning import services as provisioning
from cspbroker.provisioning.models import OrderKind, OrderState
from cspbroker.web.views.access import staff_required
from cspbroker.web.views.subscriptions import (
    actor_of,
    area_view,
    forbid_if_denied,
    page_context,
    store_customer_ids,
)

QUOTE_LABELS = {
    "unit_price": "Unit price",
    "quantity": "Quantity",
    "total": "Total per billing period",
    "monthly": "Monthly",
    "monthly_before": "Monthly before",
    "monthly_after": "Monthly after",
    "next_bill_charge": "On the next bill",
}


def _order(request: HttpRequest, area: str, order_id: int):  # type: ignore[no-untyped-def]
    actor = actor_of(request)
    order = selectors.order_for(actor, order_id)
    if area == "store" and order.customer_id not in store_customer_ids(actor):
        raise Http404("Not found.")
    return actor, order


@area_view
def order_list(request: HttpRequest, area: str) -> HttpResponse:
    actor = actor_of(request)
    state = request.GET.get("state", "")
    filters = selectors.OrderFilter(state=state if state in OrderState.values else "")
    rows = selectors.orders_for(actor, filters)
    if area == "store":
        rows = rows.filter(customer_id__in=store_customer_ids(actor))
    context = page_context(
        area,
        orders=list(rows[:300]),
        state=filters.state,
        states=OrderState.choices,
        waiting=len(selectors.approvals_for(actor, platform_clock.now())) if area == "backoffice" else 0,
    )
    return render(request, f"{area}/orders/list.html", context)


@area_view
def order_detail(request: HttpRequest, order_id: int, area: str) -> HttpResponse:
    actor, order = _order(request, area, order_id)
    quote = [
        (QUOTE_LABELS[k], v) for k, v in (order.quote or {}).items() if k in QUOTE_LABELS and v is not None
    ]
    context = page_context(
        area,
        order=order,
        quote=quote,
        currency=(order.quote or {}).get("currency", order.customer.currency),
        operations=selectors.operations_of(order) if area == "backoffice" else [],
        may_retry=order.state == OrderState.FAILED and may(actor, Action.CHANGE, order.customer),
        may_decide=area == "backoffice"
        and order.state == OrderState.AWAITING_APPROVAL
        and actor.is_staff
        and may(actor, Action.CHANGE, order.customer),
        own_request=order.requested_by_user_id == actor.user_id,
        warnings=selectors.approval_warnings(order, platform_clock.now()),
        has_quantity=order.kind in (OrderKind.NEW, OrderKind.ADD_ON, OrderKind.CHANGE_QUANTITY),
    )
    return render(request, f"{area}/orders/detail.html", context)


@area_view
@require_POST
def order_retry(request: HttpRequest, order_id: int, area: str) -> HttpResponse:
    actor, order = _order(request, area, order_id)
    text = request.POST.get("quantity", "").strip()
    try:
        quantity = int(text) if text else None
        if quantity is not None and quantity < 1:
            raise ValueError
    except ValueError:
        messages.error(request, "The quantity is a whole number of at least 1.")
        return redirect(f"/{area}/orders/{order.pk}/")
    try:
        provisioning.retry(actor=actor, order_id=order.pk, quantity=quantity)
    except DomainError as refusal:
        forbid_if_denied(refusal)
        messages.error(request, refusal.message)
    else:
        messages.success(request, f"Order {order.pk} is sent to the provider again.")
    return redirect(f"/{area}/orders/{order.pk}/")


@staff_required
def approval_list(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    context = page_context("backoffice", approvals=selectors.approvals_for(actor, platform_clock.now()))
    return render(request, "backoffice/orders/approvals.html", context)


@staff_required
@require_POST
def approval_decide(request: HttpRequest, order_id: int) -> HttpResponse:
    actor = actor_of(request)
    order = selectors.order_for(actor, order_id)
    approve = request.POST.get("decision") == "approve"
    try:
        provisioning.decide(
            actor=actor,
            order_id=order.pk,
            approve=approve,
            reason=request.POST.get("reason", ""),
            clock=platform_clock,
        )
    except DomainError as refusal:
        forbid_if_denied(refusal)
        messages.error(request, refusal.message)
    else:
        messages.success(request, f"Order {order.pk} is {'approved' if approve else 'rejected'}.")
    back = request.POST.get("next", "")
    return redirect(
        back if back.startswith("/backoffice/") and "//" not in back else "/backoffice/approvals/"
    )


@staff_required
def policy_list(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    return render(
        request,
        "backoffice/orders/policies.html",
        page_context("backoffice", policies=selectors.policies_for(actor)),
    )


def _amount(text: str) -> Decimal | None:
    if not text.strip():
        return None
    try:
        return Decimal(text.strip().replace(",", "."))
    except InvalidOperation:
        raise DomainError(
            f"{text!r} is not an amount.", field="amount_above", code="invalid_amount"
        ) from None


@staff_required
def policy_edit(request: HttpRequest, organization_id: int) -> HttpResponse:
    actor = actor_of(request)
    view = selectors.policy_view(actor, organization_id)
    error, status = "", 200
    if request.method == "POST":
        data = request.POST
        try:
            if data.get("inherit"):
                approvals.inherit_policy(actor=actor, organization_id=organization_id)
            else:
                approvals.save_policy(
                    actor=actor,
                    organization_id=organization_id,
                    is_enabled=bool(data.get("is_enabled")),
                    new_subscriptions=bool(data.get("new_subscriptions")),
                    quantity_increases=bool(data.get("quantity_increases")),
                    add_ons=bool(data.get("add_ons")),
                    upgrades=bool(data.get("upgrades")),
                    amount_above=_amount(data.get("amount_above", "")),
                )
        except DomainError as refusal:
            forbid_if_denied(refusal)
            error, status = refusal.message, 400
        else:
            messages.success(request, f"Approval settings of {view.organization.legal_name} saved.")
            return redirect("/backoffice/approvals/settings/")
    context = page_context("backoffice", view=view, error=error)
    return render(request, "backoffice/orders/policy.html", context, status=status)
