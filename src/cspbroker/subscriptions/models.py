"""Subscriptions and their history: the ledgers billing reads (S1–S6, C4).

A subscription row mirrors what the provider holds now. What happened over time lives in
append-only ledgers — quantities, statuses, sale prices — and in the human-readable history of
events; billing is a function of the ledgers, never of the current row.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils import timezone

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
    """Where a change came from."""

    BACKOFFICE = "backoffice", "Back office"
    STOREFRONT = "storefront", "Storefront"
    API = "api", "API"
    PROVIDER = "provider", "Provider side"
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
    created_at = models.DateTimeField(default=timezone.now, editable=False)
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


class QuantityChange(models.Model):
    """The quantity ledger: each row is the new total from `effective_at` on (zulip's LicenseLedger)."""

    subscription = models.ForeignKey(Subscription, on_delete=models.PROTECT, related_name="quantity_changes")
    effective_at = models.DateTimeField()
    quantity = models.PositiveIntegerField()
    # Whether a decrease was inside its window (the provider refunded it); increases are always True.
    refundable = models.BooleanField(default=True)
    channel = models.CharField(max_length=12, choices=Channel.choices)
    order_id = models.BigIntegerField(null=True, blank=True)
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering: ClassVar[list[str]] = ["subscription", "effective_at", "id"]
        indexes: ClassVar[list[models.Index]] = [models.Index(fields=["subscription", "effective_at"])]


class StatusChange(models.Model):
    """The status ledger billing reads: suspension keeps billing, cancellation inside the window refunds."""

    subscription = models.ForeignKey(Subscription, on_delete=models.PROTECT, related_name="status_changes")
    effective_at = models.DateTimeField()
    status = models.CharField(max_length=20)  # active, suspended, cancelled, billing_cancelled, expired
    refundable = models.BooleanField(default=False)
    channel = models.CharField(max_length=12, choices=Channel.choices)
    order_id = models.BigIntegerField(null=True, blank=True)
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering: ClassVar[list[str]] = ["subscription", "effective_at", "id"]


class SalePrice(models.Model):
    """Historic sales price (C4): the subscription's own unit price from a date on."""

    subscription = models.ForeignKey(Subscription, on_delete=models.PROTECT, related_name="sale_prices")
    effective_from = models.DateField()
    unit_price = models.DecimalField(max_digits=18, decimal_places=6)
    currency = models.CharField(max_length=3)
    set_by = models.CharField(max_length=100)  # actor ref
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering: ClassVar[list[str]] = ["subscription", "effective_from"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["subscription", "effective_from"], name="sale_price_unique_date")
        ]


class SubscriptionEvent(models.Model):
    """The history a person reads: who, where, what (old → new), when, which order. Append-only."""

    subscription = models.ForeignKey(Subscription, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField(default=timezone.now)
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
