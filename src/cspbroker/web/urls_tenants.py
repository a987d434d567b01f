"""Tenants, users and licences: the back office (staff) and the storefront (customers) share the views."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.urls import URLPattern, path

from cspbroker.web.views import tenant_users, tenants
from cspbroker.web.views.access import customer_required, staff_required

AREAS: dict[str, tuple[str, Callable[..., Any]]] = {
    "backoffice": ("backoffice/tenants/<int:tenant_id>/", staff_required),
    "store": ("store/tenant/<int:tenant_id>/", customer_required),
}

# (path below the tenant, view, name) — each exists in both areas.
_TENANT_PAGES: list[tuple[str, Callable[..., Any], str]] = [
    ("", tenants.tenant_detail, "tenant"),
    ("status/", tenants.tenant_status, "tenant-status"),
    ("sync/", tenants.tenant_sync, "tenant-sync"),
    ("users/", tenant_users.user_list, "tenant-users"),
    ("users/new/", tenant_users.user_new, "tenant-user-new"),
    ("users/<int:user_id>/", tenant_users.user_detail, "tenant-user"),
    ("users/<int:user_id>/delete/", tenant_users.user_delete, "tenant-user-delete"),
    ("users/<int:user_id>/reset-password/", tenant_users.user_reset, "tenant-user-reset"),
    ("users/import/", tenant_users.user_import_view, "tenant-import"),
    ("users/import/<int:import_id>/", tenant_users.user_import_progress, "tenant-import-progress"),
    ("users/import/<int:import_id>/start/", tenant_users.user_import_start, "tenant-import-start"),
    ("users/export/", tenant_users.user_export, "tenant-export"),
    ("licences/", tenant_users.licence_change, "tenant-licences"),
]


def _area_patterns() -> list[URLPattern]:
    patterns = []
    for area, (prefix, admit) in AREAS.items():
        for suffix, view, name in _TENANT_PAGES:
            patterns.append(path(prefix + suffix, admit(view), {"area": area}, name=f"{area}-{name}"))
    return patterns


urlpatterns: list[URLPattern] = [
    path("backoffice/tenants/", staff_required(tenants.tenant_list), name="backoffice-tenants"),
    path(
        "backoffice/customers/<int:customer_id>/tenant/new/",
        staff_required(tenants.tenant_new),
        name="backoffice-tenant-new",
    ),
    path(
        "backoffice/customers/<int:customer_id>/tenant/domain-check/",
        staff_required(tenants.domain_check),
        name="backoffice-tenant-domain-check",
    ),
    path(
        "backoffice/tenants/<int:tenant_id>/retry/",
        staff_required(tenants.tenant_retry),
        name="backoffice-tenant-retry",
    ),
    path("store/tenant/", customer_required(tenants.store_tenant_index), name="store-tenant-index"),
    path("store/users/", customer_required(tenants.store_users_index), name="store-users"),
    *_area_patterns(),
]
