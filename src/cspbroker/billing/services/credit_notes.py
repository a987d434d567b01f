"""Credit notes: the only correction of an issued invoice, numbered in their own series."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.db.models import Sum

from cspbroker.accounts.access import Actor
from cspbroker.billing.models import CreditNote, InvoiceStatus
from cspbroker.billing.services.invoices import InvalidTransition, _locked, check_staff, party_snapshot
from cspbroker.billing.services.numbering import next_number
from cspbroker.domain.clock import Clock
from cspbroker.domain.errors import DomainError
from cspbroker.domain.money import Money


class InvalidCredit(DomainError):
    code = "invalid_credit"


def credited(invoice_id: int) -> Decimal:
    total = CreditNote.objects.filter(invoice_id=invoice_id).aggregate(total=Sum("amount"))["total"]
    return Decimal(total or 0)


def create_credit_note(
    *, invoice_id: int, reason: str, actor: Actor, clock: Clock, amount: Decimal | None = None
) -> CreditNote:
    """Credit `amount` (default: everything not yet credited) of an issued or paid invoice."""
    with transaction.atomic():
        invoice = _locked(invoice_id)
        check_staff(actor, invoice.customer)
        if invoice.status not in {InvoiceStatus.ISSUED, InvoiceStatus.PAID}:
            raise InvalidTransition(
                f"Only an issued or paid invoice is credited; this one is {invoice.status}."
            )
        if not reason.strip():
            raise InvalidCredit("Say why the invoice is corrected.", field="reason")
        assert invoice.total is not None
        left = Money(invoice.total - credited(invoice.pk), invoice.currency).rounded()
        credit = left if amount is None else Money(Decimal(amount), invoice.currency)
        if not credit.is_rounded:
            raise InvalidCredit(
                f"{credit.amount} has more decimals than {invoice.currency} has.", field="amount"
            )
        if credit.amount <= 0 or credit > left:
            raise InvalidCredit(
                f"A credit is more than zero and at most the {left} not yet credited.", field="amount"
            )
        today = clock.today(invoice.issuer.time_zone)
        sequence, number = next_number(issuer_id=invoice.issuer_id, series="credit_note", year=today.year)
        return CreditNote.objects.create(
            invoice=invoice,
            customer=invoice.customer,
            issuer=invoice.issuer,
            number=number,
            year=today.year,
            sequence=sequence,
            issued_on=today,
            currency=invoice.currency,
            amount=credit.amount,
            reason=reason.strip()[:300],
            customer_snapshot=party_snapshot(invoice.customer),
            issuer_snapshot=party_snapshot(invoice.issuer),
            issued_by=actor.ref,
        )
