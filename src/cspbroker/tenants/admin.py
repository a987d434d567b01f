"""Django admin (operators): tenants, users and imports are read-only mirrors of the provider."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from cspbroker.tenants.models import LicenceAssignment, Tenant, TenantUser, UserImport


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object | None = None) -> bool:
        return False


@admin.register(Tenant)
class TenantAdmin(ReadOnlyAdmin):
    list_display = (
        "domain",
        "customer",
        "connection",
        "status",
        "is_linked",
        "failure_code",
        "last_synced_at",
    )
    list_filter = ("status", "is_linked", "connection")
    search_fields = ("domain", "provider_tenant_id", "customer__legal_name")
    exclude = ("creation_request",)


@admin.register(TenantUser)
class TenantUserAdmin(ReadOnlyAdmin):
    list_display = ("user_principal_name", "display_name", "tenant", "usage_location", "is_active")
    list_filter = ("is_active",)
    search_fields = ("user_principal_name", "display_name")
    list_select_related = ("tenant",)


@admin.register(LicenceAssignment)
class LicenceAssignmentAdmin(ReadOnlyAdmin):
    list_display = ("user", "licence_sku_id", "assigned_at")
    search_fields = ("user__user_principal_name", "licence_sku_id")
    list_select_related = ("user",)


@admin.register(UserImport)
class UserImportAdmin(ReadOnlyAdmin):
    list_display = ("pk", "tenant", "status", "total", "created_count", "failed_count", "created_at")
    list_filter = ("status",)
    exclude = ("rows",)
