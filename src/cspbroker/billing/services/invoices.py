"""Invoice state machine (B4): draft → issued → paid | void, one function per transition.

Issuing numbers the invoice (gap-free per issuer and year), snapshots the customer's and the
issuer's name, address and tax id and the bill's lines and total, and freezes all of it
(`Invoice.save` refuses any later change but the transitions below).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from cspbroker.accounts.access import Actor, may
from cspbroker.accounts.models import Organization
from cspbroker.accounts.services import PermissionDenied
from cspbroker.billing.models import Bill, ChargeLine, Invoice, InvoiceStatus
from cspbroker.billing.services.numbering import next_number
from cspbroker.domain.clock import Clock
from cspbroker.domain.errors import DomainError
from cspbroker.domain.parties import Action


class InvalidTransition(DomainError):
    code = "invalid_invoice_transition"


class EmptyInvoice(DomainError):
    code = "empty_invoice"


def party_snapshot(organization: Organization) -> dict[str, Any]:
    fields: tuple[str, ...] = (
        "legal_name",
        "contact_name",
        "contact_email",
        "address_line1",
        "address_line2",
    )
    fields += ("city", "state", "postal_code", "country", "tax_id")
    return {name: getattr(organization, name) for name in fields}


def line_snapshot(line: ChargeLine) -> dict[str, Any]:
    """What a customer may read of a line: no cost, no margin."""
    return {
        "subscription_id": line.subscription_id,
        "product": line.product,
        "charge_type": line.charge_type,
        "period_start": line.period_start.isoformat(),
        "period_end": line.period_end.isoformat(),
        "active_start": line.active_start.isoformat(),
        "active_end": line.active_end.isoformat(),
        "quantity": line.quantity,
        "unit_price": str(line.unit_price),
        "amount": str(line.amount),
        "currency": line.currency,
        "explanation": line.explanation,
        "price_source": line.price_source_name,
    }


def check_staff(actor: Actor, customer: Organization) -> None:
    """Only staff above the customer act on its invoices (customers read them)."""
    if not (may(actor, Action.VIEW_COST, customer) and may(actor, Action.CHANGE, customer)):
        raise PermissionDenied("Only the reseller's or the operator's staff issue and correct invoices.")


def _locked(invoice_id: int) -> Invoice:
    return Invoice.objects.select_for_update().select_related("bill", "customer", "issuer").get(pk=invoice_id)


def issue_invoice(*, invoice_id: int, actor: Actor, clock: Clock) -> Invoice:
    with transaction.atomic():
        invoice = _locked(invoice_id)
        check_staff(actor, invoice.customer)
        if invoice.status != InvoiceStatus.DRAFT:
            raise InvalidTransition(f"Invoice {invoice.number} is already {invoice.status}.", field="status")
        lines = list(
            ChargeLine.objects.filter(bill_id=invoice.bill_id).order_by(
                "subscription_id", "effective_on", "id"
            )
        )
        if not lines:
            raise EmptyInvoice("A bill without charges is not invoiced.", field="bill")
        today = clock.today(invoice.issuer.time_zone)
        sequence, number = next_number(issuer_id=invoice.issuer_id, series="invoice", year=today.year)
        invoice.number, invoice.year, invoice.sequence, invoice.issued_on = (
            number,
            today.year,
            sequence,
            today,
        )
        invoice.total = invoice.bill.total
        invoice.currency = invoice.bill.currency
        invoice.customer_snapshot = party_snapshot(invoice.customer)
        invoice.issuer_snapshot = party_snapshot(invoice.issuer)
        invoice.lines_snapshot = [line_snapshot(line) for line in lines]
        invoice.issued_by = actor.ref
        invoice.status = InvoiceStatus.ISSUED
        invoice.save()
        # The bill is frozen with it: from now on the database refuses any change to it or its lines.
        Bill.objects.filter(pk=invoice.bill_id).update(is_frozen=True)
    return invoice


def mark_paid(*, invoice_id: int, actor: Actor, clock: Clock) -> Invoice:
    with transaction.atomic():
        invoice = _locked(invoice_id)
        check_staff(actor, invoice.customer)
        if invoice.status != InvoiceStatus.ISSUED:
            raise InvalidTransition(f"Only an issued invoice is paid; this one is {invoice.status}.")
        invoice.status, invoice.paid_at = InvoiceStatus.PAID, clock.now()
        invoice.save(update_fields=["status", "paid_at"])
    return invoice


def void_invoice(*, invoice_id: int, reason: str, actor: Actor, clock: Clock) -> Invoice:
    """An issued invoice sent in error: it keeps its number (no gap) and is marked void."""
    with transaction.atomic():
        invoice = _locked(invoice_id)
        check_staff(actor, invoice.customer)
        if invoice.status != InvoiceStatus.ISSUED:
            raise InvalidTransition(f"Only an issued invoice is voided; this one is {invoice.status}.")
        invoice.status, invoice.voided_at, invoice.void_reason = InvoiceStatus.VOID, clock.now(), reason[:300]
        invoice.save(update_fields=["status", "voided_at", "void_reason"])
    return invoice
