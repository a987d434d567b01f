"""Reads of the catalog and the price lists, always through `accounts.access`.

Whose catalog one sees: the catalogs of the connections of one's own organisations, of the
organisations below them, and of those above them (a reseller's customers buy from the operator's
Partner Center connection). Price lists and markup rules reveal margins, so they are visible only
with `Action.VIEW_COST` (staff); a customer finds none, and another organisation's list is a 404.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404

from cspbroker.accounts.access import SYSTEM, Actor, scoped, visible_organizations
from cspbroker.accounts.models import Organization
from cspbroker.catalog.models import (
    Availability,
    CatalogImport,
    MarkupRule,
    Offer,
    PriceList,
    PriceListEntry,
    Product,
    ProviderPrice,
    Sku,
)
from cspbroker.catalog.pricing import (
    PricingError,
    ResolvedPrice,
    costs_on,
    price_entry,
    price_key,
    resolve_prices,
)
from cspbroker.catalog.sources import IMPORTABLE_KINDS
from cspbroker.connections.models import Connection
from cspbroker.domain import pricing as domain_pricing
from cspbroker.domain.money import Money
from cspbroker.domain.parties import Action, OrganizationKind
from cspbroker.domain.pricing import PriceSource, PriceSourceKind

# An offer can be sold when it and everything above it is still in the provider's catalog.
OFFERABLE = Q(
    is_available=True,
    availability__is_available=True,
    availability__is_purchasable=True,
    availability__sku__is_available=True,
    availability__sku__product__is_available=True,
    availability__sku__product__connection__is_active=True,
)
CUSTOMER_PRICE_MISSING = "Not priced yet: ask us for a quote."


@dataclass
class OfferRow:
    offer: Offer
    price: ResolvedPrice | None = None  # for a customer: `for_customer()`, without cost and margin
    price_error: str = ""
    cost: Money | None = None  # staff only


@dataclass
class SkuRow:
    sku: Sku
    offers: list[OfferRow] = field(default_factory=list)


@dataclass
class ProductRow:
    product: Product
    skus: list[SkuRow] = field(default_factory=list)

    @property
    def offers(self) -> list[OfferRow]:
        return [offer for sku in self.skus for offer in sku.offers]


@dataclass(frozen=True)
class Facets:
    categories: list[str]
    billing_cycles: list[str]
    product_groups: list[str]


def source_for_customer(source: PriceSource) -> str:
    """Where a price came from, in words a customer may read: a markup rule is just the standard price."""
    if source.kind is PriceSourceKind.CUSTOMER_LIST:
        return f"your price list “{source.name}”"
    if source.kind is PriceSourceKind.RESELLER_LIST:
        return "standard price list"
    return "standard price"


def _ancestor_ids(actor: Actor) -> set[int]:
    return {int(part) for grant in actor.grants for part in grant.path.strip("/").split("/") if part}


def catalog_scope(actor: Actor, customer: Organization | None = None) -> Q:
    """Products whose connection `actor` may browse (for `customer`: the ones sold to that customer)."""
    if customer is not None:
        return Q(connection__organization_id__in=customer.ancestry)
    if actor is SYSTEM:
        return Q()
    own = visible_organizations(actor).values("pk")
    return Q(connection__organization__in=own) | Q(connection__organization_id__in=_ancestor_ids(actor))


def products_for(
    actor: Actor,
    *,
    customer: Organization | None = None,
    category: str = "",
    billing_cycle: str = "",
    product_group: str = "",
    search: str = "",
) -> QuerySet[Product]:
    """Available products with at least one offer that can be sold, filtered like the seed's picker."""
    offers = Offer.objects.filter(OFFERABLE, availability__sku__product=OuterRef("pk"))
    if billing_cycle:
        offers = offers.filter(billing_cycle=billing_cycle)
    products = Product.objects.filter(catalog_scope(actor, customer), Exists(offers)).select_related(
        "connection"
    )
    if category:
        products = products.filter(category=category)
    if product_group:
        products = products.filter(product_group=product_group)
    if search.strip():
        words = search.strip()
        skus = Sku.objects.filter(product=OuterRef("pk"), title__icontains=words)
        products = products.filter(Q(title__icontains=words) | Exists(skus))
    return products.order_by("category", "product_group", "title", "pk")


