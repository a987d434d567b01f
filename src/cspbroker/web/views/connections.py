from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from cspbroker.accounts.access import visible_organizations
from cspbroker.connections import selectors, services
from cspbroker.connections.models import DEFAULT_ENDPOINTS, ProviderKind
from cspbroker.domain.errors import DomainError
from cspbroker.domain.parties import Action, OrganizationKind
from cspbroker.web.context import current_actor
from cspbroker.web.views.access import staff_required


class ConnectionForm(forms.Form):
    organization = forms.TypedChoiceField(label="Owner", coerce=int)
    kind = forms.ChoiceField(label="Provider", choices=ProviderKind.choices)
    name = forms.CharField(max_length=100)
    base_url = forms.CharField(
        label="API base URL", required=False, help_text="Empty: the provider's real endpoint."
    )
    token_url = forms.CharField(
        label="Token URL", required=False, help_text="Empty: the provider's real endpoint."
    )
    tenant_id = forms.CharField(
        label="Partner tenant id", required=False, help_text="Partner Center only (a GUID)."
    )
    client_id = forms.CharField(
        label="Client id", help_text="A GUID: 8-4-4-4-12 hexadecimal digits with dashes."
    )
    client_secret = forms.CharField(
        label="Client secret",
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text="Stored encrypted and never shown again. Leave empty to keep the current one.",
    )

    def __init__(
        self, *args: Any, owners: list[tuple[int, str]], editing: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        organization = self.fields["organization"]
        assert isinstance(organization, forms.TypedChoiceField)
        organization.choices = owners
        if editing:
            self.fields["organization"].disabled = True
            self.fields["kind"].disabled = True


def _owners(request: HttpRequest) -> list[tuple[int, str]]:
    actor = current_actor(request)
    assert actor is not None
    owners = visible_organizations(actor, Action.ADMINISTER).exclude(kind=OrganizationKind.CUSTOMER.value)
    return [(o.pk, o.legal_name) for o in owners.order_by("path")]


@staff_required
def connection_list(request: HttpRequest) -> HttpResponse:
    actor = current_actor(request)
    assert actor is not None
    return render(
        request,
        "backoffice/connections/list.html",
        {"connections": selectors.connections_for(actor), "area": "backoffice"},
    )


def _save(request: HttpRequest, form: ConnectionForm, connection_id: int | None) -> HttpResponse | None:
    actor = current_actor(request)
    assert actor is not None
    data = {k: v for k, v in form.cleaned_data.items() if k not in {"organization", "kind"}}
    try:
        if connection_id is None:
            connection = services.create_connection(
                actor=actor,
                organization_id=form.cleaned_data["organization"],
                kind=form.cleaned_data["kind"],
                **data,
            )
        else:
            if not data.get("client_secret"):
                data.pop("client_secret", None)
            connection = services.update_connection(actor=actor, connection_id=connection_id, **data)
    except DomainError as error:
        form.add_error(error.field if error.field in form.fields else None, error.message)
        return None
    messages.success(
        request, f"The connection “{connection.name}” is saved. Test it to check the credentials."
    )
    return redirect("backoffice-connection", connection_id=connection.pk)


@staff_required
def connection_new(request: HttpRequest) -> HttpResponse:
    owners = _owners(request)
    form = ConnectionForm(request.POST or None, owners=owners)
    if request.method == "POST" and form.is_valid():
        response = _save(request, form, None)
        if response is not None:
            return response
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "backoffice/connections/form.html",
        {"form": form, "defaults": DEFAULT_ENDPOINTS, "area": "backoffice"},
        status=status,
    )


@staff_required
def connection_detail(request: HttpRequest, connection_id: int) -> HttpResponse:
    actor = current_actor(request)
    assert actor is not None
    connection = selectors.connection_for(actor, connection_id)
    initial = {f: getattr(connection, f) for f in ("name", "base_url", "token_url", "tenant_id", "client_id")}
    initial.update(organization=connection.organization_id, kind=connection.kind)
    owners = [(connection.organization_id, connection.organization.legal_name)]
    form = ConnectionForm(request.POST or None, owners=owners, editing=True, initial=initial)
    if request.method == "POST" and form.is_valid():
        response = _save(request, form, connection.pk)
        if response is not None:
            return response
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "backoffice/connections/form.html",
        {"form": form, "connection": connection, "area": "backoffice"},
        status=status,
    )


@staff_required
@require_POST
def connection_test(request: HttpRequest, connection_id: int) -> HttpResponse:
    actor = current_actor(request)
    assert actor is not None
    connection = selectors.connection_for(actor, connection_id)
    try:
        result = services.test_connection(actor=actor, connection_id=connection.pk)
    except DomainError as error:
        result = services.TestResult(False, error.message)
    return render(request, "backoffice/connections/_test_result.html", {"result": result})


__all__ = ["connection_detail", "connection_list", "connection_new", "connection_test"]
