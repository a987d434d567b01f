"""Subscriptions and their history: the ledger billing reads (S1–S6, C4).

A subscription row mirrors what the provider holds now, and the term in force with its locked
price. What happened over time lives in one append-only ledger (`LedgerEntry`) and in the
human-readable history of events; billing is a function of the ledger, never of the current row.
Only `subscriptions.ledger` writes either.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models

from cspbroker import clock
from cspbroker.catalog.models import Offer
from cspbroker.tenants.models import Tenant


class SubscriptionStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    ACTIVE = "active", "Active"
    SUSPENDED = "suspended", "Suspended"
    CANCELLED = "cancelled", "Cancelled"
    EXPIRED = "expired", "Expired"
    DISABLED = "disabled", "Disabled"
    UNKNOWN = "unknown", "Unknown"


class Channel(models.TextChoices):
    """Where a change came from: a person's door, the provider, an import or the renewal job."""

    BACKOFFICE = "backoffice", "Back office"
    STOREFRONT = "storefront", "Storefront"
    API = "api", "API"
    PROVIDER = "provider", "Provider side"
    IMPORT = "import", "Import"
    RENEWAL = "renewal", "Renewal"
    SYSTEM = "system", "System"


class Subscription(models.Model):
    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="subscriptions")
    offer = models.ForeignKey(Offer, on_delete=models.PROTECT, related_name="subscriptions")
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="addons")
    provider_subscription_id = models.CharField(max_length=64, blank=True)
    provider_order_id = models.CharField(max_length=64, blank=True)
    friendly_name = models.CharField(max_length=100, blank=True)
    quantity = models.PositiveIntegerField()
    status = models.CharField(
        max_length=10, choices=SubscriptionStatus.choices, default=SubscriptionStatus.PENDING
    )
    status_raw = models.CharField(max_length=40, blank=True)  # the provider's own word, kept when unknown
    is_trial = models.BooleanField(default=False)
    term = models.CharField(max_length=8, blank=True)
    billing_cycle = models.CharField(max_length=12)
    auto_renew = models.BooleanField(default=True)
    start_date = models.DateField(null=True, blank=True)  # the billing anchor (effectiveStartDate)
    commitment_end_date = models.DateField(null=True, blank=True)
    cancellation_allowed_until = models.DateTimeField(null=True, blank=True)
    refundable_lots = models.JSONField(default=list, blank=True)  # [{"quantity", "allowed_until"}]
    scheduled_change = models.JSONField(null=True, blank=True)
    etag = models.CharField(max_length=200, blank=True)
    billing_cancelled_on = models.DateField(null=True, blank=True)  # "billing only" cancellation
    # The term in force and the prices locked for it (NCE price lock), kept by `subscriptions.ledger`.
    term_start = models.DateField(null=True, blank=True)
    unit_price = models.DecimalField(max_digits=18, decimal_places=6, null=True, blank=True)
    unit_cost = models.DecimalField(max_digits=18, decimal_places=6, null=True, blank=True)
    price_currency = models.CharField(max_length=3, blank=True)
    price_source = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=clock.now, editable=False)
    last_synced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["tenant", "id"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["tenant", "provider_subscription_id"],
                condition=~models.Q(provider_subscription_id=""),
                name="subscription_unique_provider_id",
            )
        ]

    def __str__(self) -> str:
        return self.friendly_name or str(self.offer)


class LedgerKind(models.TextChoices):
    """What a ledger entry records. Terms open with a purchase, a renewal or a trial conversion."""

    PURCHASE = "purchase", "Purchase"
    QUANTITY = "quantity", "Quantity"
    STATUS = "status", "Status"
    PRICE = "price", "Historic sales price"
    RENEWAL = "renewal", "Renewal"
    CONVERSION = "conversion", "Trial conversion"
    AUTO_RENEW = "auto_renew", "Auto-renew"
    TERM = "term", "Term or billing cycle"


TERM_KINDS = (LedgerKind.PURCHASE, LedgerKind.RENEWAL, LedgerKind.CONVERSION)


