"""Billing pages: `backoffice/billing/…` for staff, `store/billing/…` for customers."""

from django.urls import URLPattern, path

from cspbroker.web.views import billing


def _both(route: str, view, name: str) -> list[URLPattern]:  # type: ignore[no-untyped-def]
    return [
        path(f"backoffice/billing/{route}", view, {"area": "backoffice"}, name=f"backoffice-billing-{name}"),
        path(f"store/billing/{route}", view, {"area": "store"}, name=f"store-billing-{name}"),
    ]


urlpatterns: list[URLPattern] = [
    *_both("", billing.report, "report"),
    *_both("invoices/", billing.invoice_list, "invoices"),
    *_both("invoices/<int:invoice_id>/", billing.invoice_detail, "invoice"),
    *_both("invoices/<int:invoice_id>/pdf/", billing.invoice_pdf, "invoice-pdf"),
    *_both("credit-notes/<int:credit_note_id>/pdf/", billing.credit_note_pdf, "credit-note-pdf"),
    path(
        "backoffice/billing/invoices/<int:invoice_id>/issue/",
        billing.invoice_issue,
        name="backoffice-billing-issue",
    ),
    path(
        "backoffice/billing/invoices/<int:invoice_id>/credit/",
        billing.invoice_credit,
        name="backoffice-billing-credit",
    ),
    path("backoffice/billing/runs/", billing.run_start, name="backoffice-billing-run"),
]
