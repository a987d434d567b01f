"""Invoices and reconciliation line items (NCE / one-time provider).

Unbilled lines are those not yet closed into an invoice; `period=current` are the unbilled lines of
the sandbox clock's current calendar month, `period=previous` the older unbilled ones. The sandbox
admin action `POST /_sandbox/invoices/close` closes every unbilled line into one invoice per currency.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..common.errors import ApiError
from .billing import public
from .catalog import CURRENCY_SYMBOLS
from .http import collection, int_param, link, respond, seek_page
from .state import PCState
from .timeutil import exact, iso, parse

_LINES = "/lineitems?provider=onetime&invoicelineitemtype=billinglineitems"


def _request_invalid() -> ApiError:
    return ApiError(400, 400, "The request is invalid.")


def _line_kind(request: Request) -> str:
    """'billing' or 'none' (a valid query the sandbox has no lines for); 400 for anything else."""
    provider = request.query_params.get("provider") or ""
    kind = (
        request.query_params.get("invoicelineitemtype")
        or request.query_params.get("invoiceLineItemType")
        or ""
    ).lower()
    if provider.lower() not in ("onetime", "office", "azure"):
        raise _request_invalid()  # notably "one_time": the query wants "onetime"
    if kind not in ("billinglineitems", "usagelineitems"):
        raise _request_invalid()
    return "billing" if provider.lower() == "onetime" and kind == "billinglineitems" else "none"


def close_period(state: PCState) -> list[dict[str, Any]]:
    now = state.now()
    unbilled = state.store.list("recon", where=lambda line: line["invoiceNumber"] == "")
    by_currency: dict[str, list[dict[str, Any]]] = {}
    for line in unbilled:
        by_currency.setdefault(line["currency"], []).append(line)
    invoices = []
    with state.store.transaction():
        last = state.store.get("_sandbox", "last-invoice-close")
        for currency, lines in sorted(by_currency.items()):
            number = f"G{16_900_000 + state.store.next_seq('invoice'):09d}"
            start = parse(last["at"]) if last else min(parse(line["_at"]) for line in lines)
            total = sum((Decimal(line["subtotal"]) for line in lines), Decimal(0))
            invoice = {
                "id": number,
                "invoiceDate": iso(now),
                "billingPeriodStartDate": iso(start),
                "billingPeriodEndDate": iso(now),
                "totalCharges": str(total),
                "paidAmount": "0",
                "currencyCode": currency,
                "currencySymbol": CURRENCY_SYMBOLS.get(currency, currency),
                "_at": exact(now),
                "_lines": len(lines),
            }
            state.store.put("invoices", number, invoice)
            for line in lines:
                line["invoiceNumber"] = number
                state.store.put("recon", line["_id"], line, parent=number)
            invoices.append(invoice)
        state.store.put("_sandbox", "last-invoice-close", {"at": exact(now)})
    return invoices


def render_invoice(invoice: dict[str, Any]) -> dict[str, Any]:
    base = f"/invoices/{invoice['id']}"
    return {
        "id": invoice["id"],
        "invoiceDate": invoice["invoiceDate"],
        "billingPeriodStartDate": invoice["billingPeriodStartDate"],
        "billingPeriodEndDate": invoice["billingPeriodEndDate"],
        "totalCharges": Decimal(invoice["totalCharges"]),
        "paidAmount": Decimal(invoice["paidAmount"]),
        "currencyCode": invoice["currencyCode"],
        "currencySymbol": invoice["currencySymbol"],
        "pdfDownloadLink": f"{base}/documents/statement",
        "taxReceipts": [],
        "invoiceDetails": [
            {
                "invoiceLineItemType": "billing_line_items",
                "billingProvider": "one_time",
                "links": {"self": link(base + _LINES)},
                "attributes": {"objectType": "InvoiceDetail"},
            }
        ],
        "amendments": [],
        "documentType": "invoice",
        "amendsOf": None,
        "invoiceType": "Recurring",
        "links": {"self": link(base)},
        "attributes": {"objectType": "Invoice"},
    }


def routes(state: PCState) -> list[Route]:
    def invoice_or_404(invoice_id: str) -> dict[str, Any]:
        invoice = state.store.get("invoices", invoice_id.upper())
        if invoice is None:
            raise ApiError(404, 404, f"Invoice {invoice_id} was not found.")
        return invoice

    async def unbilled(request: Request) -> Response:
        kind = _line_kind(request)
        currency = (
            request.query_params.get("currencycode") or request.query_params.get("currencyCode") or ""
        ).upper()
        period = (request.query_params.get("period") or "").lower()
        if not currency or period not in ("current", "previous"):
            raise _request_invalid()
        month = state.now().strftime("%Y-%m")

        def wanted(line: dict[str, Any]) -> bool:
            in_period = line["_period"] == month if period == "current" else line["_period"] < month
            return bool(line["invoiceNumber"] == "" and line["currency"] == currency and in_period)

        lines = (
            [public(line) for line in state.store.list("recon", where=wanted)] if kind == "billing" else []
        )
        params = {
            "provider": "onetime",
            "invoicelineitemtype": request.query_params.get("invoicelineitemtype", ""),
            "currencycode": currency,
            "period": period,
        }
        page = seek_page(
            request,
            lines,
            "/invoices/unbilled/lineitems",
            default_size=2000,
            max_size=2000,
            extra_params=params,
        )
        return respond(page)

    async def list_invoices(request: Request) -> Response:
        size = int_param(request, "size", 200, high=1000)
        offset = int_param(request, "offset", 0, low=0, high=1_000_000)
        invoices = [render_invoice(inv) for inv in reversed(state.store.list("invoices"))]
        return respond(collection(invoices[offset : offset + size], f"/invoices?size={size}&offset={offset}"))

    async def get_invoice(request: Request) -> Response:
        return respond(render_invoice(invoice_or_404(request.path_params["invoice_id"])))

    async def invoice_lines(request: Request) -> Response:
        invoice = invoice_or_404(request.path_params["invoice_id"])
        kind = _line_kind(request)
        lines = (
            [public(line) for line in state.store.list("recon", parent=invoice["id"])]
            if kind == "billing"
            else []
        )
        params = {
            "provider": "onetime",
            "invoicelineitemtype": request.query_params.get("invoicelineitemtype", ""),
        }
        page = seek_page(
            request,
            lines,
            f"/invoices/{invoice['id']}/lineitems",
            default_size=2000,
            max_size=2000,
            extra_params=params,
        )
        return respond(page)

    return [
        Route("/v1/invoices", list_invoices, methods=["GET"]),
        Route("/v1/invoices/unbilled/lineitems", unbilled, methods=["GET"]),
        Route("/v1/invoices/{invoice_id}", get_invoice, methods=["GET"]),
        Route("/v1/invoices/{invoice_id}/lineitems", invoice_lines, methods=["GET"]),
    ]
