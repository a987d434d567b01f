"""Customer tenants (T1–T3), their users and licence assignments (U1–U3), mirrored from the provider."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils import timezone

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
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_synced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["domain"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["customer", "connection"], name="tenant_one_per_customer_connection"),
            models.UniqueConstraint(
                fields=["connection", "provider_tenant_id"],
                condition=~models.Q(provider_tenant_id=""),
                name="tenant_unique_provider_id",
            ),
        ]

    def __str__(self) -> str:
        return self.domain


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

    class Meta:
        ordering: ClassVar[list[str]] = ["display_name", "user_principal_name"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["tenant", "user_principal_name"], name="tenant_user_unique_upn")
        ]

    def __str__(self) -> str:
        return self.user_principal_name


class LicenceAssignment(models.Model):
    """A licence (Entra SKU) assigned to a user; subscriptions of that SKU supply the seats."""

    user = models.ForeignKey(TenantUser, on_delete=models.CASCADE, related_name="licences")
    licence_sku_id = models.CharField(max_length=64)
    assigned_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["user", "licence_sku_id"], name="licence_assignment_unique")
        ]
