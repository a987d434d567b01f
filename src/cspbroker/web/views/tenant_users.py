"""Users of a tenant (U1–U3) in the back office and the storefront: list, create, delete, reset the
password, licences for one user or a ticked set, CSV import (preview, progress) and export."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from cspbroker.accounts.services import PermissionDenied as DeniedByRules
from cspbroker.domain.errors import DomainError
from cspbroker.domain.passwords import PasswordMode, PasswordPolicyError
from cspbroker.provisioning.licences import services as licences
from cspbroker.subscriptions import tenant_licences
from cspbroker.tenants import selectors
from cspbroker.tenants.models import Tenant
from cspbroker.tenants.services import user_import, users
from cspbroker.web.views.tenants import (
    actor_of,
    denied,
    page_context,
    show_error,
    tenant_in_area,
    tenant_to_change,
)

PENDING = "Partner Center is still working on it; the change appears here shortly."
MODE_CHOICES = [(mode.value, mode.label) for mode in PasswordMode]


class PasswordFields(forms.Form):
    password_mode = forms.ChoiceField(
        label="Password",
        choices=MODE_CHOICES,
        initial=PasswordMode.AUTO_GENERATE_AND_EMAIL.value,
        widget=forms.RadioSelect,
    )
    password = forms.CharField(
        label="Password (when you specify it)",
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="At least 8 characters with upper and lower case, digits and a symbol; no part of the "
        "user's account name or full name.",
    )
    email_to = forms.CharField(label="Send the credentials to (email)", required=False)


class UserForm(PasswordFields):
    user_principal_name = forms.CharField(label="User name (user@domain)", max_length=255)
    first_name = forms.CharField(label="First name", required=False, max_length=64)
    last_name = forms.CharField(label="Last name", required=False, max_length=64)
    display_name = forms.CharField(label="Display name", required=False, max_length=256)
    usage_location = forms.CharField(
        label="Usage location",
        max_length=2,
        help_text="The two-letter country code, e.g. DE; licences need it.",
    )
    field_order = ("user_principal_name", "first_name", "last_name", "display_name", "usage_location")


class ImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="Columns: userPrincipalName, firstName, lastName, displayName, usageLocation.",
    )
    notify_email = forms.CharField(label="Send the new passwords to (email)")


def _url(area: str, name: str, tenant: Tenant, **kwargs: Any) -> str:
    return reverse(f"{area}-tenant-{name}", kwargs={"tenant_id": tenant.pk, **kwargs})


def _field_error(form: forms.Form, error: DomainError) -> None:
    if isinstance(error, PasswordPolicyError):
        for violation in error.violations:
            form.add_error("password", violation.message)
        return
    show_error(form, error)


def user_list(request: HttpRequest, tenant_id: int, area: str) -> HttpResponse:
    tenant = tenant_in_area(request, area, tenant_id)
    search = request.GET.get("q", "").strip()
    page = selectors.users_page(tenant, search=search, page=_int(request.GET.get("page"), 1))
    lines = tenant_licences.seat_lines(tenant)
    names = tenant_licences.licence_names(tenant, lines)
    context = page_context(request, area, tenant, page=page, q=search, lines=lines, names=names)
    template = "backoffice/tenants/_user_rows.html" if request.htmx else "backoffice/tenants/users.html"  # type: ignore[attr-defined]
    return render(request, template, context)


def _int(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def user_new(request: HttpRequest, tenant_id: int, area: str) -> HttpResponse:
    tenant = tenant_to_change(request, area, tenant_id)
    form = UserForm(request.POST or None, initial={"usage_location": tenant.customer.country})
    if request.method == "POST" and form.is_valid():
        try:
            user = users.create_user(actor=actor_of(request), tenant_id=tenant.pk, **form.cleaned_data)
        except DeniedByRules as error:
            raise denied(error) from error
        except DomainError as error:
            _field_error(form, error)
        else:
            messages.success(request, f"{user.user_principal_name} is created." if user else PENDING)
            return redirect(_url(area, "users", tenant))
    context = page_context(request, area, tenant, form=form)
    return render(request, "backoffice/tenants/user_form.html", context, status=400 if form.errors else 200)


def user_detail(request: HttpRequest, tenant_id: int, user_id: int, area: str) -> HttpResponse:
    tenant = tenant_in_area(request, area, tenant_id)
    user = selectors.user_of(tenant, user_id)
    lines = tenant_licences.seat_lines(tenant)
    held = {assignment.licence_sku_id for assignment in user.licences.all()}
    names = tenant_licences.licence_names(tenant, lines)
    context = page_context(request, area, tenant, user=user, lines=lines, held=held, names=names)
    return render(request, "backoffice/tenants/user_detail.html", context)


def user_delete(request: HttpRequest, tenant_id: int, user_id: int, area: str) -> HttpResponse:
    tenant = tenant_to_change(request, area, tenant_id)
    user = selectors.user_of(tenant, user_id)
    error = ""
    if request.method == "POST":
        try:
            done = users.delete_user(actor=actor_of(request), tenant_id=tenant.pk, user_id=user.pk)
        except DeniedByRules as denial:
            raise denied(denial) from denial
        except DomainError as failure:
            error = failure.message
        else:
            messages.success(request, f"{user.user_principal_name} is deleted." if done else PENDING)
            return redirect(_url(area, "users", tenant))
    context = page_context(request, area, tenant, user=user, error=error)
    return render(request, "backoffice/tenants/user_delete.html", context, status=400 if error else 200)


def user_reset(request: HttpRequest, tenant_id: int, user_id: int, area: str) -> HttpResponse:
    tenant = tenant_to_change(request, area, tenant_id)
    user = selectors.user_of(tenant, user_id)
    form = PasswordFields(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            done = users.reset_password(
                actor=actor_of(request), tenant_id=tenant.pk, user_id=user.pk, **form.cleaned_data
            )
        except DeniedByRules as error:
            raise denied(error) from error
        except DomainError as error:
            _field_error(form, error)
        else:
            messages.success(
                request, f"The password of {user.user_principal_name} is reset." if done else PENDING
            )
            return redirect(_url(area, "users", tenant))
    context = page_context(request, area, tenant, user=user, form=form)
    return render(request, "backoffice/tenants/user_reset.html", context, status=400 if form.errors else 200)


@require_POST
def licence_change(request: HttpRequest, tenant_id: int, area: str) -> HttpResponse:
    """Assign or remove one subscription's licence for the ticked users (or the one user of a page)."""
    tenant = tenant_to_change(request, area, tenant_id)
    action = request.POST.get("action", "assign")
    user_ids = [_int(value, 0) for value in request.POST.getlist("user_ids")]
    back = request.POST.get("next") or _url(area, "users", tenant)
    if not back.startswith("/"):
        back = _url(area, "users", tenant)
    try:
        change = _apply(request, tenant, action, user_ids)
    except DeniedByRules as error:
        raise denied(error) from error
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(back)
    if change.pending:
        messages.success(request, PENDING)
    else:
        verb = "assigned to" if action == "assign" else "removed from"
        messages.success(
            request, f"Licence {verb} {change.changed} user{'s' if change.changed != 1 else ''}."
        )
    return redirect(back)


