"""Reads for pages, API and exports, always through `accounts.access` (another customer's is a 404)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from cspbroker.accounts.access import Actor, get_scoped_or_404, may, scoped
from cspbroker.accounts.models import Organization
from cspbroker.billing.models import BillingRun, CreditNote, Invoice
from cspbroker.domain.parties import Action, OrganizationKind


def customers_for(actor: Actor) -> QuerySet[Organization]:
    customers = Organization.objects.filter(kind=OrganizationKind.CUSTOMER.value).select_related("parent")
    return scoped(actor, customers, "self").order_by("legal_name", "id")


def customer_for(actor: Actor, customer_id: int) -> Organization:
    customers = Organization.objects.filter(kind=OrganizationKind.CUSTOMER.value).select_related("parent")
    return get_scoped_or_404(actor, customers, "self", pk=customer_id)


def own_customer(actor: Actor) -> Organization:
    """The customer a storefront person belongs to."""
    for scoped_grant in actor.grants:
        if scoped_grant.organization_kind == OrganizationKind.CUSTOMER.value:
            return customer_for(actor, scoped_grant.grant.organization_id)
    raise Http404("Not found.")


def shows_cost(actor: Actor, customer: Organization) -> bool:
    """Cost and margin are for staff only (C3); customers never see them."""
    return may(actor, Action.VIEW_COST, customer)


def invoices_for(
    actor: Actor, *, customer_id: int | None = None, status: str | None = None
) -> QuerySet[Invoice]:
    invoices = scoped(actor, Invoice.objects.select_related("bill", "customer", "issuer"), "customer")
    if customer_id is not None:
        invoices = invoices.filter(customer_id=customer_id)
    if status:
        invoices = invoices.filter(status=status)
    return invoices.order_by("-bill__bill_date", "customer__legal_name", "-id")


def invoice_for(actor: Actor, invoice_id: int) -> Invoice:
    invoices = Invoice.objects.select_related("bill", "customer", "issuer")
    return get_scoped_or_404(actor, invoices, "customer", pk=invoice_id)


def credit_note_for(actor: Actor, credit_note_id: int) -> CreditNote:
    notes = CreditNote.objects.select_related("invoice", "customer", "issuer")
    return get_scoped_or_404(actor, notes, "customer", pk=credit_note_id)


def runs_for(actor: Actor) -> QuerySet[BillingRun]:
    if not actor.is_staff:
        return BillingRun.objects.none()
    return BillingRun.objects.all()[:20]
