"""Reads for parties and roles, always through the access rules."""

from __future__ import annotations

from django.db.models import QuerySet

from cspbroker.accounts.access import Actor, get_scoped_or_404, visible_organizations
from cspbroker.accounts.models import ApiToken, Organization
from cspbroker.domain.parties import Action


def organizations_for(actor: Actor, *, kind: str | None = None) -> QuerySet[Organization]:
    queryset = visible_organizations(actor, Action.VIEW).select_related("parent").order_by("path")
    return queryset.filter(kind=kind) if kind else queryset


def organization_for(actor: Actor, organization_id: int) -> Organization:
    return get_scoped_or_404(actor, Organization.objects.select_related("parent"), "self", pk=organization_id)


def tokens_of(user_id: int) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user_id=user_id)