def facets(
    actor: Actor, *, customer: Organization | None = None, category: str = "", billing_cycle: str = ""
) -> Facets:
    """The picker's choices: categories, then billing cycles in the category, then its product groups."""
    products = Product.objects.filter(catalog_scope(actor, customer)).values("pk")
    offers = Offer.objects.filter(OFFERABLE, availability__sku__product__in=products)
    path = "availability__sku__product__"
    categories = offers.values_list(f"{path}category", flat=True).distinct().order_by(f"{path}category")
    in_category = offers.filter(**{f"{path}category": category}) if category else offers
    cycles = in_category.values_list("billing_cycle", flat=True).distinct().order_by("billing_cycle")
    in_cycle = in_category.filter(billing_cycle=billing_cycle) if billing_cycle else in_category
    groups = (
        in_cycle.values_list(f"{path}product_group", flat=True).distinct().order_by(f"{path}product_group")
    )
    return Facets(list(categories), list(cycles), list(groups))


def catalog_rows(
    products: QuerySet[Product], *, billing_cycle: str = "", limit: int = 200
) -> list[ProductRow]:
    """Products with their sellable SKUs and offers, in four queries."""
    offers = Offer.objects.filter(is_available=True).order_by("term", "billing_cycle")
    if billing_cycle:
        offers = offers.filter(billing_cycle=billing_cycle)
    availabilities = Availability.objects.filter(is_available=True, is_purchasable=True).prefetch_related(
        Prefetch("offers", queryset=offers)
    )
    skus = Sku.objects.filter(is_available=True).prefetch_related(
        Prefetch("availabilities", queryset=availabilities)
    )
    rows = []
    for product in products.prefetch_related(Prefetch("skus", queryset=skus))[:limit]:
        sku_rows = []
        for sku in product.skus.all():
            offer_rows = [
                OfferRow(offer)
                for availability in sku.availabilities.all()
                for offer in availability.offers.all()
            ]
            if offer_rows:
                sku_rows.append(SkuRow(sku, offer_rows))
        if sku_rows:
            rows.append(ProductRow(product, sku_rows))
    return rows


def add_prices(
    rows: list[ProductRow],
    *,
    customer: Organization | None,
    on: date,
    show_cost: bool,
    cost_currency: str = "",
) -> None:
    """Fill in each offer's price for `customer` (staff: also cost and margin) in fixed queries."""
    offer_rows = [offer for row in rows for offer in row.offers]
    ids = [row.offer.pk for row in offer_rows]
    if customer is not None and ids:
        prices = resolve_prices(customer=customer, offers=ids, on=on)
        for row in offer_rows:
            result = prices[row.offer.pk]
            if isinstance(result, PricingError):
                row.price_error = result.message if show_cost else CUSTOMER_PRICE_MISSING
            else:
                row.price = result if show_cost else result.for_customer()
                row.cost = result.cost if show_cost else None
    if show_cost and ids and (cost_currency or customer is not None):
        currency = customer.currency if customer is not None else cost_currency
        time_zone = customer.time_zone if customer is not None else "UTC"
        costs = costs_on(ids, currency, on, time_zone=time_zone)
        for row in offer_rows:
            row.cost = row.cost or costs.get(row.offer.pk)


def product_for(actor: Actor, product_id: int, *, customer: Organization | None = None) -> Product:
    try:
        return Product.objects.select_related("connection").get(catalog_scope(actor, customer), pk=product_id)
    except Product.DoesNotExist as missing:
        raise Http404("Not found.") from missing


def offer_for(actor: Actor, offer_id: int, *, customer: Organization | None = None) -> Offer:
    scope = catalog_scope(actor, customer)
    products = Product.objects.filter(scope).values("pk")
    try:
        return Offer.objects.select_related("availability__sku__product").get(
            pk=offer_id, availability__sku__product__in=products
        )
    except Offer.DoesNotExist as missing:
        raise Http404("Not found.") from missing


def price_history(product: Product) -> QuerySet[ProviderPrice]:
    """Every provider price (our cost) of a product's offers, newest first: the history kept by imports."""
    return (
        ProviderPrice.objects.filter(offer__availability__sku__product=product)
        .select_related("offer__availability__sku")
        .order_by(
            "offer__availability__sku__provider_sku_id",
            "offer__term",
            "offer__billing_cycle",
            "currency",
            "-effective_from",
        )
    )


