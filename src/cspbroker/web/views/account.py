from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from cspbroker.accounts import selectors, services
from cspbroker.domain.errors import DomainError
from cspbroker.web.forms import TokenForm


def _user_id(request: HttpRequest) -> int:
    return int(request.user.pk or 0)


@login_required
def account(request: HttpRequest) -> HttpResponse:
    return _render(request, TokenForm())


def _render(
    request: HttpRequest, form: TokenForm, new_token: str | None = None, status: int = 200
) -> HttpResponse:
    tokens = selectors.tokens_of(_user_id(request))
    return render(
        request,
        "account/account.html",
        {"form": form, "tokens": tokens, "new_token": new_token, "area": "account"},
        status=status,
    )


@login_required
@require_POST
def create_token(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST)
    if not form.is_valid():
        return _render(request, form, status=400)
    try:
        issued = services.create_api_token(user_id=_user_id(request), name=form.cleaned_data["name"])
    except DomainError as error:
        form.add_error(error.field if error.field in form.fields else None, error.message)
        return _render(request, form, status=400)
    return _render(request, TokenForm(), new_token=issued.secret, status=201)


@login_required
@require_POST
def revoke_token(request: HttpRequest, token_id: int) -> HttpResponse:
    try:
        token = services.revoke_api_token(user_id=_user_id(request), token_id=token_id)
    except DomainError as error:
        raise Http404(error.message) from error
    messages.success(request, f"The token “{token.name}” is revoked.")
    return redirect("account")
