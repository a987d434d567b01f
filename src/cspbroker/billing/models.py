"""Charges, bills, invoices and credit notes (B1–B4, X1).

Charge lines are computed from the subscriptions' ledgers by the pure domain and stored under a
UNIQUE key, so a billing run that runs twice inserts nothing the second time. A bill collects a
customer's lines of one cycle of its reseller's Microsoft billing day. An invoice is the bill made
a document: numbered at issue, frozen from then on; corrections are credit notes.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models
from django.db.models import Q

from cspbroker import clock
from cspbroker.accounts.models import Organization
from cspbroker.domain.errors import DomainError
from cspbroker.subscriptions.models import Subscription

# Unit prices are NUMERIC(18, 6) like the ledger's; amounts have room for the largest quantity times the
# largest unit price the ledger accepts (domain.ledger), and bills for many such lines.
UNIT_PRICE: dict[str, Any] = {"max_digits": 18, "decimal_places": 6}
AMOUNT: dict[str, Any] = {"max_digits": 24, "decimal_places": 6}


class DocumentFrozen(DomainError):
    """An issued invoice or a credit note is never changed: corrections are credit notes."""

    code = "document_frozen"


class ChargeType(models.TextChoices):
    """Microsoft's new-commerce charge types (`domain.billing.ChargeType`), with people's names."""

    NEW = "new", "New"
    RENEW = "renew", "Renewal"
    CYCLE_CHARGE = "cycleCharge", "Cycle charge"
    ADD_QUANTITY = "addQuantity", "Added quantity"
    REMOVE_QUANTITY = "removeQuantity", "Removed quantity"
    MOVE_QUANTITY = "moveQuantity", "Moved quantity"
    CANCEL_IMMEDIATE = "cancelImmediate", "Cancellation"
    CONVERT = "convert", "Conversion"
    CHANGE_BILLING_PLAN = "changeBillingPlan", "Billing plan change"
    CUSTOMER_CREDIT = "customerCredit", "Credit"
    EXTEND_TERM = "extendTerm", "Trial extension"
    USAGE = "usage", "Usage"
    # Names stored before the charge types followed Microsoft's current list (lines never change).
    LEGACY_CANCEL = "cancel", "Cancellation"
    LEGACY_ONE_TIME = "oneTime", "One-time"


class LineKind(models.TextChoices):
    CHARGE = "charge", "Charge"
    ADJUSTMENT = "adjustment", "Adjustment for a late change"
    REVERSAL = "reversal", "Withdrawn charge"


class Bill(models.Model):
    """A customer's charges of one billing cycle in one currency, dated the day after the cycle."""

    customer = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="bills")
    issuer = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="issued_bills")
    cycle_label = models.CharField(max_length=7)  # "2026-10": the month in which the cycle ends
    currency = models.CharField(max_length=3)
    period_start = models.DateField()
    period_end = models.DateField()  # exclusive: the bill date
    bill_date = models.DateField()
    total = models.DecimalField(default=0, **AMOUNT)
    # Set when its invoice is issued (services/invoices.py); from then on the database refuses any
    # change to the bill or its lines (triggers, migration 0002).
    is_frozen = models.BooleanField(default=False)
    line_count = models.PositiveIntegerField(default=0)
    # What the ledgers looked like when the lines were computed: a re-run skips unchanged customers.
    fingerprint = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=clock.now, editable=False)
    updated_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering: ClassVar[list[str]] = ["customer", "-bill_date", "currency"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["customer", "cycle_label", "currency"], name="bill_unique_cycle")
        ]
        indexes: ClassVar[list[models.Index]] = [models.Index(fields=["cycle_label", "issuer"])]

    def __str__(self) -> str:
        return f"Bill {self.cycle_label} of {self.customer_id} ({self.currency})"


class ChargeLine(models.Model):
    """One charge computed from a subscription's history; never edited by hand.

    The billing run inserts hundreds of thousands of these at a time, so the table carries only the
    indexes reads need: the UNIQUE key (which starts with the subscription, so it serves lookups by
    subscription too), (customer, effective_on) and the bill.
    """

    subscription = models.ForeignKey(
        Subscription, on_delete=models.PROTECT, related_name="charge_lines", db_index=False
    )
    customer = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="charge_lines", db_index=False
    )
    bill = models.ForeignKey(Bill, on_delete=models.PROTECT, null=True, blank=True, related_name="lines")
    product = models.CharField(max_length=300)
    charge_type = models.CharField(max_length=20, choices=ChargeType.choices)
    sequence = models.PositiveIntegerField()
    # 0 for a line charged in its own cycle; a later correction of the same line gets the next number.
    revision = models.PositiveIntegerField(default=0)
    kind = models.CharField(max_length=10, choices=LineKind.choices, default=LineKind.CHARGE)
    # A reversal's line (an id, not a foreign key: lines are never deleted once their bill is issued,
    # and an index on it would cost every insert for the few reversals there are).
    reverses_id = models.BigIntegerField(null=True, blank=True)
    corrects_entry_id = models.BigIntegerField(
        null=True, blank=True
    )  # the ledger entry an adjustment follows
    period_start = models.DateField()
    period_end = models.DateField()  # exclusive
    active_start = models.DateField()
    active_end = models.DateField()  # exclusive
    effective_on = models.DateField()  # the day the charge arose: its bill is the cycle containing it
    quantity = models.IntegerField()  # negative for refunds
    unit_price = models.DecimalField(**UNIT_PRICE)
    amount = models.DecimalField(**AMOUNT)
    currency = models.CharField(max_length=3)
    price_source_kind = models.CharField(max_length=40, blank=True)
    price_source_id = models.CharField(max_length=40, blank=True)
    price_source_name = models.CharField(max_length=200, blank=True)
    cost_unit_price = models.DecimalField(null=True, blank=True, **UNIT_PRICE)  # staff only
    cost_amount = models.DecimalField(null=True, blank=True, **AMOUNT)  # staff only
    explanation = models.CharField(max_length=300)
    created_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        ordering: ClassVar[list[str]] = ["subscription", "effective_on", "id"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["subscription", "charge_type", "period_start", "period_end", "sequence", "revision"],
                name="charge_line_unique_key",
            )
        ]
        indexes: ClassVar[list[models.Index]] = [models.Index(fields=["customer", "effective_on"])]

    def __str__(self) -> str:
        return self.explanation


class InvoiceStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ISSUED = "issued", "Issued"
    PAID = "paid", "Paid"
    VOID = "void", "Void"


# Once issued, only these may change, and only through the transitions of services/invoices.py.
_INVOICE_MUTABLE_AFTER_ISSUE = frozenset({"status", "paid_at", "voided_at", "void_reason"})


class Invoice(models.Model):
    """The bill of one customer and cycle as a document; numbered and frozen when issued (B4)."""

    bill = models.OneToOneField(Bill, on_delete=models.PROTECT, related_name="invoice")
    customer = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="invoices")
    issuer = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="issued_invoices")
    status = models.CharField(max_length=8, choices=InvoiceStatus.choices, default=InvoiceStatus.DRAFT)
    currency = models.CharField(max_length=3)
    number = models.CharField(max_length=40, blank=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    sequence = models.PositiveIntegerField(null=True, blank=True)
    issued_on = models.DateField(null=True, blank=True)
    total = models.DecimalField(null=True, blank=True, **AMOUNT)  # frozen at issue; drafts show the bill's
    customer_snapshot = models.JSONField(default=dict, blank=True)
    issuer_snapshot = models.JSONField(default=dict, blank=True)
    lines_snapshot = models.JSONField(default=list, blank=True)
    issued_by = models.CharField(max_length=100, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    void_reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at", "-id"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["issuer", "number"], condition=~Q(number=""), name="invoice_unique_number"
            )
        ]

    def __str__(self) -> str:
        return self.number or f"Draft invoice {self.pk}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            stored = Invoice.objects.filter(pk=self.pk).first()
            if stored is not None and stored.status != InvoiceStatus.DRAFT:
                changed = {
                    f.attname
                    for f in self._meta.concrete_fields
                    if getattr(stored, f.attname) != getattr(self, f.attname)
                }
                if changed - _INVOICE_MUTABLE_AFTER_ISSUE:
                    raise DocumentFrozen(
                        f"Invoice {stored.number} is {stored.status}: it never changes; issue a credit note.",
                        field=sorted(changed - _INVOICE_MUTABLE_AFTER_ISSUE)[0],
                    )
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        if self.status != InvoiceStatus.DRAFT:
            raise DocumentFrozen(f"Invoice {self.number} is {self.status}: it is never deleted.")
        return super().delete(*args, **kwargs)


class CreditNote(models.Model):
    """A correction of an issued invoice, with its own numbering series; frozen at creation."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="credit_notes")
    customer = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="credit_notes")
    issuer = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="issued_credit_notes")
    number = models.CharField(max_length=40)
    year = models.PositiveSmallIntegerField()
    sequence = models.PositiveIntegerField()
    issued_on = models.DateField()
    currency = models.CharField(max_length=3)
    amount = models.DecimalField(**AMOUNT)  # positive: what is credited
    reason = models.CharField(max_length=300)
    customer_snapshot = models.JSONField(default=dict)
    issuer_snapshot = models.JSONField(default=dict)
    issued_by = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at", "-id"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["issuer", "number"], name="credit_note_unique_number")
        ]

    def __str__(self) -> str:
        return self.number

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise DocumentFrozen(f"Credit note {self.number} is issued: it never changes.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise DocumentFrozen(f"Credit note {self.number} is issued: it is never deleted.")


class DocumentCounter(models.Model):
    """The last number given per issuer, series and year; incremented under a row lock (gap-free)."""

    issuer = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="document_counters")
    series = models.CharField(max_length=12)  # invoice, credit_note
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["issuer", "series", "year"], name="document_counter_unique")
        ]


class LedgerMark(models.Model):
    """How far billing has read a customer's ledger: every entry up to `entry_id` is reflected in the
    lines of the bills up to cycle `cycle_label`. Entries after it are the late ones a run settles."""

    customer = models.OneToOneField(
        Organization, on_delete=models.PROTECT, primary_key=True, related_name="+"
    )
    entry_id = models.BigIntegerField(default=0)
    cycle_label = models.CharField(max_length=7)  # the latest cycle computed
    first_cycle_label = models.CharField(max_length=7)  # the first cycle ever billed: nothing before it is


class RunStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class BillingRun(models.Model):
    """A billing run asked for by staff or the CLI, and its summary."""

    cycle_label = models.CharField(max_length=7)
    reseller = models.ForeignKey(Organization, on_delete=models.PROTECT, null=True, blank=True)
    status = models.CharField(max_length=8, choices=RunStatus.choices, default=RunStatus.QUEUED)
    requested_by = models.CharField(max_length=100)
    summary = models.JSONField(default=dict, blank=True)
    message = models.CharField(max_length=1000, blank=True)
    created_at = models.DateTimeField(default=clock.now, editable=False)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at", "-id"]
