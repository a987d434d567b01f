"""Rendering templates and checking addresses, with errors people can act on.

Email templates are plain text, so they are rendered by a private template engine with
autoescaping off (an "&" in a product name must not become "&amp;"). The engine has no loaders and
no tag libraries beyond the built-ins, so a template edited in the back office cannot include files
from the server or load code.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from email.utils import parseaddr
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.template import Context, Engine, TemplateSyntaxError

from cspbroker.domain.errors import DomainError


class TemplateError(DomainError):
    code = "invalid_template"


class InvalidRecipient(DomainError):
    code = "invalid_recipient"


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    body: str


@lru_cache(maxsize=1)
def _engine() -> Engine:
    return Engine(autoescape=False, loaders=[], libraries={}, string_if_invalid="")


def _compile(source: str, field: str) -> Any:
    try:
        return _engine().from_string(source)
    except TemplateSyntaxError as error:
        raise TemplateError(f"The template has a syntax error: {error}", field=field) from None


def _render_one(source: str, context: dict[str, Any], field: str) -> str:
    template = _compile(source, field)
    try:
        return str(template.render(Context(context, autoescape=False)))
    except Exception as error:  # a filter or tag failing at render time (e.g. a missing include)
        raise TemplateError(
            f"The template cannot be rendered: {type(error).__name__}: {error}", field=field
        ) from None


def render(subject: str, body: str, context: dict[str, Any]) -> RenderedEmail:
    """Subject and body rendered with `context`; the subject is folded onto one line."""
    rendered_subject = " ".join(_render_one(subject, context, "subject").split())
    if not rendered_subject:
        raise TemplateError("The subject is empty once rendered.", field="subject")
    return RenderedEmail(subject=rendered_subject, body=_render_one(body, context, "body"))


def check_template(source: str, *, field: str, sample_context: dict[str, Any]) -> None:
    """Raise `TemplateError` unless `source` compiles and renders with the sample context."""
    if not source.strip():
        raise TemplateError("This cannot be empty.", field=field)
    _render_one(source, sample_context, field)


def clean_address(address: str, *, field: str = "to") -> str:
    candidate = address.strip()
    try:
        validate_email(candidate)
    except ValidationError:
        shown = repr(candidate) if candidate else "An empty address"
        raise InvalidRecipient(f"{shown} is not an email address.", field=field) from None
    return candidate


def merge_recipients(*groups: Iterable[str]) -> list[str]:
    """The addresses in order, each once (compared case-insensitively; the first spelling wins)."""
    seen: set[str] = set()
    merged: list[str] = []
    for group in groups:
        for address in group:
            if address.lower() not in seen:
                seen.add(address.lower())
                merged.append(address)
    return merged


def parse_recipient_list(text: str, *, field: str = "extra_recipients") -> list[str]:
    """A comma-separated list of addresses (blank allowed), each checked."""
    return merge_recipients(clean_address(part, field=field) for part in text.split(",") if part.strip())


def message_id_for(idempotency_key: str) -> str:
    """A Message-ID that depends only on the idempotency key and our sending domain.

    Delivering the same logical email again (after a crash between the SMTP server's "250 OK" and
    our commit) produces the same Message-ID, so a receiving side can recognise the duplicate.
    """
    digest = hashlib.sha256(idempotency_key.encode()).hexdigest()
    _, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    domain = address.rpartition("@")[2] or "cspbroker"
    return f"<{digest}@{domain}>"
