"""Catalog and price-list pages: back office (staff) and storefront (customers)."""

from django.urls import URLPattern, path

from cspbroker.web.views import catalog, price_lists

urlpatterns: list[URLPattern] = [
    path("backoffice/catalog/", catalog.backoffice_catalog, name="backoffice-catalog"),
    path(
        "backoffice/catalog/products/<int:product_id>/",
        catalog.backoffice_product,
        name="backoffice-catalog-product",
    ),
    path("backoffice/catalog/imports/", catalog.import_start, name="backoffice-catalog-import"),
    path(
        "backoffice/catalog/imports/<int:import_id>/",
        catalog.import_status,
        name="backoffice-catalog-import-status",
    ),
    path("backoffice/price-lists/", price_lists.price_list_index, name="backoffice-price-lists"),
    path("backoffice/price-lists/markup-rules/", price_lists.markup_rules, name="backoffice-markup-rules"),
    path(
        "backoffice/price-lists/markup-rules/<int:rule_id>/delete/",
        price_lists.markup_rule_delete,
        name="backoffice-markup-rule-delete",
    ),
    path(
        "backoffice/price-lists/<int:price_list_id>/",
        price_lists.price_list_detail,
        name="backoffice-price-list",
    ),
    path(
        "backoffice/price-lists/<int:price_list_id>/entries/<int:entry_id>/delete/",
        price_lists.price_entry_delete,
        name="backoffice-price-entry-delete",
    ),
    path("store/catalog/", catalog.store_catalog, name="store-catalog"),
]
