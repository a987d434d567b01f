"""Decorators that admit a person to the back office (staff) or the storefront (customers)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse

from cspbroker.web.context import current_actor

View = Callable[..., HttpResponse]


def staff_required(view: View) -> View:
    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        actor = current_actor(request)
        if actor is None or not actor.is_staff:
            raise Http404("Not found.")
        return view(request, *args, **kwargs)

    return wrapper


def customer_required(view: View) -> View:
    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        actor = current_actor(request)
        if actor is None or not any(not g.grant.role.is_staff for g in actor.grants):
            raise Http404("Not found.")
        return view(request, *args, **kwargs)

    return wrapper
