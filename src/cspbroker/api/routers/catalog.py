"""`/catalog`: products with their SKUs and offers, prices, and catalog imports.

Customers see their own sale price only; staff also see cost, margin and margin % (C3). The cost
fields are left out of a customer's response altogether (not sent as null), so that a customer's
payload never so much as names them.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.responses import Status

from cspbroker.accounts import selectors as accounts
from cspbroker.accounts.access import Actor, may
from cspbroker.accounts.models import Organization
from cspbroker.accounts.services import InvalidInput
from cspbroker.api.auth import actor
from cspbroker.catalog import selectors, services
from cspbroker.catalog.models import CatalogImport, Product
from cspbroker.catalog.pricing import NoPrice, PricingError, ResolvedPrice, offer_label, resolve_price
from cspbroker.clock import platform_clock
from cspbroker.domain.money import Money
from cspbroker.domain.parties import Action, OrganizationKind
from cspbroker.domain.periods import BILLING_TIME_ZONE

router = Router(tags=["catalog"])


class PriceOut(Schema):
    """A sale price per unit and billing period; `source_kind`, `cost`, `margin`, `margin_percent`
    are for staff only and left out for customers."""

    unit_price: Decimal
    currency: str
    source: str
    effective_from: date
    explanation: str
    source_kind: str | None = None
    cost: Decimal | None = None
    margin: Decimal | None = None
    margin_percent: Decimal | None = None


class OfferOut(Schema):
    id: int
    item_code: str  # the catalog item id, productId:skuId:availabilityId
    term: str
    billing_cycle: str
    description: str
    price: PriceOut | None = None
    price_error: str | None = None
    cost: Decimal | None = None  # staff only: the provider's price in force today


class SkuOut(Schema):
    id: int
    provider_sku_id: str
    title: str
    description: str
    minimum_quantity: int
    maximum_quantity: int
    is_trial: bool
    is_addon: bool
    prerequisite_skus: list[str]
    offers: list[OfferOut]


class ProductOut(Schema):
    id: int
    provider_product_id: str
    connection_id: int
    title: str
    description: str
    category: str
    product_group: str
    target_view: str
    is_available: bool
    currency: str | None = None
    skus: list[SkuOut]


class ImportIn(Schema):
    connection_id: int


class ImportOut(Schema):
    id: int
    connection_id: int
    status: str
    requested_by: str
    steps_done: int
    steps_total: int
    step_label: str
    summary: dict[str, Any]
    message: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


def _viewer(who: Actor, customer_id: int | None) -> tuple[Organization | None, bool]:
    """For whom prices are resolved, and whether the caller may see cost and margin."""
    if customer_id is not None:
        customer = accounts.organization_for(who, customer_id)
        if customer.kind != OrganizationKind.CUSTOMER:
            raise InvalidInput(f"{customer.legal_name} is not a customer.", field="customer_id")
        return customer, may(who, Action.VIEW_COST, customer)
    if who.is_staff:
        return None, True
    return selectors.storefront_customers(who).first(), False


def _staff_currency(who: Actor) -> str:
    ids = [g.grant.organization_id for g in who.grants if g.grant.role.is_staff]
    return Organization.objects.filter(pk__in=ids).values_list("currency", flat=True).first() or ""


def amount(money: Money | None) -> Decimal | None:
    """An amount with at least the currency's minor digits ("79.00", "0.1234"); never rounded."""
    return None if money is None else Decimal(str(money).rsplit(" ", 1)[0])


def price_out(price: ResolvedPrice, *, show_cost: bool) -> dict[str, Any]:
    shown = price if show_cost else price.for_customer()
    out: dict[str, Any] = {
        "unit_price": amount(shown.unit_price),
        "currency": shown.unit_price.currency,
        "source": str(shown.source) if show_cost else selectors.source_for_customer(shown.source),
        "effective_from": shown.effective_from,
        "explanation": shown.explanation,
    }
    if show_cost:
        out["source_kind"] = shown.source.kind.value
        out["cost"] = amount(shown.cost)
        out["margin"] = amount(shown.margin)
        out["margin_percent"] = shown.margin_percent
    return out


