"""The one answer to "may actor X see / change object Y", and the query filters that follow from it.

The rules themselves live in `cspbroker.domain.parties`; this module only knows where the rows are.
Every selector of every app filters through `visible_organizations` or `scoped`, so a customer
asking for another organisation's object finds nothing (404), never a 403 that confirms it exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from django.db.models import Model, Q, QuerySet
from django.http import Http404

from cspbroker.accounts.models import Membership, Organization, User
from cspbroker.domain.parties import Action, Grant, Role, permits

M = TypeVar("M", bound=Model)

# An id that no organisation has, standing for "some organisation below this one".
_BELOW = -1


@dataclass(frozen=True)
class ScopedGrant:
    grant: Grant
    path: str  # the granted organisation's materialized path, e.g. "/1/4/"
    organization_name: str
    organization_kind: str


@dataclass(frozen=True)
class Actor:
    """Who is acting, with which grants, and through which door (page, API token, CLI, provider)."""

    user_id: int | None
    email: str
    grants: tuple[ScopedGrant, ...]
    via: str = "session"
    token_id: int | None = None

    @property
    def is_staff(self) -> bool:
        return any(g.grant.role.is_staff for g in self.grants)

    @property
    def is_operator_admin(self) -> bool:
        return any(g.grant.role is Role.OPERATOR_ADMIN for g in self.grants)

    @property
    def ref(self) -> str:
        """A short stable reference for history rows: who, and through what."""
        if self.token_id is not None:
            return f"token:{self.token_id}"
        return f"user:{self.user_id}" if self.user_id is not None else f"system:{self.via}"

    def roles(self) -> set[Role]:
        return {g.grant.role for g in self.grants}


SYSTEM = Actor(user_id=None, email="system", grants=(), via="system")


def actor_for(user: User, *, via: str = "session", token_id: int | None = None) -> Actor:
    memberships = Membership.objects.filter(user=user).select_related("organization").order_by("id")
    grants = tuple(
        ScopedGrant(
            grant=Grant(organization_id=m.organization_id, role=Role(m.role)),
            path=m.organization.path,
            organization_name=m.organization.legal_name,
            organization_kind=m.organization.kind,
        )
        for m in memberships
    )
    return Actor(user_id=user.pk, email=user.email, grants=grants, via=via, token_id=token_id)


def may(actor: Actor, action: Action, organization: Organization) -> bool:
    """Whether `actor` may do `action` on `organization` (or on anything that belongs to it)."""
    if actor is SYSTEM:
        return True
    ancestry = organization.ancestry
    return any(permits(g.grant, ancestry, action) for g in actor.grants)


def visible_organizations(actor: Actor, action: Action = Action.VIEW) -> QuerySet[Organization]:
    """All organisations on which `actor` may do `action`, as one query."""
    if actor is SYSTEM:
        return Organization.objects.all()
    condition = Q(pk__in=[])
    for scoped_grant in actor.grants:
        grant = scoped_grant.grant
        subtree = Q(path__startswith=scoped_grant.path)
        if permits(grant, [grant.organization_id], action):
            condition |= subtree
        elif permits(grant, [grant.organization_id, _BELOW], action):
            condition |= subtree & ~Q(pk=grant.organization_id)
    return Organization.objects.filter(condition)


def scoped(
    actor: Actor,
    queryset: QuerySet[M],
    organization_field: str = "organization",
    action: Action = Action.VIEW,
) -> QuerySet[M]:
    """`queryset` limited to the rows whose organisation `actor` may `action` on."""
    if actor is SYSTEM:
        return queryset
    lookup = "pk__in" if organization_field == "self" else f"{organization_field}__in"
    return queryset.filter(**{lookup: visible_organizations(actor, action).values("pk")})


def get_scoped_or_404(
    actor: Actor, queryset: QuerySet[M], organization_field: str = "organization", **lookup: Any
) -> M:
    """One row `actor` may see, else 404 — the same answer whether it exists or not."""
    try:
        return scoped(actor, queryset, organization_field).get(**lookup)
    except queryset.model.DoesNotExist as missing:  # type: ignore[attr-defined]
        raise Http404("Not found.") from missing
