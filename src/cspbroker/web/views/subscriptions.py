"""Subscription pages, in the back office (with cost and margin) and the storefront (sale price only).

The same views serve both areas (the URL passes `area`): the list with filters, sorting and CSV
(S5), a subscription with its windows, allowed actions, history and prices (S2, S3, X3, C4), each
change on its own page with the preview of its effect before confirming (X6), and add-ons. Views
translate: the rules live in the services and the domain.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied as Forbidden
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from cspbroker.accounts.access import Actor, may
from cspbroker.accounts.services import PermissionDenied
from cspbroker.catalog.selectors import storefront_customers
from cspbroker.clock import platform_clock
from cspbroker.domain.errors import DomainError
from cspbroker.domain.parties import Action
from cspbroker.provisioning import ordering
from cspbroker.provisioning.models import Order, OrderState
from cspbroker.provisioning.selectors import in_progress_for, orders_of_subscription
from cspbroker.subscriptions import export, selectors, services
from cspbroker.subscriptions.models import Subscription, SubscriptionStatus
from cspbroker.web.context import current_actor
from cspbroker.web.views.access import customer_required, staff_required

AREAS = {"backoffice": "backoffice/base.html", "store": "store/base.html"}
CHANNELS = {"backoffice": "backoffice", "store": "storefront"}
# The change pages: kind of order, title, what the button says.
CHANGES: dict[str, tuple[str, str, str]] = {
    "quantity": ("change_quantity", "Change the quantity", "Update quantity"),
    "suspend": ("suspend", "Suspend the subscription", "Suspend"),
    "reactivate": ("reactivate", "Reactivate the subscription", "Reactivate"),
    "cancel": ("cancel", "Cancel the subscription", "Cancel the subscription"),
    "billing-only-cancel": ("billing_only_cancel", "Cancel the billing only", "Cancel the billing"),
    "auto-renew": ("auto_renew", "Auto-renew", "Save"),
    "friendly-name": ("friendly_name", "Rename the subscription", "Rename"),
}
# Which button of the subscription page decides whether each change page may be used.
ACTION_OF = {
    "quantity": ("add_quantity", "remove_quantity"),
    "suspend": ("suspend",),
    "reactivate": ("reactivate",),
    "cancel": ("cancel",),
    "billing-only-cancel": ("billing_only_cancel",),
    "auto-renew": ("auto_renew",),
    "friendly-name": ("friendly_name",),
}


def area_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Admit staff to the back-office variant and customers to the storefront one."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, area: str, **kwargs: Any) -> HttpResponse:
        guard = staff_required if area == "backoffice" else customer_required

        def run(req: HttpRequest, *a: Any, **k: Any) -> HttpResponse:
            return view(req, *a, area=area, **k)

        return guard(run)(request, *args, **kwargs)

    return wrapper


def actor_of(request: HttpRequest) -> Actor:
    actor = current_actor(request)
    assert actor is not None
    return actor


def forbid_if_denied(refusal: DomainError) -> None:
    """A refusal for lack of rights is a 403 page; any other refusal is shown next to the form."""
    if isinstance(refusal, PermissionDenied) or refusal.code == "permission_denied":
        raise Forbidden(refusal.message)


def page_context(area: str, **extra: Any) -> dict[str, Any]:
    return {"area": area, "base_template": AREAS[area], "base_path": f"/{area}", **extra}


def store_customer_ids(actor: Actor) -> list[int]:
    return list(storefront_customers(actor).values_list("pk", flat=True))


def subscription_in_area(actor: Actor, area: str, subscription_id: int) -> Subscription:
    """A subscription of the area: the storefront shows the person's own customers only."""
    subscription = selectors.subscription_for(actor, subscription_id)
    if area == "store" and subscription.tenant.customer_id not in store_customer_ids(actor):
        raise Http404("Not found.")
    return subscription


def show_cost_for(actor: Actor, area: str, subscription: Subscription | None = None) -> bool:
    if area != "backoffice":
        return False
    return (
        actor.is_staff if subscription is None else may(actor, Action.VIEW_COST, subscription.tenant.customer)
    )


