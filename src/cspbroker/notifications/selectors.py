"""Reads for notifications, always through the access rules. Email bodies are never read here."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from cspbroker.accounts.access import Actor, scoped
from cspbroker.notifications.models import EmailStatus, EmailTemplate, OutboundEmail

# Everything a page may show about an email: the body (credentials, licence keys) is not in it.
LISTED_FIELDS = (
    "id",
    "organization",
    "organization__legal_name",
    "template_key",
    "to",
    "subject",
    "status",
    "attempts",
    "next_attempt_at",
    "last_error",
    "message_id",
    "created_at",
    "sent_at",
)


def templates() -> QuerySet[EmailTemplate]:
    return EmailTemplate.objects.select_related("updated_by")


def template_for(key: str) -> EmailTemplate:
    template = templates().filter(key=key).first()
    if template is None:
        raise Http404("Not found.")
    return template


def emails_for(actor: Actor, *, status: str | None = None, search: str = "") -> QuerySet[OutboundEmail]:
    """The emails of the organisations `actor` may see; the operator's admins also see its own mail."""
    base = OutboundEmail.objects.select_related("organization").only(*LISTED_FIELDS)
    emails = scoped(actor, base, "organization")
    if actor.is_operator_admin:
        emails = emails | base.filter(organization__isnull=True)
    if status in EmailStatus.values:
        emails = emails.filter(status=status)
    if search:
        emails = emails.filter(Q(to__icontains=search) | Q(subject__icontains=search))
    return emails.order_by("-created_at", "-id")


def email_for(actor: Actor, email_id: int) -> OutboundEmail:
    email = emails_for(actor).filter(pk=email_id).first()
    if email is None:
        raise Http404("Not found.")
    return email


def status_counts(actor: Actor) -> dict[str, int]:
    by_status = {status: Count("pk", filter=Q(status=status)) for status in EmailStatus.values}
    return emails_for(actor).order_by().aggregate(**by_status)