def customers_for(actor: Actor, action: Action = Action.VIEW) -> QuerySet[Organization]:
    return (
        visible_organizations(actor, action)
        .filter(kind=OrganizationKind.CUSTOMER.value)
        .order_by("legal_name")
    )


def storefront_customers(actor: Actor) -> QuerySet[Organization]:
    """The customers a person belongs to as a customer (the storefront's "me")."""
    ids = [g.grant.organization_id for g in actor.grants if not g.grant.role.is_staff]
    return Organization.objects.filter(pk__in=ids, kind=OrganizationKind.CUSTOMER.value).order_by(
        "legal_name"
    )


# --- price lists --------------------------------------------------------------------------------


def price_lists_for(actor: Actor) -> QuerySet[PriceList]:
    lists = PriceList.objects.select_related("owner", "customer").annotate(entry_count=Count("entries"))
    return scoped(actor, lists, "owner", Action.VIEW_COST).order_by(
        "owner__path", "customer__legal_name", "name"
    )


def price_list_for(actor: Actor, price_list_id: int) -> PriceList:
    try:
        return price_lists_for(actor).get(pk=price_list_id)
    except PriceList.DoesNotExist as missing:
        raise Http404("Not found.") from missing


def entries_of(price_list: PriceList) -> QuerySet[PriceListEntry]:
    return price_list.entries.select_related("offer__availability__sku__product").order_by(
        "offer__availability__sku__product__title",
        "offer__availability__sku__title",
        "offer__term",
        "offer__billing_cycle",
        "-effective_from",
    )


@dataclass
class EntryRow:
    entry: PriceListEntry
    price: ResolvedPrice | None = None  # the entry's price at today's cost, with cost and margin
    error: str = ""


def entry_rows(price_list: PriceList, *, on: date) -> list[EntryRow]:
    """The list's entries, each with its sale price, today's cost and the margin, in two queries."""
    entries = list(entries_of(price_list))
    costs = costs_on([row.offer_id for row in entries], price_list.currency, on)
    rows = []
    for row in entries:
        try:
            price = domain_pricing.resolve_sale_price(
                price_key(row.offer),
                on=max(on, row.effective_from),
                cost=costs.get(row.offer_id),
                customer_entries=(),
                reseller_entries=[price_entry(row, row.offer)],
                markup_rules=(),
                currency=price_list.currency,
            )
            rows.append(EntryRow(row, price))
        except PricingError as error:
            rows.append(EntryRow(row, error=error.message))
    return rows


def markup_rules_for(actor: Actor) -> QuerySet[MarkupRule]:
    rules = MarkupRule.objects.select_related("owner")
    return scoped(actor, rules, "owner", Action.VIEW_COST).order_by(
        "owner__path", "category", "-effective_from"
    )


def price_owners_for(actor: Actor) -> QuerySet[Organization]:
    """Organisations whose prices `actor` may see and perhaps set: the operator and resellers."""
    return (
        visible_organizations(actor, Action.VIEW_COST)
        .exclude(kind=OrganizationKind.CUSTOMER.value)
        .order_by("path")
    )


def offers_sold_by(owner: Organization) -> QuerySet[Offer]:
    """Offers an owner may price: those of its own connections and of the organisations above it."""
    return (
        Offer.objects.filter(
            OFFERABLE, availability__sku__product__connection__organization_id__in=owner.ancestry
        )
        .select_related("availability__sku__product__connection")
        .order_by("availability__sku__product__title", "availability__sku__title", "term", "billing_cycle")
    )


# --- imports ------------------------------------------------------------------------------------


def importable_connections(actor: Actor) -> QuerySet[Connection]:
    connections = Connection.objects.filter(kind__in=IMPORTABLE_KINDS, is_active=True).select_related(
        "organization"
    )
    return scoped(actor, connections, "organization", Action.ADMINISTER)


def imports_for(actor: Actor) -> QuerySet[CatalogImport]:
    runs = CatalogImport.objects.select_related("connection__organization")
    return scoped(actor, runs, "connection__organization", Action.VIEW_COST)


def import_for(actor: Actor, import_id: int) -> CatalogImport:
    try:
        return imports_for(actor).get(pk=import_id)
    except CatalogImport.DoesNotExist as missing:
        raise Http404("Not found.") from missing
