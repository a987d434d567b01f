"""The outbox's state machine: one function per transition, each on a row the caller has locked.

    queued ──sent──────────▶ sent          (body wiped)
      │ └──attempt failed──▶ queued        (attempts + 1, next_attempt_at after a backoff)
      └────attempt failed──▶ failed        (the MAX_ATTEMPTS-th failure)
    failed ──requeue───────▶ queued        (staff retry: attempts start again)
    (created) ─────────────▶ suppressed    (the template is switched off; nothing is sent)

Nothing else assigns `OutboundEmail.status`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from cspbroker.domain.errors import DomainError
from cspbroker.notifications.models import MAX_ATTEMPTS, EmailStatus, OutboundEmail

FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=1)
ERROR_LENGTH = 500


class InvalidTransition(DomainError):
    code = "invalid_email_transition"


def retry_delay(attempts: int) -> timedelta:
    """1 min after the first failure, then 2, 4, 8 … doubling, never more than an hour."""
    if attempts < 1:
        return timedelta(0)
    return min(FIRST_RETRY * (1 << min(attempts - 1, 16)), LONGEST_RETRY)


def _require(email: OutboundEmail, status: EmailStatus, change: str) -> None:
    if email.status != status:
        raise InvalidTransition(
            f"This email is {email.get_status_display().lower()}; only a {status.label.lower()} email can be "
            f"{change}.",
            code="invalid_email_transition",
        )


def mark_sent(email: OutboundEmail, *, now: datetime) -> None:
    """The SMTP server accepted the message: the credentials in the body need not stay here."""
    _require(email, EmailStatus.QUEUED, "marked sent")
    email.status = EmailStatus.SENT
    email.sent_at = now
    email.attempts += 1
    email.next_attempt_at = None
    email.last_error = ""
    email.body = ""
    email.save(update_fields=["status", "sent_at", "attempts", "next_attempt_at", "last_error", "body"])


def record_failed_attempt(email: OutboundEmail, *, error: str, now: datetime) -> None:
    """An attempt failed: try again later, or give up after MAX_ATTEMPTS attempts."""
    _require(email, EmailStatus.QUEUED, "retried")
    email.attempts += 1
    email.last_error = error[:ERROR_LENGTH]
    if email.attempts >= MAX_ATTEMPTS:
        email.status = EmailStatus.FAILED
        email.next_attempt_at = None
    else:
        email.next_attempt_at = now + retry_delay(email.attempts)
    email.save(update_fields=["status", "attempts", "last_error", "next_attempt_at"])


def requeue(email: OutboundEmail, *, now: datetime) -> None:
    """Staff retry a failed email: it is due at once and gets a fresh set of attempts."""
    _require(email, EmailStatus.FAILED, "retried")
    email.status = EmailStatus.QUEUED
    email.attempts = 0
    email.next_attempt_at = now
    email.save(update_fields=["status", "attempts", "next_attempt_at"])
