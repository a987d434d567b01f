"""The catalog in Django's admin (operators only): read what was imported, fix a price list by hand."""

from __future__ import annotations

from django.contrib import admin

from cspbroker.catalog.models import (
    CatalogImport,
    MarkupRule,
    Offer,
    PriceList,
    PriceListEntry,
    Product,
    ProviderPrice,
    Sku,
)


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = (
        "title",
        "provider_product_id",
        "category",
        "product_group",
        "target_view",
        "is_available",
    )
    list_filter = ("is_available", "category", "target_view", "connection")
    search_fields = ("title", "provider_product_id")


@admin.register(Sku)
class SkuAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("title", "provider_sku_id", "product", "is_addon", "is_trial", "is_available")
    list_filter = ("is_available", "is_addon", "is_trial")
    search_fields = ("title", "product__title")
    list_select_related = ("product",)


@admin.register(Offer)
class OfferAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("__str__", "term", "billing_cycle", "is_available")
    list_filter = ("is_available", "billing_cycle", "term")
    search_fields = ("availability__catalog_item_id", "availability__sku__title")
    list_select_related = ("availability__sku",)


@admin.register(ProviderPrice)
class ProviderPriceAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("offer", "currency", "unit_price", "effective_from", "superseded_at")
    list_filter = ("currency",)
    list_select_related = ("offer__availability__sku",)
    # The history of costs is written by imports only.
    readonly_fields = ("offer", "currency", "unit_price", "effective_from", "superseded_at")


class PriceListEntryInline(admin.TabularInline):  # type: ignore[type-arg]
    model = PriceListEntry
    extra = 0
    raw_id_fields = ("offer",)


@admin.register(PriceList)
class PriceListAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "owner", "customer", "currency")
    list_select_related = ("owner", "customer")
    inlines = (PriceListEntryInline,)


@admin.register(MarkupRule)
class MarkupRuleAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("owner", "category", "markup_percent", "effective_from")


@admin.register(CatalogImport)
class CatalogImportAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("pk", "connection", "status", "requested_by", "created_at", "finished_at")
    list_filter = ("status",)
    readonly_fields = tuple(field.name for field in CatalogImport._meta.fields)
