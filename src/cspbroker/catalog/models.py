"""The catalog imported from a provider (C1) and the price lists built on it (C2–C3).

Provider data is never deleted: a vanished offer is marked unavailable, a changed provider price
becomes a new `ProviderPrice` row and the old one is closed (`superseded_at`), so every past bill
can still say which cost applied.
"""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar, TypedDict

from django.db import models
from django.db.models import Q

from cspbroker import clock
from cspbroker.accounts.models import Organization
from cspbroker.connections.models import Connection
from cspbroker.domain.money import Money


class _MoneyColumn(TypedDict):
    max_digits: int
    decimal_places: int


MONEY: _MoneyColumn = {
    "max_digits": 18,
    "decimal_places": 6,
}  # unit prices keep provider precision; lines round once


class BillingCycle(models.TextChoices):
    MONTHLY = "monthly", "Monthly"
    ANNUAL = "annual", "Annual"
    TRIENNIAL = "triennial", "Triennial"
    ONE_TIME = "one_time", "One-time"
    NONE = "none", "None (trial)"


class Product(models.Model):
    connection = models.ForeignKey(Connection, on_delete=models.PROTECT, related_name="products")
    provider_product_id = models.CharField(max_length=64)  # e.g. CFQ7TTC0LH18, or the distributor's GUID
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    category = models.CharField(max_length=100, blank=True)  # e.g. "Microsoft 365", "Software"
    product_group = models.CharField(max_length=100, blank=True)  # e.g. "Business", "Enterprise"
    target_view = models.CharField(max_length=40, blank=True)  # OnlineServices, SoftwarePerpetual, …
    publisher = models.CharField(max_length=100, blank=True)
    is_available = models.BooleanField(default=True)
    last_seen_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering: ClassVar[list[str]] = ["category", "product_group", "title"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["connection", "provider_product_id"], name="product_unique_per_connection"
            )
        ]

    def __str__(self) -> str:
        return self.title


class Sku(models.Model):
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="skus")
    provider_sku_id = models.CharField(max_length=64)  # "0001", unique within the product
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    minimum_quantity = models.PositiveIntegerField(default=1)
    maximum_quantity = models.PositiveIntegerField(default=10000)
    is_trial = models.BooleanField(default=False)
    is_addon = models.BooleanField(default=False)
    # Catalog keys of the base SKUs an add-on may be bought for ("productId:skuId").
    prerequisite_skus = models.JSONField(default=list, blank=True)
    # The Entra (AAD) licence SKU id used by subscribedskus and licence assignment; not the catalog id.
    licence_sku_id = models.CharField(max_length=64, blank=True)
    is_available = models.BooleanField(default=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["product", "provider_sku_id"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["product", "provider_sku_id"], name="sku_unique_per_product")
        ]

    def __str__(self) -> str:
        return self.title


class Availability(models.Model):
    sku = models.ForeignKey(Sku, on_delete=models.PROTECT, related_name="availabilities")
    provider_availability_id = models.CharField(max_length=64)
    catalog_item_id = models.CharField(max_length=200)  # productId:skuId:availabilityId
    is_purchasable = models.BooleanField(default=True)
    is_available = models.BooleanField(default=True)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["sku", "provider_availability_id"], name="availability_unique_per_sku"
            )
        ]

    def __str__(self) -> str:
        return self.catalog_item_id


class Offer(models.Model):
    """What is sold: an availability with one term and one billing cycle (the price key)."""

    availability = models.ForeignKey(Availability, on_delete=models.PROTECT, related_name="offers")
    term = models.CharField(max_length=8, blank=True)  # P1M, P1Y, P3Y; "" for perpetual software
    billing_cycle = models.CharField(max_length=12, choices=BillingCycle.choices)
    description = models.CharField(max_length=300, blank=True)
    cancellation_window = models.CharField(max_length=16, blank=True)  # ISO 8601 duration from the catalog
    is_available = models.BooleanField(default=True)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["availability", "term", "billing_cycle"], name="offer_unique_terms"
            )
        ]

    def __str__(self) -> str:
        return (
            f"{self.availability.sku.title} · {self.term or 'perpetual'} · {self.get_billing_cycle_display()}"
        )


