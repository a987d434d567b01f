"""Parties and roles: who belongs where in the organisation tree, and who may do what to whom.

The tree is operator (the service provider) → resellers → customers; a customer may also sit
directly under the operator. A person holds a role in one organisation through a membership. This
module is the single rulebook for access; the database layer only turns it into query filters.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from cspbroker.domain.errors import DomainError


class OrganizationKind(StrEnum):
    OPERATOR = "operator"
    RESELLER = "reseller"
    CUSTOMER = "customer"


class Role(StrEnum):
    OPERATOR_ADMIN = "operator_admin"
    RESELLER_ADMIN = "reseller_admin"
    RESELLER_STAFF = "reseller_staff"
    CUSTOMER_ADMIN = "customer_admin"
    CUSTOMER_USER = "customer_user"

    @property
    def organization_kind(self) -> OrganizationKind:
        return _ROLE_KIND[self]

    @property
    def is_staff(self) -> bool:
        """Staff work in the back office and see cost and margin; customers never do."""
        return self in _STAFF_ROLES

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


_ROLE_KIND = {
    Role.OPERATOR_ADMIN: OrganizationKind.OPERATOR,
    Role.RESELLER_ADMIN: OrganizationKind.RESELLER,
    Role.RESELLER_STAFF: OrganizationKind.RESELLER,
    Role.CUSTOMER_ADMIN: OrganizationKind.CUSTOMER,
    Role.CUSTOMER_USER: OrganizationKind.CUSTOMER,
}
_STAFF_ROLES = frozenset({Role.OPERATOR_ADMIN, Role.RESELLER_ADMIN, Role.RESELLER_STAFF})

_ALLOWED_PARENTS: dict[OrganizationKind, frozenset[OrganizationKind]] = {
    OrganizationKind.OPERATOR: frozenset(),
    OrganizationKind.RESELLER: frozenset({OrganizationKind.OPERATOR}),
    OrganizationKind.CUSTOMER: frozenset({OrganizationKind.RESELLER, OrganizationKind.OPERATOR}),
}


class Action(StrEnum):
    VIEW = "view"
    CHANGE = "change"  # act on the organisation's services: tenants, subscriptions, users, orders
    ADMINISTER = "administer"  # the organisation's settings, memberships, connections, price lists
    VIEW_COST = "view_cost"  # cost and margin


class InvalidHierarchy(DomainError):
    code = "invalid_hierarchy"


def check_parent(kind: OrganizationKind, parent_kind: OrganizationKind | None) -> None:
    """Raise unless an organisation of `kind` may sit under a parent of `parent_kind`."""
    allowed = _ALLOWED_PARENTS[kind]
    if parent_kind is None:
        if allowed:
            names = " or ".join(sorted(k.value for k in allowed))
            raise InvalidHierarchy(
                f"A {kind.value} must belong to a {names}.", field="parent", code="parent_required"
            )
        return
    if parent_kind not in allowed:
        if not allowed:
            raise InvalidHierarchy(
                "The operator sits at the top and has no parent.", field="parent", code="parent_forbidden"
            )
        names = " or ".join(sorted(k.value for k in allowed))
        raise InvalidHierarchy(
            f"A {kind.value} can only belong to a {names}, not a {parent_kind.value}.",
            field="parent",
            code="parent_invalid",
        )


def check_role(role: Role, kind: OrganizationKind) -> None:
    """Raise unless `role` can be held in an organisation of `kind`."""
    if role.organization_kind != kind:
        raise InvalidHierarchy(
            f"The role {role.label.lower()} belongs to a {role.organization_kind.value}, not a {kind.value}.",
            field="role",
            code="role_invalid",
        )


@dataclass(frozen=True)
class Grant:
    """One membership seen by the rules: the role a person holds in one organisation."""

    organization_id: int
    role: Role


def permits(grant: Grant, ancestry: Sequence[int], action: Action) -> bool:
    """Whether `grant` allows `action` on the organisation whose ids from the root down are `ancestry`.

    A role reaches its own organisation and everything below it. Reseller staff run the customers'
    services but not the reseller's own settings; customer users only look.
    """
    if grant.organization_id not in ancestry:
        return False
    own = ancestry[-1] == grant.organization_id
    role = grant.role
    if action is Action.VIEW:
        return True
    if action is Action.VIEW_COST:
        return role.is_staff
    if action is Action.CHANGE:
        if role is Role.RESELLER_STAFF:
            return not own
        return role in {Role.OPERATOR_ADMIN, Role.RESELLER_ADMIN, Role.CUSTOMER_ADMIN}
    if action is Action.ADMINISTER:
        return role in {Role.OPERATOR_ADMIN, Role.RESELLER_ADMIN, Role.CUSTOMER_ADMIN}
    return False  # pragma: no cover - every Action is handled above


def may(grants: Iterable[Grant], ancestry: Sequence[int], action: Action) -> bool:
    """Whether any of a person's grants allows `action` on the organisation with `ancestry`."""
    return any(permits(grant, ancestry, action) for grant in grants)