def _product_out(row: selectors.ProductRow, *, show_cost: bool, currency: str | None) -> dict[str, Any]:
    product: Product = row.product
    skus = []
    for sku_row in row.skus:
        sku = sku_row.sku
        offers = []
        for offer_row in sku_row.offers:
            offer = offer_row.offer
            out: dict[str, Any] = {
                "id": offer.pk,
                "item_code": offer.availability.catalog_item_id,
                "term": offer.term,
                "billing_cycle": offer.billing_cycle,
                "description": offer.description,
                "price": None if offer_row.price is None else price_out(offer_row.price, show_cost=show_cost),
                "price_error": offer_row.price_error or None,
            }
            if show_cost:
                out["cost"] = amount(offer_row.cost)
            offers.append(out)
        fields = (
            "provider_sku_id",
            "title",
            "description",
            "minimum_quantity",
            "maximum_quantity",
            "is_trial",
        )
        skus.append(
            {
                "id": sku.pk,
                **{name: getattr(sku, name) for name in fields},
                "is_addon": sku.is_addon,
                "prerequisite_skus": list(sku.prerequisite_skus),
                "offers": offers,
            }
        )
    fields = ("provider_product_id", "connection_id", "title", "description", "category", "product_group")
    return {
        "id": product.pk,
        **{name: getattr(product, name) for name in fields},
        "target_view": product.target_view,
        "is_available": product.is_available,
        "currency": currency,
        "skus": skus,
    }


def _rows(who: Actor, customer: Organization | None, show_cost: bool, products: Any, cycle: str) -> list[Any]:
    rows = selectors.catalog_rows(products, billing_cycle=cycle)
    on = platform_clock.today(customer.billing_time_zone if customer else BILLING_TIME_ZONE)
    currency = customer.currency if customer else _staff_currency(who)
    selectors.add_prices(rows, customer=customer, on=on, show_cost=show_cost, cost_currency=currency)
    return [_product_out(row, show_cost=show_cost, currency=currency or None) for row in rows]


@router.get(
    "/products",
    response=list[ProductOut],
    exclude_unset=True,
    summary="Browse the catalog: category → billing cycle → product group → product, or search by name",
)
def list_products(
    request: HttpRequest,
    category: str = "",
    billing_cycle: str = "",
    product_group: str = "",
    q: str = "",
    customer_id: int | None = None,
) -> list[Any]:
    """Sellable products with their offers. A customer gets its own sale prices; staff get cost, and
    with `customer_id` that customer's sale price, margin and margin %."""
    who = actor(request)
    customer, show_cost = _viewer(who, customer_id)
    products = selectors.products_for(
        who,
        customer=customer,
        category=category,
        billing_cycle=billing_cycle,
        product_group=product_group,
        search=q,
    )
    return _rows(who, customer, show_cost, products, billing_cycle)


@router.get("/products/{product_id}", response=ProductOut, exclude_unset=True)
def get_product(request: HttpRequest, product_id: int, customer_id: int | None = None) -> Any:
    who = actor(request)
    customer, show_cost = _viewer(who, customer_id)
    product = selectors.product_for(who, product_id, customer=customer)
    rows = _rows(who, customer, show_cost, Product.objects.filter(pk=product.pk), "")
    if rows:
        return rows[0]
    return {**_product_out(selectors.ProductRow(product), show_cost=show_cost, currency=None)}


@router.get(
    "/offers/{offer_id}/price",
    response=PriceOut,
    exclude_unset=True,
    summary="The sale price of an offer for a customer today (or `on`), with where it came from",
)
def get_offer_price(
    request: HttpRequest, offer_id: int, customer_id: int | None = None, on: date | None = None
) -> Any:
    who = actor(request)
    customer, show_cost = _viewer(who, customer_id)
    if customer is None:
        raise InvalidInput("Say for which customer: customer_id.", field="customer_id")
    offer = selectors.offer_for(who, offer_id, customer=customer)
    day = on or platform_clock.today(customer.billing_time_zone)
    try:
        price = resolve_price(customer=customer, offer=offer, on=day)
    except PricingError as error:
        if show_cost:
            raise
        # Why a price is missing (a markup needing the cost, …) is for staff; a customer learns only that.
        raise NoPrice(f"{offer_label(offer)} has no price yet: ask us for a quote.", field="price") from error
    return price_out(price, show_cost=show_cost)


@router.post("/imports", response={202: ImportOut}, summary="Import a connection's catalog in the background")
def create_import(request: HttpRequest, body: ImportIn) -> Status[CatalogImport]:
    who = actor(request)
    from cspbroker.connections import selectors as connections

    connection = connections.connection_for(who, body.connection_id)  # 404 for a connection you cannot see
    return Status(202, services.request_import(actor=who, connection_id=connection.pk, clock=platform_clock))


@router.get("/imports/{import_id}", response=ImportOut, summary="How far an import got, and what it changed")
def get_import(request: HttpRequest, import_id: int) -> CatalogImport:
    return selectors.import_for(actor(request), import_id)