class LedgerEntry(models.Model):
    """The one book of record: an append-only entry per change, written only by `subscriptions.ledger`.

    `effective_at` is when the change happened, `recorded_at` when we learned it; billing reads the
    entries in effective order and posts what a late one changes as adjustments. A term entry
    (purchase, renewal, conversion) carries the term and the sale price and cost locked for it.
    The database refuses any UPDATE (and on PostgreSQL any DELETE) of a row.
    """

    subscription = models.ForeignKey(Subscription, on_delete=models.PROTECT, related_name="ledger")
    # Denormalised from the subscription's tenant: billing reads ledgers per customer, by id.
    customer = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="ledger_entries"
    )
    kind = models.CharField(max_length=12, choices=LedgerKind.choices)
    effective_at = models.DateTimeField()
    recorded_at = models.DateTimeField()
    source = models.CharField(max_length=12, choices=Channel.choices)
    actor_ref = models.CharField(max_length=100)  # user:12, token:3, provider, system
    actor_label = models.CharField(max_length=255)
    order_id = models.BigIntegerField(null=True, blank=True)  # ours
    provider_reference = models.CharField(max_length=100, blank=True)  # the provider's order or audit id
    quantity = models.PositiveIntegerField(null=True, blank=True)
    status = models.CharField(max_length=20, blank=True)  # active, suspended, cancelled, billing_cancelled, …
    # A decrease or cancellation the provider refunded (inside its window).
    refundable = models.BooleanField(default=False)
    auto_renew = models.BooleanField(null=True, blank=True)
    term = models.CharField(max_length=8, blank=True)
    billing_cycle = models.CharField(max_length=12, blank=True)
    is_trial = models.BooleanField(default=False)
    term_start = models.DateField(null=True, blank=True)  # a term entry's first day (the billing anchor)
    term_end = models.DateField(null=True, blank=True)  # its last day (inclusive, as Microsoft's)
    price_from = models.DateField(null=True, blank=True)  # a historic sales price applies from this day
    unit_price = models.DecimalField(max_digits=18, decimal_places=6, null=True, blank=True)
    unit_cost = models.DecimalField(max_digits=18, decimal_places=6, null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    price_source = models.CharField(max_length=300, blank=True)  # "kind:id:name", as charge lines name it
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["subscription", "effective_at", "id"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["subscription", "effective_at"], name="ledger_subscription_at"),
            models.Index(fields=["customer", "id"], name="ledger_customer_id"),
        ]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["subscription", "term_start"],
                condition=models.Q(kind__in=["purchase", "renewal", "conversion"]),
                name="ledger_one_term_per_start",
            ),
            models.CheckConstraint(
                condition=models.Q(quantity__isnull=True) | models.Q(quantity__lte=1_000_000),
                name="ledger_quantity_bounded",
            ),
            models.CheckConstraint(
                condition=models.Q(unit_price__isnull=True)
                | models.Q(unit_price__gte=0, unit_price__lt=1_000_000_000),
                name="ledger_price_bounded",
            ),
            models.CheckConstraint(
                condition=models.Q(unit_cost__isnull=True)
                | models.Q(unit_cost__gte=0, unit_cost__lt=1_000_000_000),
                name="ledger_cost_bounded",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of subscription {self.subscription_id} at {self.effective_at}"


class SubscriptionEvent(models.Model):
    """The history a person reads: who, where, what (old → new), when, which order. Append-only."""

    subscription = models.ForeignKey(Subscription, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField(default=clock.now)
    actor_ref = models.CharField(max_length=100)  # user:12, token:3, provider, system
    actor_label = models.CharField(max_length=255)  # the person's email or "Partner Center"
    channel = models.CharField(max_length=12, choices=Channel.choices)
    kind = models.CharField(max_length=40)  # created, quantity, status, auto_renew, friendly_name, price, …
    old_value = models.JSONField(null=True, blank=True)
    new_value = models.JSONField(null=True, blank=True)
    order_id = models.BigIntegerField(null=True, blank=True)
    message = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["subscription", "-at", "-id"]
