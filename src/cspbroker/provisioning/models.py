"""Orders and the durable operation log through which every provider call goes.

An order is what a person asked for; a provider operation is the one call (or short sequence of
calls) that carries it out at the provider, with a request id that never changes. Retries after a
crash, a timeout, a 429 or a 5xx reuse that id, so Partner Center's MS-RequestId de-duplication
makes them harmless, and the result is recorded once under a row lock.
"""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.db import models
from django.db.models import Q

from cspbroker import clock
from cspbroker.accounts.models import Organization
from cspbroker.catalog.models import Offer
from cspbroker.subscriptions.models import Channel, Subscription
from cspbroker.tenants.models import Tenant


class OrderKind(models.TextChoices):
    NEW = "new", "New subscription"
    ADD_ON = "add_on", "Add-on"
    CHANGE_QUANTITY = "change_quantity", "Change quantity"
    SUSPEND = "suspend", "Suspend"
    REACTIVATE = "reactivate", "Reactivate"
    CANCEL = "cancel", "Cancel"
    BILLING_ONLY_CANCEL = "billing_only_cancel", "Cancel billing only"
    AUTO_RENEW = "auto_renew", "Auto-renew"
    FRIENDLY_NAME = "friendly_name", "Rename"
    SCHEDULED_CHANGE = "scheduled_change", "Change at renewal"


class OrderState(models.TextChoices):
    DRAFT = "draft", "Draft"
    AWAITING_APPROVAL = "awaiting_approval", "Awaiting approval"
    APPROVED = "approved", "Approved"
    PROVISIONING = "provisioning", "Provisioning"
    COMPLETED = "completed", "Completed"
    FAILED = "failed", "Failed"
    REJECTED = "rejected", "Rejected"
    CANCELLED = "cancelled", "Cancelled"


class Order(models.Model):
    customer = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="orders")
    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="orders")
    kind = models.CharField(max_length=24, choices=OrderKind.choices)
    state = models.CharField(max_length=20, choices=OrderState.choices, default=OrderState.DRAFT)
    subscription = models.ForeignKey(
        Subscription, on_delete=models.PROTECT, null=True, blank=True, related_name="orders"
    )
    offer = models.ForeignKey(Offer, on_delete=models.PROTECT, null=True, blank=True, related_name="orders")
    # What to do: {"quantity": 8} / {"auto_renew": false} / {"friendly_name": "…"} / …
    payload = models.JSONField(default=dict)
    # The price shown before confirming (X6), frozen with the order: unit price, currency, source, totals.
    quote = models.JSONField(null=True, blank=True)
    requested_by = models.CharField(max_length=100)  # actor ref: user:12, token:3
    requested_by_label = models.CharField(max_length=255)
    requested_by_user_id = models.BigIntegerField(null=True, blank=True)
    channel = models.CharField(max_length=12, choices=Channel.choices)
    decided_by_label = models.CharField(max_length=255, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.CharField(max_length=500, blank=True)
    failure_code = models.CharField(max_length=40, blank=True)
    failure_message = models.CharField(max_length=1000, blank=True)
    created_at = models.DateTimeField(default=clock.now, editable=False)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at", "-id"]
        indexes: ClassVar[list[models.Index]] = [models.Index(fields=["state", "customer"])]

    def __str__(self) -> str:
        return f"Order {self.pk}: {self.get_kind_display()}"


class OperationState(models.TextChoices):
    PENDING = "pending", "Pending"
    IN_FLIGHT = "in_flight", "In flight"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class ProviderOperation(models.Model):
    """One logical provider call with a stable request id; executed at least once, recorded once."""

    # An order has one live operation; a corrected retry of a failed order gets a new one (a new request).
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="operations")
    request_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    state = models.CharField(max_length=10, choices=OperationState.choices, default=OperationState.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=clock.now)
    lease_until = models.DateTimeField(null=True, blank=True)  # an in-flight claim expires: crash recovery
    last_error = models.CharField(max_length=1000, blank=True)
    result = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(default=clock.now, editable=False)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes: ClassVar[list[models.Index]] = [
            models.Index(
                fields=["state", "next_attempt_at"],
                condition=Q(state__in=["pending", "in_flight"]),
                name="operation_due",
            )
        ]


class ApprovalPolicy(models.Model):
    """S4: which customer-initiated orders wait for staff approval; per customer, or a reseller's default."""

    organization = models.OneToOneField(
        Organization, on_delete=models.CASCADE, related_name="approval_policy"
    )
    is_enabled = models.BooleanField(default=False)
    new_subscriptions = models.BooleanField(default=True)
    quantity_increases = models.BooleanField(default=True)
    add_ons = models.BooleanField(default=True)
    upgrades = models.BooleanField(default=True)
    amount_above = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)


# The API's stored idempotency keys live in their own module; importing it here registers the model.
from cspbroker.provisioning.idempotency import IdempotencyRecord  # noqa: E402

__all__ = [
    "ApprovalPolicy",
    "IdempotencyRecord",
    "OperationState",
    "Order",
    "OrderKind",
    "OrderState",
    "ProviderOperation",
]
