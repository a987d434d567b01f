"""Django admin (operators only): templates are editable, the outbox is read-only and bodiless."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from cspbroker.clock import platform_clock
from cspbroker.domain.errors import DomainError
from cspbroker.notifications import services
from cspbroker.notifications.models import EmailTemplate, OutboundEmail


class EmailTemplateAdminForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = EmailTemplate
        fields = ["name", "subject", "body", "extra_recipients", "is_active"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            addresses = services.validate_template(
                key=self.instance.key,
                subject=data.get("subject", ""),
                body=data.get("body", ""),
                extra_recipients=data.get("extra_recipients", ""),
            )
        except DomainError as error:
            self.add_error(error.field if error.field in self.fields else None, error.message)
        else:
            data["extra_recipients"] = ", ".join(addresses)
        return data


@admin.register(EmailTemplate)
class EmailTemplateAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = EmailTemplateAdminForm
    list_display = ["key", "name", "is_active", "updated_at", "updated_by"]
    search_fields = ["key", "name", "subject"]
    readonly_fields = ["key", "updated_at", "updated_by"]

    # The keys are the code's: templates are seeded by a migration, never added or removed by hand.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        obj.updated_by = request.user
        obj.updated_at = platform_clock.now()  # the admin is an entry point: no clock is passed to it
        super().save_model(request, obj, form, change)


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["created_at", "template_key", "organization", "subject", "status", "attempts", "sent_at"]
    list_filter = ["status", "template_key"]
    search_fields = ["subject", "idempotency_key"]
    # The body (credentials, licence keys) is never shown; status changes go through the outbox page.
    exclude = ["body"]

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).defer("body")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in OutboundEmail._meta.fields if f.name != "body"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
