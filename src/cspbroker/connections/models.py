"""Provider connections (K1): credentials to one Partner Center, distributor or ESD account."""

from __future__ import annotations

from typing import ClassVar

from django.db import models

from cspbroker import clock
from cspbroker.accounts.models import Organization
from cspbroker.common.fields import EncryptedTextField
from cspbroker.domain.commerce import (
    DISTRIBUTOR_CAPABILITIES,
    PARTNER_CENTER_CAPABILITIES,
    ProviderCapabilities,
)


class ProviderKind(models.TextChoices):
    PARTNER_CENTER = "partner_center", "Microsoft Partner Center"
    DISTRIBUTOR = "distributor", "Distributor (Rhipe PRISM)"
    ESD = "esd", "Microsoft ESD"


class ConnectionStatus(models.TextChoices):
    UNTESTED = "untested", "Not tested yet"
    OK = "ok", "Working"
    FAILED = "failed", "Failing"


# The real endpoints; the demo data points connections at the local sandbox instead.
DEFAULT_ENDPOINTS: dict[str, tuple[str, str]] = {
    ProviderKind.PARTNER_CENTER: (
        "https://api.partnercenter.microsoft.com",
        "https://login.microsoftonline.com/{tenant}/oauth2/token",
    ),
    ProviderKind.DISTRIBUTOR: (
        "https://api.prismportal.online",
        "https://identity.prismportal.online/core/connect/token",
    ),
    ProviderKind.ESD: ("", ""),
}


class Connection(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="connections")
    kind = models.CharField(max_length=20, choices=ProviderKind.choices)
    name = models.CharField(max_length=100)
    base_url = models.URLField(max_length=300)
    token_url = models.CharField(max_length=300, help_text="May contain {tenant} for Partner Center.")
    tenant_id = models.CharField(max_length=100, blank=True, help_text="The partner's own Entra tenant id.")
    client_id = models.CharField(max_length=36)
    # Never returned by the API, never shown again after it is saved, never logged.
    client_secret = EncryptedTextField()
    is_active = models.BooleanField(default=True)
    status = models.CharField(
        max_length=10, choices=ConnectionStatus.choices, default=ConnectionStatus.UNTESTED
    )
    last_tested_at = models.DateTimeField(null=True, blank=True)
    last_test_message = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=clock.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["organization__legal_name", "name", "id"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["organization", "name"], name="connection_unique_name_per_owner")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"

    @property
    def capabilities(self) -> ProviderCapabilities:
        """Which order types this provider supports (S3: the others are disabled with a reason)."""
        if self.kind == ProviderKind.DISTRIBUTOR:
            return DISTRIBUTOR_CAPABILITIES
        return PARTNER_CENTER_CAPABILITIES
