"""Billing pages: the report (B3), invoices (B4) and runs, for staff (`backoffice`) and customers (`store`).

Views only translate: selectors decide what the person may see (cost and margin for staff only).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from cspbroker.accounts.access import Actor
from cspbroker.accounts.models import Organization
from cspbroker.billing import exports, pdf, preview, selectors
from cspbroker.billing.models import ChargeType
from cspbroker.billing.report import billing_report, last_month, parse_month
from cspbroker.billing.services import credit_notes, invoices
from cspbroker.billing.services.invoices import line_snapshot
from cspbroker.billing.services.run_requests import request_run
from cspbroker.clock import platform_clock
from cspbroker.domain.errors import DomainError
from cspbroker.domain.money import Money
from cspbroker.web.context import current_actor
from cspbroker.web.views.access import customer_required, staff_required

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _who(request: HttpRequest, area: str) -> Actor:
    actor = current_actor(request)
    if actor is None or (area == "backoffice" and not actor.is_staff):
        raise Http404("Not found.")
    return actor


def _customer(request: HttpRequest, actor: Actor, area: str) -> Organization | None:
    if area == "store":
        return selectors.own_customer(actor)
    customer_id = request.GET.get("customer")
    return selectors.customer_for(actor, int(customer_id)) if customer_id and customer_id.isdigit() else None


def _area(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    def wrapper(request: HttpRequest, *args: Any, area: str, **kwargs: Any) -> HttpResponse:
        guard = staff_required if area == "backoffice" else customer_required
        return guard(view)(request, *args, area=area, **kwargs)

    wrapper.__name__ = view.__name__
    return wrapper


@_area
def report(request: HttpRequest, area: str) -> HttpResponse:
    actor = _who(request, area)
    customer = _customer(request, actor, area)
    context: dict[str, object] = {"area": area, "customer": customer, "error": ""}
    if area == "backoffice":
        context["customers"] = selectors.customers_for(actor)
    if customer is not None:
        try:
            if request.GET.get("range", "last") == "custom":
                first = parse_month(request.GET.get("from", ""), "from")
                last = parse_month(request.GET.get("to", "") or request.GET.get("from", ""), "to")
            else:
                first, last = last_month(platform_clock.today(customer.time_zone))
            data = billing_report(customer, first, last, show_cost=selectors.shows_cost(actor, customer))
        except DomainError as error:
            context["error"] = error.message
            return render(request, "backoffice/billing/report.html", context, status=400)
        fmt = request.GET.get("format")
        if fmt == "csv":
            response = HttpResponse(exports.to_csv(data), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = 'attachment; filename="billing-report.csv"'
            return response
        if fmt == "xlsx":
            response = HttpResponse(exports.to_xlsx(data), content_type=XLSX)
            response["Content-Disposition"] = 'attachment; filename="billing-report.xlsx"'
            return response
        context.update(report=data, query=request.GET.urlencode(), first=first, last=last)
        context["next_bill"] = preview.next_bill(customer, clock=platform_clock)
    return render(request, "backoffice/billing/report.html", context)


@_area
def invoice_list(request: HttpRequest, area: str) -> HttpResponse:
    actor = _who(request, area)
    customer_id = selectors.own_customer(actor).pk if area == "store" else None
    rows = selectors.invoices_for(actor, customer_id=customer_id, status=request.GET.get("status") or None)
    context = {"area": area, "invoices": rows[:200]}
    if area == "backoffice":
        context["runs"] = selectors.runs_for(actor)
    return render(request, "backoffice/billing/invoices.html", context)


def _display_lines(invoice: Any) -> list[dict[str, Any]]:
    """An issued invoice shows its frozen snapshot; a draft its bill's current lines — the same way."""
    if invoice.status != "draft":
        snapshots = list(invoice.lines_snapshot)
    else:
        snapshots = [
            line_snapshot(line)
            for line in invoice.bill.lines.order_by("subscription_id", "effective_on", "id")
        ]
    rows = []
    for line in snapshots:
        currency = line["currency"]
        rows.append(
            {
                **line,
                "charge": ChargeType(line["charge_type"]).label,
                "unit_price_text": str(Money.of(line["unit_price"], currency).rounded()),
                "amount_text": str(Money.of(line["amount"], currency).rounded()),
            }
        )
    return rows


@_area
def invoice_detail(request: HttpRequest, invoice_id: int, area: str) -> HttpResponse:
    actor = _who(request, area)
    invoice = selectors.invoice_for(actor, invoice_id)
    context = {
        "area": area,
        "invoice": invoice,
        "lines": _display_lines(invoice),
        # The bill's period end is exclusive (it is the bill date); people read the cycle's last day.
        "cycle_last_day": invoice.bill.period_end - timedelta(days=1),
        "total": invoice.total if invoice.total is not None else invoice.bill.total,
        "credit_notes": invoice.credit_notes.order_by("id"),
    }
    return render(request, "backoffice/billing/invoice.html", context)


@_area
def invoice_pdf(request: HttpRequest, invoice_id: int, area: str) -> HttpResponse:
    invoice = selectors.invoice_for(_who(request, area), invoice_id)
    response = HttpResponse(pdf.invoice_pdf(invoice), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{invoice.number or f"draft-{invoice.pk}"}.pdf"'
    return response


@_area
def credit_note_pdf(request: HttpRequest, credit_note_id: int, area: str) -> HttpResponse:
    note = selectors.credit_note_for(_who(request, area), credit_note_id)
    response = HttpResponse(pdf.credit_note_pdf(note), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{note.number}.pdf"'
    return response


@staff_required
@require_POST
def invoice_issue(request: HttpRequest, invoice_id: int) -> HttpResponse:
    actor = _who(request, "backoffice")
    invoice = selectors.invoice_for(actor, invoice_id)
    try:
        issued = invoices.issue_invoice(invoice_id=invoice.pk, actor=actor, clock=platform_clock)
        messages.success(request, f"Invoice {issued.number} is issued.")
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("backoffice-billing-invoice", invoice_id=invoice.pk)


@staff_required
@require_POST
def invoice_credit(request: HttpRequest, invoice_id: int) -> HttpResponse:
    actor = _who(request, "backoffice")
    invoice = selectors.invoice_for(actor, invoice_id)
    try:
        text = request.POST.get("amount", "").strip()
        amount = Decimal(text) if text else None
        note = credit_notes.create_credit_note(
            invoice_id=invoice.pk,
            reason=request.POST.get("reason", ""),
            amount=amount,
            actor=actor,
            clock=platform_clock,
        )
        messages.success(request, f"Credit note {note.number} is issued.")
    except InvalidOperation:
        messages.error(request, "The amount is not a number.")
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("backoffice-billing-invoice", invoice_id=invoice.pk)


@staff_required
@require_POST
def run_start(request: HttpRequest) -> HttpResponse:
    actor = _who(request, "backoffice")
    reseller = request.POST.get("reseller") or None
    try:
        if reseller is None and not actor.is_operator_admin:
            raise DomainError("Choose your reseller; only the operator runs billing for everyone.")
        run = request_run(
            cycle=request.POST.get("cycle", ""),
            reseller_id=int(reseller) if reseller else None,
            requested_by=actor.ref,
        )
        messages.success(request, f"The billing run of {run.cycle_label} is queued.")
    except (DomainError, ValueError) as error:
        messages.error(request, getattr(error, "message", str(error)))
    return redirect("backoffice-billing-invoices")
