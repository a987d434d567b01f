"""Delivering outbox rows through Django's email backend (the guarantees are in `tasks.py`)."""

from __future__ import annotations

import logging
import smtplib
from datetime import datetime
from enum import StrEnum

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction

from cspbroker.common.crypto import SecretUnreadable
from cspbroker.common.fields import Secret
from cspbroker.notifications import outbox
from cspbroker.notifications.models import EmailStatus, OutboundEmail

logger = logging.getLogger(__name__)

BATCH_SIZE = 200
# The SMTP conversation happens while the row is locked; keep it short (see tasks.py).
SMTP_TIMEOUT_SECONDS = 10

# Errors that say something about this one message; anything else (refused connection, timeout,
# server gone) says the server is unreachable, and the rest of a batch would fail the same way.
_MESSAGE_ERRORS = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError)


class Outcome(StrEnum):
    SENT = "sent"
    RETRY_LATER = "retry_later"
    FAILED = "failed"
    SERVER_UNREACHABLE = "server_unreachable"
    SKIPPED = "skipped"  # not queued (already sent, failed, gone) or not due yet


def deliver(email_id: int, *, now: datetime) -> Outcome:
    """Send one queued, due email, holding its row lock until the outcome is recorded."""
    with transaction.atomic():
        email = (
            OutboundEmail.objects.select_for_update()
            .defer("body")  # loaded below, where a key problem can be recorded as a failure
            .filter(pk=email_id)
            .first()
        )
        if email is None or email.status != EmailStatus.QUEUED:
            return Outcome.SKIPPED
        if email.next_attempt_at is not None and email.next_attempt_at > now:
            return Outcome.SKIPPED
        body = ""
        try:
            body = _plaintext(email.body)  # a deferred field: loaded and decrypted here
            _send(email, body)
        except (OSError, SecretUnreadable) as error:
            outbox.record_failed_attempt(email, error=_redact(_describe(error), body), now=now)
            logger.warning(
                "email %s (%s) not delivered, attempt %s: %s",
                email.pk,
                email.template_key,
                email.attempts,
                email.last_error,
            )
            if email.status == EmailStatus.FAILED:
                return Outcome.FAILED
            if isinstance(error, (*_MESSAGE_ERRORS, SecretUnreadable)):
                return Outcome.RETRY_LATER
            return Outcome.SERVER_UNREACHABLE
        outbox.mark_sent(email, now=now)
    return Outcome.SENT


def flush(*, now: datetime, limit: int = BATCH_SIZE) -> dict[Outcome, int]:
    """Deliver up to `limit` due emails, oldest first; stop early when the server is unreachable."""
    due = list(
        OutboundEmail.objects.filter(status=EmailStatus.QUEUED, next_attempt_at__lte=now)
        .order_by("created_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    counts = dict.fromkeys(Outcome, 0)
    for email_id in due:
        outcome = deliver(email_id, now=now)
        counts[outcome] += 1
        if outcome is Outcome.SERVER_UNREACHABLE:
            break  # the others stay due and go out on the next run
    return counts


def _plaintext(value: object) -> str:
    return value.reveal() if isinstance(value, Secret) else str(value or "")


def _send(email: OutboundEmail, body: str) -> None:
    message = EmailMessage(
        subject=email.subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=list(email.to),
        headers={"Message-ID": email.message_id},
        connection=get_connection(fail_silently=False, timeout=_timeout()),
    )
    message.send(fail_silently=False)


def _timeout() -> int:
    configured = getattr(settings, "EMAIL_TIMEOUT", None)
    return min(int(configured), SMTP_TIMEOUT_SECONDS) if configured else SMTP_TIMEOUT_SECONDS


def _describe(error: BaseException) -> str:
    """A short error for people, which never quotes the message itself."""
    if isinstance(error, SecretUnreadable):
        return "The body cannot be decrypted: is CSPB_FIELD_KEYS missing the key it was written with?"
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        refused = ", ".join(f"{rcpt} ({code})" for rcpt, (code, _) in error.recipients.items())
        return f"The SMTP server refused the recipients: {refused}"
    if isinstance(error, smtplib.SMTPResponseException):
        reply = error.smtp_error.decode(errors="replace") if isinstance(error.smtp_error, bytes) else ""
        return f"{type(error).__name__}: {error.smtp_code} {reply}"[:200]
    return f"{type(error).__name__}: {error}"[:200]


def _redact(error: str, body: str) -> str:
    """An SMTP reply may quote the message; no line of the body (credentials) may reach last_error."""
    for line in body.splitlines():
        fragment = line.strip()
        if len(fragment) >= 6 and fragment in error:
            error = error.replace(fragment, "[…]")
    return error
