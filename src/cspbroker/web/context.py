"""Template context every page needs: who is acting and which area they are in."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from cspbroker.accounts.access import Actor, actor_for


def current_actor(request: HttpRequest) -> Actor | None:
    cached: Actor | None = getattr(request, "_cspb_actor", None)
    if cached is None and request.user.is_authenticated:
        cached = actor_for(request.user)
        request._cspb_actor = cached  # type: ignore[attr-defined]
    return cached


def navigation(request: HttpRequest) -> dict[str, Any]:
    actor = current_actor(request)
    if actor is None:
        return {"actor": None}
    customer_roles = [g for g in actor.grants if not g.grant.role.is_staff]
    return {
        "actor": actor,
        "is_staff_actor": actor.is_staff,
        "is_customer_actor": bool(customer_roles),
        "is_operator_admin": actor.is_operator_admin,
    }
