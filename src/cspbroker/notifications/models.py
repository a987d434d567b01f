"""Email templates staff can edit, and the persistent outbox every email goes through."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q

from cspbroker import clock
from cspbroker.common.fields import EncryptedTextField, Secret

MAX_ATTEMPTS = 10


class WipeableEncryptedTextField(EncryptedTextField):
    """An encrypted text that may be blank: "" is stored as "" (nothing to hide) and read back as ""."""

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> Secret | None:
        if value == "":
            return Secret("")
        return super().from_db_value(value, expression, connection)


class EmailTemplate(models.Model):
    """One kind of email: its subject and plain-text body in the Django template language."""

    key = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    subject = models.CharField(max_length=500)
    body = models.TextField()
    # Comma-separated addresses that receive every email of this kind too (e.g. a managed-service
    # partner who wants a copy of each ESD licence mail).
    extra_recipients = models.CharField(max_length=1000, blank=True)
    is_active = models.BooleanField(default=True, help_text="When off, emails of this kind are not sent.")
    updated_at = models.DateTimeField(default=clock.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering: ClassVar[list[str]] = ["name", "key"]

    def __str__(self) -> str:
        return self.name

    @property
    def extra_recipient_list(self) -> list[str]:
        return [part.strip() for part in self.extra_recipients.split(",") if part.strip()]


class EmailStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    SUPPRESSED = "suppressed", "Not sent (template switched off)"


class OutboundEmail(models.Model):
    """An email in the outbox: rendered when queued, delivered by the worker, retried with backoff.

    The body is encrypted at rest (it carries initial passwords and licence keys) and wiped once the
    SMTP server has accepted the message. Status changes only through `notifications.outbox`.
    """

    organization = models.ForeignKey(
        "accounts.Organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="outbound_emails",
        help_text="Whose email this is, for scoping; empty for the operator's own mail.",
    )
    template_key = models.SlugField(max_length=64)
    idempotency_key = models.CharField(max_length=200, unique=True)
    to = models.JSONField(default=list)
    subject = models.CharField(max_length=500)
    body = WipeableEncryptedTextField(blank=True)
    status = models.CharField(max_length=16, choices=EmailStatus.choices, default=EmailStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    message_id = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=clock.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at", "-id"]
        indexes: ClassVar[list[Any]] = [
            models.Index(fields=["status", "next_attempt_at"], name="outbound_email_due"),
            models.Index(fields=["organization", "-created_at"], name="outbound_email_by_org"),
        ]
        constraints: ClassVar[list[Any]] = [
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in EmailStatus]), name="outbound_email_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status=EmailStatus.QUEUED) | Q(next_attempt_at__isnull=False),
                name="outbound_email_queued_has_next_attempt",
            ),
            models.CheckConstraint(
                condition=~Q(status=EmailStatus.SENT) | Q(sent_at__isnull=False),
                name="outbound_email_sent_has_sent_at",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.template_key} → {', '.join(self.to)} ({self.status})"
