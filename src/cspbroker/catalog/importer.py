"""Make a connection's catalog tables match a `CatalogSnapshot`, set-based and idempotent.

Each level (products → SKUs → availabilities → offers) is loaded once into a dict keyed by the
provider's ids, compared in memory, and written with one `bulk_create`, one `bulk_update` and one
`UPDATE … SET is_available = false` for what vanished; the number of queries does not grow with
the catalog. Rules:

- a second import of the same snapshot changes nothing (only `Product.last_seen_at` moves on);
- a changed provider price closes the open `ProviderPrice` (`superseded_at`) and opens a new one,
  so the history of costs is kept;
- a product, SKU, availability or offer that vanished is marked unavailable, never deleted, and
  becomes available again if it comes back.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from django.db import models

from cspbroker.catalog.models import Availability, Offer, Product, ProviderPrice, Sku
from cspbroker.catalog.snapshot import CatalogSnapshot, PriceData
from cspbroker.connections.models import Connection

M = TypeVar("M", bound=models.Model)
K = TypeVar("K", bound=Hashable)

LEVELS = ("products", "skus", "availabilities", "offers")
_FIELDS: dict[str, tuple[str, ...]] = {
    "products": ("title", "description", "category", "product_group", "target_view", "publisher"),
    "skus": (
        "title",
        "description",
        "minimum_quantity",
        "maximum_quantity",
        "is_trial",
        "is_addon",
        "prerequisite_skus",
        "licence_sku_id",
    ),
    "availabilities": ("catalog_item_id", "is_purchasable"),
    "offers": ("description", "cancellation_window"),
}


@dataclass
class LevelCount:
    created: int = 0
    updated: int = 0
    unavailable: int = 0


@dataclass
class ImportSummary:
    """What one import changed; `as_dict()` is what the import page, API and CLI show."""

    levels: dict[str, LevelCount] = field(default_factory=lambda: {level: LevelCount() for level in LEVELS})
    prices_created: int = 0
    price_changes: int = 0
    warnings: list[str] = field(default_factory=list)

    @property
    def created(self) -> int:
        return sum(count.created for count in self.levels.values())

    @property
    def updated(self) -> int:
        return sum(count.updated for count in self.levels.values())

    @property
    def unavailable(self) -> int:
        return sum(count.unavailable for count in self.levels.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unavailable": self.unavailable,
            "prices_created": self.prices_created,
            "price_changes": self.price_changes,
            "levels": {name: vars(count).copy() for name, count in self.levels.items()},
            "warnings": list(self.warnings[:50]),
        }


def _sync(
    model: type[M],
    existing: Mapping[K, M],
    wanted: Mapping[K, dict[str, Any]],
    make: Callable[[K, dict[str, Any]], M],
    fields: tuple[str, ...],
    count: LevelCount,
) -> dict[K, M]:
    """Create, update and retire rows of one level so that they match `wanted`; all rows by key."""
    to_create: list[M] = []
    to_update: list[M] = []
    for key, values in wanted.items():
        row = existing.get(key)
        if row is None:
            to_create.append(make(key, values))
            continue
        changes = {name: value for name, value in values.items() if getattr(row, name) != value}
        if not row.is_available:  # type: ignore[attr-defined]
            changes["is_available"] = True
        if changes:
            for name, value in changes.items():
                setattr(row, name, value)
            to_update.append(row)
    vanished = [row.pk for key, row in existing.items() if key not in wanted and row.is_available]  # type: ignore[attr-defined]
    if to_create:
        model._default_manager.bulk_create(to_create)
    if to_update:
        model._default_manager.bulk_update(to_update, [*fields, "is_available"])
    if vanished:
        model._default_manager.filter(pk__in=vanished).update(is_available=False)
    count.created, count.updated, count.unavailable = len(to_create), len(to_update), len(vanished)
    # PostgreSQL and SQLite ≥ 3.35 return the ids of bulk-created rows (RETURNING).
    assert all(row.pk is not None for row in to_create), "bulk_create must return primary keys"
    rows = dict(existing)
    rows.update(zip([key for key in wanted if key not in existing], to_create, strict=True))
    return rows


def _wanted_products(snapshot: CatalogSnapshot) -> dict[str, dict[str, Any]]:
    return {
        product.provider_product_id: {name: getattr(product, name) for name in _FIELDS["products"]}
        for product in snapshot.products
    }


def _sku_values(sku: Any, current: Sku | None) -> dict[str, Any]:
    values = {name: getattr(sku, name) for name in _FIELDS["skus"]}
    values["prerequisite_skus"] = list(sku.prerequisite_skus)
    if not sku.licence_sku_id:  # the provider does not expose it: keep what licence sync found
        values["licence_sku_id"] = current.licence_sku_id if current is not None else ""
    return values


def apply_snapshot(connection: Connection, snapshot: CatalogSnapshot, *, now: datetime) -> ImportSummary:
    """Make `connection`'s catalog match `snapshot`. Call it inside a transaction."""
    summary = ImportSummary(warnings=list(snapshot.warnings))
    counts = summary.levels
    products = _sync(
        Product,
        {p.provider_product_id: p for p in Product.objects.filter(connection=connection)},
        _wanted_products(snapshot),
        lambda key, values: Product(
            connection=connection, provider_product_id=key, last_seen_at=now, **values
        ),
        _FIELDS["products"],
        counts["products"],
    )
    existing_skus = {
        (sku.product_id, sku.provider_sku_id): sku
        for sku in Sku.objects.filter(product__connection=connection)
    }
    wanted_skus = {
        (products[p.provider_product_id].pk, s.provider_sku_id): s for p in snapshot.products for s in p.skus
    }
    skus = _sync(
        Sku,
        existing_skus,
        {key: _sku_values(sku, existing_skus.get(key)) for key, sku in wanted_skus.items()},
        lambda key, values: Sku(product_id=key[0], provider_sku_id=key[1], **values),
        _FIELDS["skus"],
        counts["skus"],
    )
    wanted_availabilities = {
        (skus[key].pk, a.provider_availability_id): a
        for key, sku in wanted_skus.items()
        for a in sku.availabilities
    }
    availabilities = _sync(
        Availability,
        {
            (a.sku_id, a.provider_availability_id): a
            for a in Availability.objects.filter(sku__product__connection=connection)
        },
        {
            key: {"catalog_item_id": a.catalog_item_id, "is_purchasable": a.is_purchasable}
            for key, a in wanted_availabilities.items()
        },
        lambda key, values: Availability(sku_id=key[0], provider_availability_id=key[1], **values),
        _FIELDS["availabilities"],
        counts["availabilities"],
    )
    wanted_offers = {
        (availabilities[key].pk, o.term, o.billing_cycle): {
            "description": o.description[:300],
            "cancellation_window": o.cancellation_window,
        }
        for key, availability in wanted_availabilities.items()
        for o in availability.offers
    }
    offers = _sync(
        Offer,
        {
            (o.availability_id, o.term, o.billing_cycle): o
            for o in Offer.objects.filter(availability__sku__product__connection=connection)
        },
        wanted_offers,
        lambda key, values: Offer(availability_id=key[0], term=key[1], billing_cycle=key[2], **values),
        _FIELDS["offers"],
        counts["offers"],
    )
    item_of = {availabilities[key].pk: availabilities[key].catalog_item_id for key in wanted_availabilities}
    by_item = {(item_of[pk], term, cycle): offers[(pk, term, cycle)] for (pk, term, cycle) in wanted_offers}
    _apply_prices(connection, snapshot.prices, by_item, now, summary)
    Product.objects.filter(connection=connection, is_available=True).update(last_seen_at=now)
    return summary


