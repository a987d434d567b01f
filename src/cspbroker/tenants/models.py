"""Customer tenants (T1–T3), their users and licence assignments (U1–U3), mirrored from the provider."""

from __future__ import annotations

from typing import ClassVar

from django.db import models

from cspbroker import clock
from cspbroker.accounts.models import Organization
from cspbroker.connections.models import Connection


class TenantStatus(models.TextChoices):
    CREATING = "creating", "Being created"
    ACTIVE = "active", "Active"
    FAILED = "failed", "Creation failed"


class Tenant(models.Model):
    """A customer's Microsoft 365 directory at one provider: the container of its subscriptions."""

    customer = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="tenants")
    connection = models.ForeignKey(Connection, on_delete=models.PROTECT, related_name="tenants")
    provider_tenant_id = models.CharField(max_length=64, blank=True)  # empty until the provider answers
    domain = models.CharField(max_length=255)  # <prefix>.onmicrosoft.com
    status = models.CharField(max_length=10, choices=TenantStatus.choices, default=TenantStatus.CREATING)
    is_linked = models.BooleanField(default=False, help_text="An existing tenant linked, not created here.")
    failure_code = models.CharField(max_length=40, blank=True)
    failure_message = models.CharField(max_length=1000, blank=True)
    request_id = models.UUIDField(null=True, blank=True)  # MS-RequestId of the creation, reused on retry
    created_at = models.DateTimeField(default=clock.now, editable=False)
    last_synced_at = models.DateTimeField(null=True, blank=True)
    # What was (or will be) sent to create the customer: company, contact and address; no secrets.
    # A retry may correct it; a corrected request gets a new request id.
    creation_request = models.JSONField(default=dict, blank=True)
    created_by = models.CharField(max_length=100, blank=True)  # Actor.ref
    attempts = models.PositiveIntegerField(default=0)  # provider attempts of the current request
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    # The provider's seat counts per licence SKU at the last sync (subscribedskus), for the tenant page.
    subscribed_skus = models.JSONField(default=list, blank=True)
    sync_message = models.CharField(max_length=1000, blank=True)  # why the last sync failed, if it did

    class Meta:
        ordering: ClassVar[list[str]] = ["domain"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["customer", "connection"], name="tenant_one_per_customer_connection"
            ),
            models.UniqueConstraint(
                fields=["connection", "provider_tenant_id"],
                condition=~models.Q(provider_tenant_id=""),
                name="tenant_unique_provider_id",
            ),
        ]

    def __str__(self) -> str:
        return self.domain

    @property
    def customer_name(self) -> str:
        return self.customer.legal_name


class TenantUser(models.Model):
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="users")
    provider_user_id = models.CharField(max_length=64, blank=True)
    user_principal_name = models.CharField(max_length=255)
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    display_name = models.CharField(max_length=255)
    usage_location = models.CharField(max_length=2, blank=True)
    is_active = models.BooleanField(default=True)  # Partner Center deletes softly (state inactive)
    last_synced_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        ordering: ClassVar[list[str]] = ["display_name", "user_principal_name"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["tenant", "user_principal_name"], name="tenant_user_unique_upn")
        ]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["tenant", "is_active", "display_name"], name="tenant_user_list")
        ]

    def __str__(self) -> str:
        return self.user_principal_name

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part) or self.display_name


class LicenceAssignment(models.Model):
    """A licence (Entra SKU) assigned to a user; subscriptions of that SKU supply the seats."""

    user = models.ForeignKey(TenantUser, on_delete=models.CASCADE, related_name="licences")
    licence_sku_id = models.CharField(max_length=64)
    assigned_at = models.DateTimeField(default=clock.now)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["user", "licence_sku_id"], name="licence_assignment_unique")
        ]


class ImportStatus(models.TextChoices):
    PREVIEWED = "previewed", "Previewed, not started"
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    COMPLETED = "completed", "Completed"
    FAILED = "failed", "Failed"


class UserImport(models.Model):
    """A CSV user import (U2): the rows to create, then its progress and outcome, row by row.

    No password is ever stored here: they are generated in the worker and leave only in the one
    credentials email.
    """

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="user_imports")
    requested_by = models.CharField(max_length=100)  # Actor.ref
    notify_email = models.EmailField()
    status = models.CharField(max_length=10, choices=ImportStatus.choices, default=ImportStatus.PREVIEWED)
    file_name = models.CharField(max_length=255, blank=True)
    rows = models.JSONField(default=list, blank=True)  # [{"line", "values"}] of the rows to create
    summary = models.CharField(max_length=300, blank=True)  # the preview's one-line summary
    skipped_count = models.PositiveIntegerField(default=0)
    refused_count = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    failed_count = models.PositiveIntegerField(default=0)
    failures = models.JSONField(default=list, blank=True)  # [{"line", "user_principal_name", "reason"}]
    message = models.CharField(max_length=1000, blank=True)
    created_at = models.DateTimeField(default=clock.now, editable=False)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"User import {self.pk} into {self.tenant_id} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in {ImportStatus.COMPLETED, ImportStatus.FAILED}

    @property
    def percent(self) -> int:
        if self.is_finished:
            return 100
        return 0 if not self.total else min(99, 100 * self.processed // self.total)

    @property
    def seconds(self) -> float | None:
        if self.started_at is None:
            return None
        end = self.finished_at or clock.now()
        return round((end - self.started_at).total_seconds(), 1)
