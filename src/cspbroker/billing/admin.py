from django.contrib import admin

from cspbroker.billing.models import Bill, BillingRun, ChargeLine, CreditNote, Invoice


@admin.register(Bill)
class BillAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("customer", "cycle_label", "currency", "total", "line_count", "bill_date")
    list_filter = ("cycle_label", "currency")


@admin.register(ChargeLine)
class ChargeLineAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("subscription", "charge_type", "effective_on", "quantity", "amount", "currency")
    list_filter = ("charge_type",)

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False  # computed from the ledgers, never edited by hand


@admin.register(Invoice)
class InvoiceAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("__str__", "customer", "status", "total", "currency", "issued_on")
    list_filter = ("status",)

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False  # transitions go through services/invoices.py


@admin.register(CreditNote)
class CreditNoteAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("number", "invoice", "amount", "currency", "issued_on")

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(BillingRun)
class BillingRunAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("cycle_label", "reseller", "status", "created_at", "finished_at")