class ProviderPrice(models.Model):
    """The provider's price (our cost) for an offer, with history: at most one open row per currency."""

    offer = models.ForeignKey(Offer, on_delete=models.PROTECT, related_name="provider_prices")
    currency = models.CharField(max_length=3)
    unit_price = models.DecimalField(**MONEY)
    effective_from = models.DateTimeField()
    superseded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["offer", "currency", "-effective_from"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["offer", "currency"],
                condition=Q(superseded_at__isnull=True),
                name="provider_price_one_open",
            )
        ]

    @property
    def unit_money(self) -> Money:
        """The unit price as Money, without the column's trailing zeros (never rounded)."""
        return Money(Decimal(f"{self.unit_price.normalize():f}"), self.currency)


class PriceList(models.Model):
    """A reseller's (or the operator's) global list, or a list for one customer."""

    owner = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="price_lists")
    customer = models.ForeignKey(
        Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="customer_price_lists"
    )
    name = models.CharField(max_length=100)
    currency = models.CharField(max_length=3)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering: ClassVar[list[str]] = ["owner", "name"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["owner", "currency"], condition=Q(customer__isnull=True), name="price_list_one_global"
            ),
            models.UniqueConstraint(fields=["owner", "name"], name="price_list_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_global(self) -> bool:
        return self.customer_id is None


class PriceListEntry(models.Model):
    price_list = models.ForeignKey(PriceList, on_delete=models.CASCADE, related_name="entries")
    offer = models.ForeignKey(Offer, on_delete=models.PROTECT, related_name="price_entries")
    sale_price = models.DecimalField(null=True, blank=True, **MONEY)
    markup_percent = models.DecimalField(max_digits=7, decimal_places=3, null=True, blank=True)
    effective_from = models.DateField()

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["price_list", "offer", "effective_from"], name="price_entry_unique_date"
            ),
            models.CheckConstraint(
                condition=(Q(sale_price__isnull=False) & Q(markup_percent__isnull=True))
                | (Q(sale_price__isnull=True) & Q(markup_percent__isnull=False)),
                name="price_entry_price_xor_markup",
            ),
        ]

    @property
    def markup_text(self) -> str:
        """The markup % without the column's trailing zeros: "12.5", "10"."""
        return "" if self.markup_percent is None else f"{self.markup_percent.normalize():f}"


class MarkupRule(models.Model):
    """A markup over cost for everything an owner sells that no list prices (optionally one category)."""

    owner = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="markup_rules")
    category = models.CharField(max_length=100, blank=True)
    markup_percent = models.DecimalField(max_digits=7, decimal_places=3)
    effective_from = models.DateField()

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["owner", "category", "effective_from"], name="markup_rule_unique_date"
            )
        ]

    @property
    def markup_text(self) -> str:
        return f"{self.markup_percent.normalize():f}"


class ImportStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class CatalogImport(models.Model):
    """One run of the catalog import for a connection: who asked, how far it got, what it changed."""

    connection = models.ForeignKey(Connection, on_delete=models.PROTECT, related_name="catalog_imports")
    requested_by = models.CharField(max_length=100)  # Actor.ref
    status = models.CharField(max_length=10, choices=ImportStatus.choices, default=ImportStatus.QUEUED)
    steps_done = models.PositiveIntegerField(default=0)
    steps_total = models.PositiveIntegerField(default=0)
    step_label = models.CharField(max_length=200, blank=True)
    summary = models.JSONField(default=dict, blank=True)  # ImportSummary.as_dict()
    message = models.CharField(max_length=1000, blank=True)
    created_at = models.DateTimeField(default=clock.now, editable=False)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at", "-id"]
        indexes: ClassVar[list[models.Index]] = [models.Index(fields=["connection", "status"])]

    def __str__(self) -> str:
        return f"Catalog import {self.pk} of {self.connection_id} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in {ImportStatus.SUCCEEDED, ImportStatus.FAILED}

    @property
    def percent(self) -> int:
        if self.is_finished:
            return 100
        return 0 if not self.steps_total else min(99, 100 * self.steps_done // self.steps_total)
