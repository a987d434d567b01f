"""Adding a subscription (S1), as in seed 002: category → billing cycle → product group → product →
term and quantity, with the price for the quantity computed live (staff also see cost and margin),
then "Create subscription". Add-ons are bought from their base subscription, among those the catalog
allows for it. Each choice re-renders the walk with htmx; without JavaScript the form still works.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from cspbroker.accounts.access import Actor
from cspbroker.accounts.models import Organization
from cspbroker.catalog import selectors as catalog
from cspbroker.catalog.models import BillingCycle, Offer
from cspbroker.catalog.quotes import purchase_quote
from cspbroker.clock import platform_clock
from cspbroker.domain.errors import DomainError
from cspbroker.domain.parties import Action
from cspbroker.provisioning import ordering
from cspbroker.tenants.models import Tenant, TenantStatus
from cspbroker.web.views.subscriptions import (
    CHANNELS,
    actor_of,
    area_view,
    forbid_if_denied,
    order_message,
    page_context,
    show_cost_for,
    subscription_in_area,
)

CYCLE_LABELS = dict(BillingCycle.choices)


def _customers(actor: Actor, area: str) -> list[Organization]:
    if area == "store":
        return list(catalog.storefront_customers(actor))
    return list(catalog.customers_for(actor, Action.CHANGE))


def _pick(value: str, allowed: list[str]) -> str:
    return value if value in allowed else (allowed[0] if len(allowed) == 1 else "")


def _quantity(text: str, minimum: int = 1) -> int:
    return int(text) if text.isdigit() and int(text) >= 1 else minimum


def _price(customer: Organization, offer: Offer, quantity: int, show_cost: bool) -> dict[str, Any]:
    on = platform_clock.today(customer.billing_time_zone)
    try:
        return purchase_quote(customer, offer, quantity, on, show_cost=show_cost)
    except DomainError as error:
        return {"error": error.message if show_cost else "Not priced yet: ask us for a quote."}


def _walk(request: HttpRequest, actor: Actor, area: str) -> dict[str, Any]:
    params = request.POST if request.method == "POST" else request.GET
    customers = _customers(actor, area)
    customer = next((c for c in customers if str(c.pk) == params.get("customer", "")), None)
    if customer is None and len(customers) == 1:
        customer = customers[0]
    state: dict[str, Any] = {"customers": customers, "customer": customer, "tenants": [], "offers": []}
    if customer is None:
        return state
    state["tenants"] = tenants = list(Tenant.objects.filter(customer=customer, status=TenantStatus.ACTIVE))
    tenant = next(
        (t for t in tenants if str(t.pk) == params.get("tenant", "")), tenants[0] if tenants else None
    )
    state["tenant"] = tenant
    facets = catalog.facets(actor, customer=customer)
    category = state["category"] = _pick(params.get("category", ""), facets.categories)
    facets = catalog.facets(actor, customer=customer, category=category)
    cycle = state["billing_cycle"] = _pick(params.get("billing_cycle", ""), facets.billing_cycles)
    facets = catalog.facets(actor, customer=customer, category=category, billing_cycle=cycle)
    group = state["product_group"] = _pick(params.get("product_group", ""), facets.product_groups)
    state.update(facets=facets, cycle_choices=[(c, CYCLE_LABELS.get(c, c)) for c in facets.billing_cycles])
    if not category or not cycle:
        return state
    products = catalog.products_for(
        actor, customer=customer, category=category, billing_cycle=cycle, product_group=group
    ).filter(connection_id=tenant.connection_id if tenant else 0)
    rows = []
    for row in catalog.catalog_rows(products, billing_cycle=cycle):
        row.skus = [sku for sku in row.skus if not sku.sku.is_addon]  # add-ons come from their base
        if row.skus:
            rows.append(row)
    state["products"] = rows
    product = next((r for r in rows if str(r.product.pk) == params.get("product", "")), None)
    state["product"] = product
    if product is None:
        return state
    offers = [row.offer for row in product.offers]
    state["offers"] = offers
    offer = next(
        (o for o in offers if str(o.pk) == params.get("offer", "")), offers[0] if len(offers) == 1 else None
    )
    state["offer"] = offer
    if offer is not None:
        sku = offer.availability.sku
        quantity = state["quantity"] = max(sku.minimum_quantity, _quantity(params.get("quantity", "")))
        state["price"] = _price(customer, offer, quantity, show_cost_for(actor, area))
    return state


@area_view
def subscription_new(request: HttpRequest, area: str) -> HttpResponse:
    actor = actor_of(request)
    state = _walk(request, actor, area)
    error, status = "", 200
    if (
        request.method == "POST"
        and request.POST.get("confirm")
        and state.get("offer")
        and state.get("tenant")
    ):
        try:
            order = ordering.buy(
                request=ordering.Request(actor=actor, channel=CHANNELS[area]),
                tenant_id=state["tenant"].pk,
                offer_id=state["offer"].pk,
                quantity=state["quantity"],
                friendly_name=request.POST.get("friendly_name", ""),
            )
        except DomainError as refusal:
            forbid_if_denied(refusal)
            error, status = refusal.message, 400
        else:
            messages.success(request, order_message(order))
            return redirect(f"/{area}/orders/{order.pk}/")
    context = page_context(area, walk=state, error=error, show_cost=show_cost_for(actor, area))
    if request.htmx and request.method == "GET":  # type: ignore[attr-defined]
        return render(request, "backoffice/subscriptions/_walk.html", context)
    return render(request, f"{area}/subscriptions/new.html", context, status=status)


@area_view
def subscription_add_on(request: HttpRequest, subscription_id: int, area: str) -> HttpResponse:
    """Add-ons for a base subscription: only those whose prerequisites include its SKU."""
    from cspbroker.subscriptions import selectors

    actor = actor_of(request)
    base = subscription_in_area(actor, area, subscription_id)
    offers = selectors.addon_offers_for(actor, base)
    params = request.POST if request.method == "POST" else request.GET
    chosen = next((o for o in offers if str(o.pk) == params.get("offer", "")), None)
    offer = chosen or (offers[0] if offers and request.method == "GET" else None)
    quantity = _quantity(params.get("quantity", ""))
    price = _price(base.tenant.customer, offer, quantity, show_cost_for(actor, area, base)) if offer else None
    error, status = "", 200
    if request.method == "POST" and offer is None:
        title = base.offer.availability.sku.title
        error, status = f"That add-on cannot be added to {title}: choose one of the list.", 400
    elif request.method == "POST" and offer is not None:
        try:
            order = ordering.buy(
                request=ordering.Request(actor=actor, channel=CHANNELS[area]),
                tenant_id=base.tenant_id,
                offer_id=offer.pk,
                quantity=quantity,
                parent_subscription_id=base.pk,
            )
        except DomainError as refusal:
            forbid_if_denied(refusal)
            error, status = refusal.message, 400
        else:
            messages.success(request, order_message(order))
            return redirect(f"/{area}/orders/{order.pk}/")
    context = page_context(
        area,
        subscription=base,
        offers=offers,
        offer=offer,
        quantity=quantity,
        price=price,
        error=error,
        show_cost=show_cost_for(actor, area, base),
    )
    if request.htmx and request.method == "GET":  # type: ignore[attr-defined]
        return render(request, "backoffice/subscriptions/_addon_price.html", context)
    return render(request, "backoffice/subscriptions/add_on.html", context, status=status)
