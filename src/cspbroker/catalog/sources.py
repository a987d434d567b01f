"""Read a provider's catalog into a `CatalogSnapshot`: Partner Center, or a distributor's price list.

Partner Center: products of the target views OnlineServices, Software, SoftwarePerpetual and
SoftwareSubscriptions for the owner's country, their SKUs (add-on flag and prerequisite SKUs from
`dynamicAttributes`) and availabilities (one offer per term and billing cycle), then the price
sheet in the owner's currency and in USD and EUR. A product listed in several views keeps the most
specific one (SoftwarePerpetual rather than Software).

Distributor (Rhipe PRISM style): one price list per contract agreement; each entry is a product
keyed by the distributor's GUID, with one SKU and one availability (item code = the GUID) and one
offer per billing cycle option. PRISM prices are per unit and month; like Partner Center's price
sheet we store a price per billing period, so an annual offer costs twelve monthly prices.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from cspbroker.catalog.models import BillingCycle
from cspbroker.catalog.snapshot import (
    AvailabilityData,
    CatalogSnapshot,
    OfferData,
    PriceData,
    ProductData,
    Progress,
    SkuData,
    no_progress,
)
from cspbroker.connections.models import ProviderKind
from cspbroker.providers.errors import ProviderRejected
from cspbroker.providers.partnercenter import catalog as pc
from cspbroker.providers.ports import CatalogPort, DistributorCatalogPort, PriceListItem

# The connection kinds that have a catalog to import: ESD sells from its own product list.
IMPORTABLE_KINDS = frozenset({ProviderKind.PARTNER_CENTER.value, ProviderKind.DISTRIBUTOR.value})
TARGET_VIEWS = ("OnlineServices", "Software", "SoftwarePerpetual", "SoftwareSubscriptions")
_VIEW_RANK = {view: rank for rank, view in enumerate(TARGET_VIEWS)}
PRICE_CURRENCIES = ("USD", "EUR")
_CATEGORY_LABELS = {"OnlineServices": "Online services", "Software": "Software", "Azure": "Azure"}
_CYCLES = {cycle.value for cycle in BillingCycle}
_DISTRIBUTOR_CYCLES = {"monthly": ("P1M", BillingCycle.MONTHLY), "annual": ("P1Y", BillingCycle.ANNUAL)}
_MONTHS = {BillingCycle.MONTHLY: 1, BillingCycle.ANNUAL: 12}


def _prerequisite(value: Any) -> str:
    if isinstance(value, dict):  # some API versions give {productId, skuId}
        return f"{value.get('productId', '')}:{value.get('skuId', '')}"
    return str(value)


def _cancellation_window(term: pc.AvailabilityTerm) -> str:
    # NCE refunds shrink step by step (full for a day, partial for seven); the last step is the window.
    policies = sorted(term.refund_policies, key=lambda policy: policy.sequence_id)
    return (policies[-1].expires_after or "") if policies else ""


def _offers(availability: pc.Availability, warnings: list[str]) -> tuple[OfferData, ...]:
    offers: dict[tuple[str, str], OfferData] = {}
    for term in availability.terms:
        cycle = term.billing_cycle.value
        if cycle not in _CYCLES:
            warnings.append(
                f"{availability.catalog_item_id}: unknown billing cycle {term.billing_cycle_raw!r}."
            )
            continue
        offers.setdefault(
            (term.duration, cycle),
            OfferData(term.duration, cycle, term.description or "", _cancellation_window(term)),
        )
    return tuple(offers.values())


def _sku(sku: pc.Sku, availabilities: list[pc.Availability], warnings: list[str]) -> SkuData:
    return SkuData(
        provider_sku_id=sku.id,
        title=sku.title,
        description=sku.description or "",
        minimum_quantity=sku.minimum_quantity or 1,
        maximum_quantity=sku.maximum_quantity or 10000,
        is_trial=sku.is_trial,
        is_addon=sku.is_addon,
        prerequisite_skus=tuple(_prerequisite(item) for item in sku.prerequisite_skus),
        availabilities=tuple(
            AvailabilityData(a.id, a.catalog_item_id, a.is_purchasable, _offers(a, warnings))
            for a in availabilities
        ),
    )


def _product(product: pc.Product, view: str, skus: list[SkuData]) -> ProductData:
    category = product.product_type_id or view
    return ProductData(
        provider_product_id=product.id,
        title=product.title,
        description=product.description or "",
        category=_CATEGORY_LABELS.get(category, product.product_type_name or category),
        product_group=product.product_sub_type_id or "",
        target_view=view,
        publisher=product.publisher_name or "",
        skus=tuple(skus),
    )


def partner_center_snapshot(
    client: CatalogPort, *, country: str, currencies: Iterable[str], progress: Progress = no_progress
) -> CatalogSnapshot:
    """The Partner Center catalog for `country`, with the price sheet in each of `currencies`."""
    snapshot = CatalogSnapshot()
    currencies = list(dict.fromkeys(code.upper() for code in currencies))
    found: dict[str, tuple[pc.Product, str]] = {}
    for step, view in enumerate(TARGET_VIEWS):
        progress(step, len(TARGET_VIEWS), f"Listing {view} products")
        for product in client.list_products(country=country, target_view=view):
            known = found.get(product.id)
            if known is None or _VIEW_RANK[view] > _VIEW_RANK[known[1]]:
                found[product.id] = (product, view)
    total = len(TARGET_VIEWS) + len(found) + len(currencies)
    done = len(TARGET_VIEWS)
    for product, view in found.values():
        progress(done, total, f"Reading {product.title}")
        skus = [
            _sku(sku, client.list_availabilities(product.id, sku.id, country=country), snapshot.warnings)
            for sku in client.list_skus(product.id, country=country)
        ]
        snapshot.products.append(_product(product, view, skus))
        done += 1
    for currency in currencies:
        progress(done, total, f"Reading the price sheet in {currency}")
        try:
            rows = client.get_price_sheet(market=country, currency=currency)
        except ProviderRejected as error:
            snapshot.warnings.append(f"No price sheet in {currency}: {error.description or error.message}")
            rows = []
        snapshot.prices.extend(
            PriceData(
                row.catalog_item_id,
                row.term_duration,
                row.billing_cycle.value,
                row.currency.upper() or currency,
                row.unit_price,
                row.effective_start_date,
            )
            for row in rows
            if row.billing_cycle.value in _CYCLES
        )
        done += 1
    progress(total, total, "Read the catalog")
    return snapshot


def _distributor_offers(item: PriceListItem) -> list[tuple[OfferData, int]]:
    offers = []
    for option in item.billing_cycle_options or ("Monthly",):
        known = _DISTRIBUTOR_CYCLES.get(option.strip().lower())
        if known is not None:
            term, cycle = known
            if cycle is BillingCycle.MONTHLY and item.billing_cycle_duration:
                term = item.billing_cycle_duration
            offers.append((OfferData(term, cycle.value), _MONTHS[cycle]))
    return offers


def _distributor_product(item: PriceListItem, snapshot: CatalogSnapshot, currency: str) -> ProductData:
    offers = _distributor_offers(item)
    usage = (item.product_type or "").lower() == "usage"  # metered: rated from the usage feed, never sold
    for offer, months in offers:
        snapshot.prices.append(
            PriceData(item.product_id, offer.term, offer.billing_cycle, currency, item.unit_price * months)
        )
    availability = AvailabilityData(
        item.product_id, item.product_id, not usage, tuple(offer for offer, _ in offers)
    )
    sku = SkuData(
        provider_sku_id=(item.product_sku or item.product_id)[:64],
        title=item.product_name,
        description=item.description or "",
        minimum_quantity=item.min_quantity or 1,
        maximum_quantity=item.max_quantity or 10000,
        is_trial=item.is_trial,
        is_addon=(item.product_type or "").lower() == "addon",
        availabilities=(availability,),
    )
    return ProductData(
        provider_product_id=item.product_id,
        title=item.product_name,
        description=item.description or "",
        category=item.product_group or "",
        product_group=item.product_type or "",
        publisher="Microsoft Corporation",
        skus=(sku,),
    )


def distributor_snapshot(
    client: DistributorCatalogPort, *, on: date, progress: Progress = no_progress
) -> CatalogSnapshot:
    """The distributor's price list in force on `on`, for every contract agreement of the partner."""
    snapshot = CatalogSnapshot()
    progress(0, 1, "Reading the partner's contract agreements")
    partner = client.me()
    contracts = partner.contract_agreement_ids
    seen: set[str] = set()
    for step, contract in enumerate(contracts, start=1):
        progress(step, len(contracts) + 1, f"Reading the price list of contract {contract}")
        for item in client.get_price_list(contract, on):
            if item.product_id in seen:
                continue
            seen.add(item.product_id)
            currency = (item.currency or partner.currency or "").upper()
            snapshot.products.append(_distributor_product(item, snapshot, currency))
    progress(len(contracts) + 1, len(contracts) + 1, "Read the price list")
    return snapshot