def _apply_prices(
    connection: Connection,
    prices: Iterable[PriceData],
    offers: Mapping[tuple[str, str, str], Offer],
    now: datetime,
    summary: ImportSummary,
) -> None:
    open_prices = {
        (price.offer_id, price.currency): price
        for price in ProviderPrice.objects.filter(
            offer__availability__sku__product__connection=connection, superseded_at__isnull=True
        )
    }
    wanted: dict[tuple[int, str], PriceData] = {}
    unmatched = 0
    for price in prices:
        offer = offers.get((price.catalog_item_id, price.term, price.billing_cycle))
        if offer is None:
            unmatched += 1
            continue
        wanted[(offer.pk, price.currency)] = price
    if unmatched:
        summary.warnings.append(
            f"{unmatched} price sheet rows match no offer of the catalog and were skipped."
        )
    closed: list[ProviderPrice] = []
    opened: list[ProviderPrice] = []
    for (offer_pk, currency), price in wanted.items():
        current = open_prices.get((offer_pk, currency))
        if current is not None and current.unit_price == price.unit_price:
            continue
        stated = price.effective_from
        effective = stated if stated is not None and stated <= now else now
        if current is not None:
            effective = max(effective, current.effective_from) if stated is not None else now
            current.superseded_at = effective
            closed.append(current)
        opened.append(
            ProviderPrice(
                offer_id=offer_pk, currency=currency, unit_price=price.unit_price, effective_from=effective
            )
        )
    # Close before opening: at most one open price per offer and currency (a partial unique index).
    if closed:
        ProviderPrice.objects.bulk_update(closed, ["superseded_at"])
    if opened:
        ProviderPrice.objects.bulk_create(opened)
    summary.price_changes = len(closed)
    summary.prices_created = len(opened) - len(closed)
