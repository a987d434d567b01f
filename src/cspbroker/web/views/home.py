from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect

from cspbroker.web.context import current_actor


def home(request: HttpRequest) -> HttpResponse:
    """Send each person to their area: staff to the back office, customers to the storefront."""
    actor = current_actor(request)
    if actor is None:
        return redirect("login")
    if actor.is_staff:
        return redirect("backoffice-dashboard")
    if actor.grants:
        return redirect("store-dashboard")
    return redirect("account")


def health(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok", "database": connection.vendor})