def _apply(request: HttpRequest, tenant: Tenant, action: str, user_ids: list[int]) -> licences.LicenceChange:
    actor = actor_of(request)
    subscription_id = _int(request.POST.get("subscription_id"), 0)
    if action == "remove" and request.POST.get("licence_sku_id"):
        return licences.remove_licences(
            actor=actor, tenant_id=tenant.pk, user_ids=user_ids, licence_sku_id=request.POST["licence_sku_id"]
        )
    if not subscription_id:
        raise DomainError("Choose a subscription.", field="subscription_id", code="invalid_assignment")
    if action == "remove":
        return licences.remove_licences(
            actor=actor, tenant_id=tenant.pk, user_ids=user_ids, subscription_id=subscription_id
        )
    return licences.assign_licences(
        actor=actor, tenant_id=tenant.pk, subscription_id=subscription_id, user_ids=user_ids
    )


def user_import_view(request: HttpRequest, tenant_id: int, area: str) -> HttpResponse:
    tenant = tenant_to_change(request, area, tenant_id)
    form = ImportForm(
        request.POST or None, request.FILES or None, initial={"notify_email": actor_of(request).email}
    )
    preview = record = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            text = upload.read(user_import.MAX_FILE_CHARACTERS + 1).decode("utf-8-sig")
            record, preview = user_import.preview_import(
                actor=actor_of(request),
                tenant_id=tenant.pk,
                text=text,
                notify_email=form.cleaned_data["notify_email"],
                file_name=upload.name or "",
            )
        except UnicodeDecodeError:
            form.add_error("file", "The file is not UTF-8 text; save it as “CSV UTF-8” and try again.")
        except DeniedByRules as error:
            raise denied(error) from error
        except DomainError as error:
            show_error(form, error)
    context = page_context(request, area, tenant, form=form, preview=preview, record=record)
    return render(request, "backoffice/tenants/user_import.html", context, status=400 if form.errors else 200)


@require_POST
def user_import_start(request: HttpRequest, tenant_id: int, import_id: int, area: str) -> HttpResponse:
    tenant = tenant_to_change(request, area, tenant_id)
    record = selectors.user_import_for(tenant, import_id)
    try:
        user_import.start_import(actor=actor_of(request), tenant_id=tenant.pk, import_id=record.pk)
    except DeniedByRules as error:
        raise denied(error) from error
    except DomainError as error:
        messages.error(request, error.message)
    return redirect(_url(area, "import-progress", tenant, import_id=record.pk))


def user_import_progress(request: HttpRequest, tenant_id: int, import_id: int, area: str) -> HttpResponse:
    tenant = tenant_in_area(request, area, tenant_id)
    record = selectors.user_import_for(tenant, import_id)
    context = page_context(request, area, tenant, record=record)
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "backoffice/tenants/_import_progress.html", context)
    return render(request, "backoffice/tenants/import_progress.html", context)


def user_export(request: HttpRequest, tenant_id: int, area: str) -> HttpResponse:
    tenant = tenant_in_area(request, area, tenant_id)
    response = HttpResponse(selectors.export_csv(tenant), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{tenant.domain}-users.csv"'
    return response
