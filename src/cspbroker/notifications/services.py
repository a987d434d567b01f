"""Writes for notifications: queue an email, edit a template, retry a failed email."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from cspbroker.accounts.access import Actor, scoped
from cspbroker.clock import platform_clock
from cspbroker.domain.clock import Clock
from cspbroker.domain.errors import DomainError
from cspbroker.domain.parties import Action
from cspbroker.notifications import outbox, rendering, tasks, templates_catalog
from cspbroker.notifications.models import EmailStatus, EmailTemplate, OutboundEmail
from cspbroker.notifications.rendering import RenderedEmail

IDEMPOTENCY_KEY_LENGTH = 200


class UnknownTemplate(DomainError):
    code = "unknown_template"


class PermissionDenied(DomainError):
    code = "permission_denied"


def queue_email(
    *,
    template_key: str,
    to: list[str],
    context: dict[str, Any],
    idempotency_key: str,
    organization_id: int | None,
    clock: Clock = platform_clock,
) -> OutboundEmail:
    """Render `template_key` now and put the email in the outbox, once per `idempotency_key`.

    Runs inside the caller's transaction; delivery is enqueued only after it commits. Queuing the
    same idempotency key again returns the email already stored and sends nothing more.

    `context` holds plain values (strings, numbers, dates, lists and dicts of them), never model
    instances: staff-edited templates should reach nothing but what the email is meant to say.
    Keys: "tenant-admin:<tenant id>", "user-credentials:<user id>:<n>", "esd:<asset id>", ….
    """
    if not idempotency_key or len(idempotency_key) > IDEMPOTENCY_KEY_LENGTH:
        raise DomainError(
            f"An email needs an idempotency key of 1 to {IDEMPOTENCY_KEY_LENGTH} characters.",
            field="idempotency_key",
            code="invalid_idempotency_key",
        )
    existing = OutboundEmail.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return existing
    template = _template(template_key)
    recipients = [rendering.clean_address(address) for address in to]
    if not recipients:
        raise rendering.InvalidRecipient("An email needs at least one recipient.", field="to")
    recipients = rendering.merge_recipients(recipients, template.extra_recipient_list)
    rendered = rendering.render(template.subject, template.body, context)
    now = clock.now()
    with transaction.atomic():
        email, created = OutboundEmail.objects.get_or_create(
            idempotency_key=idempotency_key,
            defaults={
                "organization_id": organization_id,
                "template_key": template.key,
                "to": recipients,
                "subject": rendered.subject[:500],
                "body": rendered.body if template.is_active else "",
                "status": EmailStatus.QUEUED if template.is_active else EmailStatus.SUPPRESSED,
                "next_attempt_at": now if template.is_active else None,
                "message_id": rendering.message_id_for(idempotency_key),
                "created_at": now,
            },
        )
        if created and email.status == EmailStatus.QUEUED:
            _deliver_after_commit(email.pk)
    return email


def _deliver_after_commit(email_id: int) -> None:
    # robust: if the task queue is unreachable the caller's commit still stands; the row is in the
    # outbox and `flush_outbox` sends it within a minute.
    transaction.on_commit(lambda: tasks.deliver_email(email_id), robust=True)


def _template(key: str) -> EmailTemplate:
    template = EmailTemplate.objects.filter(key=key).first()
    if template is not None:
        return template
    default = templates_catalog.default_for(key)
    if default is None:
        raise UnknownTemplate(f"There is no email template {key!r}.", field="template_key")
    # A default the data migration seeded but that went missing (e.g. a flushed test database).
    template, _ = EmailTemplate.objects.get_or_create(
        key=key,
        defaults={"name": default.name, "subject": default.subject, "body": default.body},
    )
    return template


def install_default_templates() -> int:
    """Create the default templates that do not exist yet; edited ones are left alone."""
    created = 0
    for default in templates_catalog.DEFAULT_TEMPLATES:
        _, was_created = EmailTemplate.objects.get_or_create(
            key=default.key,
            defaults={"name": default.name, "subject": default.subject, "body": default.body},
        )
        created += was_created
    return created


def _check_editor(actor: Actor) -> None:
    # Templates and their extra recipients apply to every organisation's mail, so only the operator
    # may change them: a reseller adding itself as an extra recipient would receive other
    # resellers' customers' passwords.
    if not actor.is_operator_admin:
        raise PermissionDenied("Only the operator's administrators may change email templates.")


def validate_template(*, key: str, subject: str, body: str, extra_recipients: str) -> list[str]:
    """The extra recipients, parsed; raises a field-specific error for anything that would not work."""
    sample = templates_catalog.sample_context(key)
    rendering.check_template(subject, field="subject", sample_context=sample)
    rendering.check_template(body, field="body", sample_context=sample)
    return rendering.parse_recipient_list(extra_recipients)


@transaction.atomic
def update_template(
    *,
    key: str,
    actor: Actor,
    name: str,
    subject: str,
    body: str,
    extra_recipients: str,
    is_active: bool,
    clock: Clock = platform_clock,
) -> EmailTemplate:
    _check_editor(actor)
    template = EmailTemplate.objects.select_for_update().filter(key=key).first()
    if template is None:
        raise UnknownTemplate(f"There is no email template {key!r}.", field="template_key")
    if not name.strip():
        raise DomainError("The name cannot be empty.", field="name", code="invalid_input")
    addresses = validate_template(key=key, subject=subject, body=body, extra_recipients=extra_recipients)
    template.name = name.strip()
    template.subject = subject.strip()
    template.body = body
    template.extra_recipients = ", ".join(addresses)
    template.is_active = is_active
    template.updated_at = clock.now()
    template.updated_by_id = actor.user_id
    template.save()
    return template


def preview_template(*, key: str, subject: str, body: str) -> RenderedEmail:
    """The unsaved template rendered with its sample context (raises `TemplateError`)."""
    return rendering.render(subject, body, templates_catalog.sample_context(key))


def retry_email(*, email_id: int, actor: Actor, clock: Clock = platform_clock) -> OutboundEmail:
    """Staff send a failed email again (failed → queued); 404 unless the actor may change its owner."""
    with transaction.atomic():
        email = _changeable(actor).select_for_update().filter(pk=email_id).first()
        if email is None:
            raise DomainError("There is no such email.", code="not_found")
        outbox.requeue(email, now=clock.now())
        _deliver_after_commit(email.pk)
    return email


def _changeable(actor: Actor) -> QuerySet[OutboundEmail]:
    emails = OutboundEmail.objects.defer("body")
    mine = scoped(actor, emails, "organization", Action.CHANGE)
    return mine | emails.filter(organization__isnull=True) if actor.is_operator_admin else mine
