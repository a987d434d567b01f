"""What one provider's catalog looks like right now, in the shape of our tables.

`sources` turns a provider's answers into a `CatalogSnapshot`; `importer` makes the tables match it.
Keeping the two apart means the import rules (idempotence, price history, nothing deleted) are
tested once, for every provider, and the provider code only translates.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

# (steps done, steps in all, what is being done) — for progress bars and the import page.
Progress = Callable[[int, int, str], None]


def no_progress(done: int, total: int, label: str) -> None:
    """The progress callback of a caller who does not watch."""


@dataclass(frozen=True)
class OfferData:
    term: str  # "P1M", "P1Y", "P3Y"; "" for perpetual software
    billing_cycle: str  # a catalog.models.BillingCycle value
    description: str = ""
    cancellation_window: str = ""


@dataclass(frozen=True)
class AvailabilityData:
    provider_availability_id: str
    catalog_item_id: str
    is_purchasable: bool = True
    offers: tuple[OfferData, ...] = ()


@dataclass(frozen=True)
class SkuData:
    provider_sku_id: str
    title: str
    description: str = ""
    minimum_quantity: int = 1
    maximum_quantity: int = 10000
    is_trial: bool = False
    is_addon: bool = False
    prerequisite_skus: tuple[str, ...] = ()
    licence_sku_id: str = ""
    availabilities: tuple[AvailabilityData, ...] = ()


@dataclass(frozen=True)
class ProductData:
    provider_product_id: str
    title: str
    description: str = ""
    category: str = ""
    product_group: str = ""
    target_view: str = ""
    publisher: str = ""
    skus: tuple[SkuData, ...] = ()


@dataclass(frozen=True)
class PriceData:
    """The provider's price (our cost) per billing period for one offer, in one currency."""

    catalog_item_id: str
    term: str
    billing_cycle: str
    currency: str
    unit_price: Decimal
    effective_from: datetime | None = None


@dataclass
class CatalogSnapshot:
    products: list[ProductData] = field(default_factory=list)
    prices: list[PriceData] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