def _filters(request: HttpRequest, actor: Actor, area: str) -> selectors.SubscriptionFilter:
    params = request.GET
    customer = params.get("customer", "")
    closing = params.get("closing", "")
    sort = params.get("sort", "product")
    return selectors.SubscriptionFilter(
        customer_id=int(customer) if customer.isdigit() else None,
        status=params.get("status", "") if params.get("status", "") in SubscriptionStatus.values else "",
        search=params.get("q", "").strip()[:100],
        closing_within_hours=24 if closing == "24h" else None,
        sort=sort.lstrip("-") if sort.lstrip("-") in selectors.SORTS else "product",
        descending=sort.startswith("-"),
    )


def _rows(request: HttpRequest, actor: Actor, area: str, limit: int | None = 200) -> tuple[list[Any], Any]:
    filters = _filters(request, actor, area)
    now = platform_clock.now()
    queryset = selectors.subscriptions_for(actor, filters, now)
    if area == "store":
        queryset = queryset.filter(tenant__customer_id__in=store_customer_ids(actor))
    page = queryset[:limit] if limit else queryset
    rows = selectors.rows_for(
        page, now=now, show_cost=show_cost_for(actor, area), closing_within_hours=filters.closing_within_hours
    )
    return rows, filters


@area_view
def subscription_list(request: HttpRequest, area: str) -> HttpResponse:
    actor = actor_of(request)
    rows, filters = _rows(request, actor, area)
    context = page_context(
        area,
        rows=rows,
        filters=filters,
        sort=request.GET.get("sort", "product"),
        statuses=SubscriptionStatus.choices,
        show_cost=show_cost_for(actor, area),
        query=request.GET.urlencode(),
    )
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "backoffice/subscriptions/_rows.html", context)
    return render(request, f"{area}/subscriptions/list.html", context)


@area_view
def subscription_export(request: HttpRequest, area: str) -> HttpResponse:
    actor = actor_of(request)
    rows, _ = _rows(request, actor, area, limit=None)
    body = export.subscriptions_csv(rows, show_cost=show_cost_for(actor, area))
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="subscriptions.csv"'
    return response


@area_view
def subscription_detail(request: HttpRequest, subscription_id: int, area: str) -> HttpResponse:
    actor = actor_of(request)
    subscription = subscription_in_area(actor, area, subscription_id)
    detail = selectors.detail_for(actor, subscription.pk, platform_clock.now())
    detail.orders = orders_of_subscription(actor, detail.subscription)
    context = page_context(
        area,
        detail=detail,
        subscription=detail.subscription,
        actions=detail.action_map,
        in_progress=in_progress_for(subscription),
        show_cost=show_cost_for(actor, area, subscription),
        today=platform_clock.today(subscription.tenant.customer.billing_time_zone),
    )
    return render(request, f"{area}/subscriptions/detail.html", context)


def _change_allowed(detail: selectors.SubscriptionDetail, change: str) -> tuple[bool, str]:
    actions = [detail.action_map[key] for key in ACTION_OF[change]]
    if any(action.allowed for action in actions):
        return True, ""
    return False, " ".join(dict.fromkeys(action.reason for action in actions))


def _payload(change: str, data: Any, subscription: Subscription) -> dict[str, Any]:
    if change == "quantity":
        text = str(data.get("quantity", "")).strip()
        return {"quantity": int(text) if text.lstrip("-").isdigit() else text}
    if change == "auto-renew":
        return {"auto_renew": not subscription.auto_renew}
    if change == "friendly-name":
        return {"friendly_name": str(data.get("friendly_name", ""))}
    return {}


