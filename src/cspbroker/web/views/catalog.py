"""Catalog pages: the picker of seed 002 (category → billing cycle → product group → product) in the
back office (with cost and margin for a chosen customer) and in the storefront (sale price only),
a product page with the history of provider prices, and the catalog import with its progress.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from cspbroker.accounts.access import Actor
from cspbroker.accounts.models import Organization
from cspbroker.catalog import selectors, services
from cspbroker.catalog.models import BillingCycle, CatalogImport, Product
from cspbroker.clock import platform_clock
from cspbroker.connections.models import Connection
from cspbroker.domain.errors import DomainError
from cspbroker.domain.parties import Action
from cspbroker.domain.periods import BILLING_TIME_ZONE
from cspbroker.web.context import current_actor
from cspbroker.web.views.access import customer_required, staff_required

CYCLE_LABELS = dict(BillingCycle.choices)


def _actor(request: HttpRequest) -> Actor:
    actor = current_actor(request)
    assert actor is not None
    return actor


def _choice(value: str, allowed: list[str]) -> str:
    return value if value in allowed else ""


def _picker(
    request: HttpRequest,
    actor: Actor,
    *,
    customer: Organization | None,
    show_cost: bool,
    cost_currency: str = "",
) -> dict[str, Any]:
    """The picker's state from the query string, its dependent choices, and the priced products."""
    params = request.GET
    # Each choice narrows the next; a choice the narrower set lacks falls back to "all" (3 queries,
    # 3 more when a choice was dropped).
    category, billing_cycle = params.get("category", ""), params.get("billing_cycle", "")
    found = selectors.facets(actor, customer=customer, category=category, billing_cycle=billing_cycle)
    valid = _choice(category, found.categories), _choice(billing_cycle, found.billing_cycles)
    if valid != (category, billing_cycle):
        category, billing_cycle = valid
        found = selectors.facets(actor, customer=customer, category=category, billing_cycle=billing_cycle)
        billing_cycle = _choice(billing_cycle, found.billing_cycles)
    product_group = _choice(params.get("product_group", ""), found.product_groups)
    search = params.get("q", "").strip()[:100]
    products = selectors.products_for(
        actor,
        customer=customer,
        category=category,
        billing_cycle=billing_cycle,
        product_group=product_group,
        search=search,
    )
    rows = selectors.catalog_rows(products, billing_cycle=billing_cycle)
    on = platform_clock.today(customer.billing_time_zone if customer else BILLING_TIME_ZONE)
    selectors.add_prices(rows, customer=customer, on=on, show_cost=show_cost, cost_currency=cost_currency)
    return {
        "facets": found,
        "cycle_choices": [(cycle, CYCLE_LABELS.get(cycle, cycle)) for cycle in found.billing_cycles],
        "category": category,
        "billing_cycle": billing_cycle,
        "product_group": product_group,
        "q": search,
        "rows": rows,
        "customer": customer,
        "show_cost": show_cost,
        "on": on,
    }


def _staff_customer(request: HttpRequest, actor: Actor) -> tuple[Organization | None, list[Organization]]:
    customers = list(selectors.customers_for(actor, Action.VIEW_COST))
    wanted = request.GET.get("customer", "")
    chosen = next((c for c in customers if str(c.pk) == wanted), None)
    return chosen, customers


def _staff_currency(actor: Actor) -> str:
    owners = selectors.price_owners_for(actor)
    return owners.values_list("currency", flat=True).first() or ""


@staff_required
def backoffice_catalog(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    customer, customers = _staff_customer(request, actor)
    context = _picker(request, actor, customer=customer, show_cost=True, cost_currency=_staff_currency(actor))
    context.update(
        customers=customers, area="backoffice", base="backoffice/base.html", picker_url=request.path
    )
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "backoffice/catalog/_results.html", context)
    connections = list(selectors.importable_connections(actor))
    latest: dict[int, CatalogImport] = {}
    for run in selectors.imports_for(actor).filter(connection__in=connections).order_by("-created_at")[:50]:
        latest.setdefault(run.connection_id, run)
    context["imports"] = [(connection, latest.get(connection.pk)) for connection in connections]
    return render(request, "backoffice/catalog/index.html", context)


@staff_required
def backoffice_product(request: HttpRequest, product_id: int) -> HttpResponse:
    actor = _actor(request)
    product = selectors.product_for(actor, product_id)
    customer, customers = _staff_customer(request, actor)
    rows = selectors.catalog_rows(Product.objects.filter(pk=product.pk))
    on = platform_clock.today(customer.billing_time_zone if customer else BILLING_TIME_ZONE)
    selectors.add_prices(rows, customer=customer, on=on, show_cost=True, cost_currency=_staff_currency(actor))
    context = {
        "product": product,
        "rows": rows,
        "customer": customer,
        "customers": customers,
        "show_cost": True,
        "history": selectors.price_history(product),
        "area": "backoffice",
    }
    return render(request, "backoffice/catalog/product.html", context)


@staff_required
@require_POST
def import_start(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    try:
        connection = selectors.importable_connections(actor).get(pk=int(request.POST.get("connection", "0")))
    except (ValueError, Connection.DoesNotExist) as missing:
        raise Http404("Not found.") from missing
    try:
        run = services.request_import(actor=actor, connection_id=connection.pk, clock=platform_clock)
    except DomainError as error:
        if request.htmx:  # type: ignore[attr-defined]
            return render(
                request, "backoffice/catalog/_import.html", {"connection": connection, "error": error.message}
            )
        messages.error(request, error.message)
        return redirect("backoffice-catalog")
    if request.htmx:  # type: ignore[attr-defined]
        run.refresh_from_db()
        return render(request, "backoffice/catalog/_import.html", {"connection": connection, "run": run})
    messages.success(request, f"The import of “{connection.name}” is queued.")
    return redirect("backoffice-catalog")


@staff_required
def import_status(request: HttpRequest, import_id: int) -> HttpResponse:
    run = selectors.import_for(_actor(request), import_id)
    return render(request, "backoffice/catalog/_import.html", {"connection": run.connection, "run": run})


@customer_required
def store_catalog(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    customers = list(selectors.storefront_customers(actor))
    if not customers:
        raise Http404("Not found.")
    customer = next((c for c in customers if str(c.pk) == request.GET.get("customer", "")), customers[0])
    context = _picker(request, actor, customer=customer, show_cost=False)
    context.update(customers=customers if len(customers) > 1 else [], area="store", picker_url=request.path)
    template = "store/catalog/_results.html" if request.htmx else "store/catalog/index.html"  # type: ignore[attr-defined]
    return render(request, template, context)
