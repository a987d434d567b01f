"""Back-office pages of notifications: the email templates (edit with a live preview) and the outbox.

The template form checks its fields with the same rules the service applies (`rendering`).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cspbroker.accounts.access import Actor
from cspbroker.domain.errors import DomainError
from cspbroker.notifications import rendering, selectors, services, templates_catalog
from cspbroker.notifications.models import EmailStatus
from cspbroker.notifications.rendering import InvalidRecipient, TemplateError
from cspbroker.web.context import current_actor
from cspbroker.web.views.access import staff_required

AREA = {"area": "backoffice"}


class TemplateForm(forms.Form):
    name = forms.CharField(max_length=200)
    subject = forms.CharField(max_length=500)
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 18, "cols": 90}), strip=False)
    extra_recipients = forms.CharField(
        required=False,
        max_length=1000,
        help_text="Comma-separated addresses that receive a copy of every email of this kind.",
    )
    is_active = forms.BooleanField(required=False, label="Send emails of this kind")

    def __init__(self, *args: Any, key: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.key = key

    def _check(self, field: str) -> str:
        value: str = self.cleaned_data[field]
        try:
            rendering.check_template(
                value, field=field, sample_context=templates_catalog.sample_context(self.key)
            )
        except TemplateError as error:
            raise forms.ValidationError(error.message, code=error.code) from None
        return value

    def clean_subject(self) -> str:
        return self._check("subject")

    def clean_body(self) -> str:
        return self._check("body")

    def clean_extra_recipients(self) -> str:
        try:
            return ", ".join(rendering.parse_recipient_list(self.cleaned_data["extra_recipients"]))
        except InvalidRecipient as error:
            raise forms.ValidationError(error.message, code=error.code) from None


def _actor(request: HttpRequest) -> Actor:
    actor = current_actor(request)
    assert actor is not None  # staff_required let the request in
    return actor


@staff_required
@require_GET
def template_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "backoffice/notifications/templates.html",
        {**AREA, "templates": selectors.templates(), "may_edit": _actor(request).is_operator_admin},
    )


@staff_required
@require_http_methods(["GET", "POST"])
def template_edit(request: HttpRequest, key: str) -> HttpResponse:
    actor = _actor(request)
    template = selectors.template_for(key)
    may_edit = actor.is_operator_admin
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied
        form = TemplateForm(request.POST, key=key)
        if form.is_valid():
            try:
                services.update_template(key=key, actor=actor, **form.cleaned_data)
            except DomainError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                messages.success(request, f"The template “{form.cleaned_data['name']}” was saved.")
                return redirect("notifications:template-edit", key=key)
    else:
        form = TemplateForm(
            initial={
                "name": template.name,
                "subject": template.subject,
                "body": template.body,
                "extra_recipients": template.extra_recipients,
                "is_active": template.is_active,
            },
            key=key,
        )
    if not may_edit:
        for field in form.fields.values():
            field.disabled = True
    default = templates_catalog.default_for(key)
    return render(
        request,
        "backoffice/notifications/template_edit.html",
        {
            **AREA,
            "template": template,
            "form": form,
            "may_edit": may_edit,
            "variables": sorted(default.variables.items()) if default else [],
            "preview": _preview(key, str(form["subject"].value() or ""), str(form["body"].value() or "")),
        },
    )


@staff_required
@require_POST
def template_preview(request: HttpRequest, key: str) -> HttpResponse:
    selectors.template_for(key)  # 404 for an unknown key
    subject = request.POST.get("subject", "")
    body = request.POST.get("body", "")
    return render(
        request, "backoffice/notifications/_preview.html", {"preview": _preview(key, subject, body)}
    )


def _preview(key: str, subject: str, body: str) -> dict[str, str]:
    try:
        rendered = services.preview_template(key=key, subject=subject, body=body)
    except DomainError as error:
        return {"error": error.message, "field": error.field or ""}
    return {"subject": rendered.subject, "body": rendered.body}


@staff_required
@require_GET
def outbox(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    status = request.GET.get("status") or None
    if status not in EmailStatus.values:
        status = None
    search = request.GET.get("q", "").strip()
    context = {
        **AREA,
        "emails": selectors.emails_for(actor, status=status, search=search)[:200],
        "status": status,
        "statuses": EmailStatus.choices,
        "q": search,
    }
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "backoffice/notifications/_outbox_rows.html", context)
    counts = selectors.status_counts(actor)
    summary = [(value, label, counts[value]) for value, label in EmailStatus.choices]
    return render(request, "backoffice/notifications/outbox.html", {**context, "summary": summary})


@staff_required
@require_POST
def outbox_retry(request: HttpRequest, email_id: int) -> HttpResponse:
    actor = _actor(request)
    selectors.email_for(actor, email_id)  # 404 for an email the actor may not see
    try:
        services.retry_email(email_id=email_id, actor=actor)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "The email is queued again and goes out within a minute.")
    return redirect(reverse("notifications:outbox") + "?status=failed")