@area_view
def subscription_change(request: HttpRequest, subscription_id: int, change: str, area: str) -> HttpResponse:
    """One change: what it will do (and cost) first; POST confirms it."""
    if change not in CHANGES:
        raise Http404("Not found.")
    actor = actor_of(request)
    subscription = subscription_in_area(actor, area, subscription_id)
    kind, title, button = CHANGES[change]
    detail = selectors.detail_for(actor, subscription.pk, platform_clock.now())
    detail.orders = orders_of_subscription(actor, detail.subscription)
    allowed, reason = _change_allowed(detail, change)
    error, status = "", 200
    if request.method == "POST":
        try:
            order = ordering.change(
                request=ordering.Request(actor=actor, channel=CHANNELS[area]),
                subscription_id=subscription.pk,
                kind=kind,
                payload=_payload(change, request.POST, subscription),
            )
        except DomainError as refusal:
            forbid_if_denied(refusal)
            error, status = refusal.message, 400
        else:
            messages.success(request, order_message(order))
            return redirect(f"/{area}/subscriptions/{subscription.pk}/")
    context = page_context(
        area,
        detail=detail,
        subscription=subscription,
        change=change,
        kind=kind,
        title=title,
        button=button,
        allowed=allowed,
        reason=reason,
        error=error,
        preview=None if change == "quantity" else _preview(actor, subscription, kind, {}),
        quantity=request.POST.get("quantity", subscription.quantity),
        friendly_name=request.POST.get("friendly_name", subscription.friendly_name),
        show_cost=show_cost_for(actor, area, subscription),
    )
    return render(request, "backoffice/subscriptions/change.html", context, status=status)


def _preview(actor: Actor, subscription: Subscription, kind: str, payload: dict[str, Any]) -> Any:
    if kind not in ordering.PRICED_KINDS:
        return None
    try:
        return ordering.preview_change(
            actor=actor, subscription_id=subscription.pk, kind=kind, payload=payload
        )
    except DomainError as refusal:
        return {"refusal": refusal.message, "code": refusal.code}


@area_view
def subscription_preview(request: HttpRequest, subscription_id: int, area: str) -> HttpResponse:
    """The htmx fragment under the quantity field: new monthly cost, next bill, or the refusal."""
    actor = actor_of(request)
    subscription = subscription_in_area(actor, area, subscription_id)
    payload = _payload("quantity", request.GET, subscription)
    preview = _preview(actor, subscription, "change_quantity", payload)
    context = page_context(area, preview=preview, show_cost=show_cost_for(actor, area, subscription))
    return render(request, "backoffice/subscriptions/_preview.html", context)


@area_view
@require_POST
def subscription_sale_price(request: HttpRequest, subscription_id: int, area: str) -> HttpResponse:
    """C4: staff set the subscription's own sale price from a day on."""
    actor = actor_of(request)
    subscription = subscription_in_area(actor, area, subscription_id)
    try:
        effective_from = date.fromisoformat(request.POST.get("effective_from", ""))
    except ValueError:
        messages.error(request, "Give the day the price applies from (YYYY-MM-DD).")
    else:
        try:
            row = services.set_sale_price(
                actor=actor,
                subscription_id=subscription.pk,
                unit_price=request.POST.get("unit_price", ""),
                effective_from=effective_from,
            )
        except DomainError as refusal:
            messages.error(request, refusal.message)
        else:
            messages.success(
                request,
                f"From {row.price_from:%Y-%m-%d} the price is {Decimal(row.unit_price or 0).normalize():f}.",
            )
    return redirect(f"/{area}/subscriptions/{subscription.pk}/")


def order_message(order: Order) -> str:
    what = order.get_kind_display()
    if order.state == OrderState.AWAITING_APPROVAL:
        return f"Order {order.pk} ({what}) waits for approval by your reseller."
    if order.state == OrderState.COMPLETED:
        return f"Order {order.pk} ({what}) is done."
    if order.state == OrderState.FAILED:
        return f"Order {order.pk} ({what}) failed: {order.failure_message}"
    return f"Order {order.pk} ({what}) is sent to the provider."


__all__ = [
    "subscription_change",
    "subscription_detail",
    "subscription_export",
    "subscription_list",
    "subscription_preview",
    "subscription_sale_price",
]
