"""Invoices (`/invoices`) and billing (`/billing`: report, runs, preview). Handlers only translate.

Cost and margin appear only for staff (`view_cost`); a customer's report, export or invoice never
carries them.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema
from ninja.responses import Status

from cspbroker.accounts.services import PermissionDenied
from cspbroker.api.auth import actor
from cspbroker.billing import exports, pdf, preview, selectors
from cspbroker.billing.models import CreditNote, Invoice
from cspbroker.billing.report import BillingReport, billing_report, last_month, parse_month
from cspbroker.billing.services import credit_notes
from cspbroker.billing.services import invoices as invoice_services
from cspbroker.billing.services.run_requests import request_run
from cspbroker.clock import platform_clock

invoices = Router(tags=["invoices"])
router = Router(tags=["billing"])


class InvoiceOut(Schema):
    id: int
    number: str
    status: str
    customer_id: int
    issuer_id: int
    cycle: str
    bill_date: date
    currency: str
    total: Decimal
    issued_on: date | None
    lines: list[dict[str, Any]]
    credit_notes: list[dict[str, Any]]


class CreditNoteIn(Schema):
    reason: str
    amount: Decimal | None = None


class CreditNoteOut(Schema):
    id: int
    number: str
    invoice_id: int
    amount: Decimal
    currency: str
    issued_on: date
    reason: str


class RunIn(Schema):
    cycle: str
    reseller_id: int | None = None


class RunOut(Schema):
    id: int
    cycle: str
    status: str
    reseller_id: int | None


def _invoice_out(invoice: Invoice) -> dict[str, Any]:
    from cspbroker.billing.services.invoices import line_snapshot

    if invoice.status == "draft":
        lines = [
            line_snapshot(line)
            for line in invoice.bill.lines.order_by("subscription_id", "effective_on", "id")
        ]
    else:
        lines = invoice.lines_snapshot
    notes = [
        {"id": n.pk, "number": n.number, "amount": str(n.amount), "issued_on": n.issued_on.isoformat()}
        for n in invoice.credit_notes.order_by("id")
    ]
    return {
        "id": invoice.pk,
        "number": invoice.number,
        "status": invoice.status,
        "customer_id": invoice.customer_id,
        "issuer_id": invoice.issuer_id,
        "cycle": invoice.bill.cycle_label,
        "bill_date": invoice.bill.bill_date,
        "currency": invoice.bill.currency,
        "total": invoice.total if invoice.total is not None else invoice.bill.total,
        "issued_on": invoice.issued_on,
        "lines": lines,
        "credit_notes": notes,
    }


@invoices.get("", response=list[InvoiceOut], summary="Invoices you may see (customers: their own)")
def list_invoices(
    request: HttpRequest, customer_id: int | None = None, status: str | None = None
) -> list[Any]:
    rows = selectors.invoices_for(actor(request), customer_id=customer_id, status=status)
    return [_invoice_out(invoice) for invoice in rows[:500]]


@invoices.get("/{invoice_id}", response=InvoiceOut)
def get_invoice(request: HttpRequest, invoice_id: int) -> dict[str, Any]:
    return _invoice_out(selectors.invoice_for(actor(request), invoice_id))


@invoices.get("/{invoice_id}/pdf", summary="The invoice as PDF")
def invoice_pdf(request: HttpRequest, invoice_id: int) -> HttpResponse:
    invoice = selectors.invoice_for(actor(request), invoice_id)
    response = HttpResponse(pdf.invoice_pdf(invoice), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{invoice.number or f"draft-{invoice.pk}"}.pdf"'
    return response


@invoices.post(
    "/{invoice_id}/issue", response=InvoiceOut, summary="Number and freeze a draft invoice (staff)"
)
def issue(request: HttpRequest, invoice_id: int) -> dict[str, Any]:
    who = actor(request)
    invoice = selectors.invoice_for(who, invoice_id)
    issued = invoice_services.issue_invoice(invoice_id=invoice.pk, actor=who, clock=platform_clock)
    return _invoice_out(issued)


@invoices.post(
    "/{invoice_id}/credit-notes", response={201: CreditNoteOut}, summary="Correct an issued invoice"
)
def credit(request: HttpRequest, invoice_id: int, body: CreditNoteIn) -> Status[CreditNote]:
    who = actor(request)
    invoice = selectors.invoice_for(who, invoice_id)
    note = credit_notes.create_credit_note(
        invoice_id=invoice.pk, reason=body.reason, amount=body.amount, actor=who, clock=platform_clock
    )
    return Status(201, note)


def report_for(request: HttpRequest, customer_id: int, first: str | None, last: str | None) -> BillingReport:
    who = actor(request)
    customer = selectors.customer_for(who, customer_id)
    if first is None and last is None:
        first_month, last_month_ = last_month(platform_clock.today(customer.time_zone))
    else:
        first_month = parse_month(first or last or "", "from")
        last_month_ = parse_month(last or first or "", "to")
    return billing_report(customer, first_month, last_month_, show_cost=selectors.shows_cost(who, customer))


def report_json(report: BillingReport) -> dict[str, Any]:
    def money(value: Any) -> str | None:
        return None if value is None else str(value.amount)

    cycles = []
    for cycle in report.cycles:
        item: dict[str, Any] = {
            "cycle": cycle.label,
            "bill_date": cycle.bill_date.isoformat(),
            "period": [cycle.period_start.isoformat(), cycle.period_last_day.isoformat()],
            "currency": cycle.currency,
            "total": money(cycle.total),
            "invoice_id": cycle.invoice_id,
            "subscriptions": [],
        }
        if report.show_cost:
            item.update(cost=money(cycle.cost), margin=money(cycle.margin))
        for sub in cycle.subscriptions:
            sub_item: dict[str, Any] = {"subscription_id": sub.subscription_id, "name": sub.name}
            sub_item["amount"] = money(sub.amount)
            if report.show_cost:
                sub_item.update(cost=money(sub.cost), margin=money(sub.margin))
            sub_item["lines"] = [
                {
                    "charge_type": line.charge_type,
                    "quantity": line.quantity,
                    "unit_price": money(line.unit_price),
                    "amount": money(line.amount),
                    "period": [line.period_start.isoformat(), line.period_last_day.isoformat()],
                    "price_source": line.price_source,
                    "explanation": line.explanation,
                    **({"cost": money(line.cost), "margin": money(line.margin)} if report.show_cost else {}),
                }
                for line in sub.lines
            ]
            item["subscriptions"].append(sub_item)
        cycles.append(item)
    return {"customer_id": report.customer.pk, "cycles": cycles}


@router.get("/report", summary="Billing report: bills per cycle → subscriptions → lines (format=csv|xlsx)")
def report(
    request: HttpRequest,
    customer_id: int,
    from_: str | None = Query(None, alias="from"),  # type: ignore[type-arg]
    to: str | None = None,
    format: str = "json",
) -> Any:
    data = report_for(request, customer_id, from_, to)
    if format == "csv":
        response = HttpResponse(exports.to_csv(data), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="billing-report.csv"'
        return response
    if format == "xlsx":
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        response = HttpResponse(exports.to_xlsx(data), content_type=content_type)
        response["Content-Disposition"] = 'attachment; filename="billing-report.xlsx"'
        return response
    return report_json(data)


@router.post("/runs", response={202: RunOut}, summary="Queue the billing run of a cycle (staff)")
def start_run(request: HttpRequest, body: RunIn) -> Status[dict[str, Any]]:
    who = actor(request)
    if not who.is_staff:
        raise PermissionDenied("Only staff run billing.")
    if body.reseller_id is not None:
        from cspbroker.accounts import selectors as accounts

        accounts.organization_for(who, body.reseller_id)
    elif not who.is_operator_admin:
        raise PermissionDenied("Name your reseller_id; only the operator runs billing for everyone.")
    run = request_run(cycle=body.cycle, reseller_id=body.reseller_id, requested_by=who.ref)
    return Status(
        202, {"id": run.pk, "cycle": run.cycle_label, "status": run.status, "reseller_id": run.reseller_id}
    )


@router.get("/preview", summary="The next bill of a customer, computed now (nothing is written)")
def next_bill(request: HttpRequest, customer_id: int) -> dict[str, Any]:
    who = actor(request)
    customer = selectors.customer_for(who, customer_id)
    result = preview.next_bill(customer, clock=platform_clock)
    return {
        "customer_id": customer.pk,
        "bills": [
            {
                "cycle": bill.cycle.label,
                "bill_date": bill.bill_date.isoformat(),
                "currency": bill.currency,
                "total": str(bill.total.amount),
                "lines": [
                    {
                        "subscription_id": line.subscription_id,
                        "charge_type": line.charge_type.value,
                        "quantity": line.quantity,
                        "unit_price": str(line.unit_price.amount),
                        "amount": str(line.amount.amount),
                        "explanation": line.explanation,
                    }
                    for line in bill.lines
                ],
            }
            for bill in result.bills
        ],
        "not_billed": {str(key): value for key, value in result.errors.items()},
    }
