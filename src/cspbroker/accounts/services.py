"""Writes for parties and roles: one function per use case, each in one transaction."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from cspbroker.accounts.access import SYSTEM, Actor, may
from cspbroker.accounts.models import ApiToken, Membership, Organization, User
from cspbroker.clock import platform_clock
from cspbroker.domain.clock import Clock
from cspbroker.domain.errors import DomainError
from cspbroker.domain.money import Money
from cspbroker.domain.parties import Action, OrganizationKind, Role, check_parent, check_role

TOKEN_PREFIX = "cspb"


class PermissionDenied(DomainError):
    code = "permission_denied"


class InvalidInput(DomainError):
    code = "invalid_input"


def _raise_validation(error: ValidationError) -> None:
    field, messages = next(iter(error.message_dict.items()))
    raise InvalidInput(f"{field.replace('_', ' ').capitalize()}: {' '.join(messages)}", field=field)


ORGANIZATION_FIELDS = (
    "legal_name",
    "contact_name",
    "contact_email",
    "contact_phone",
    "address_line1",
    "address_line2",
    "city",
    "state",
    "postal_code",
    "country",
    "tax_id",
    "currency",
    "time_zone",
    "billing_day",
)


def _check_time_zone(name: str) -> None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise InvalidInput(
            f"Time zone {name!r} is not a known IANA zone, e.g. Europe/Berlin.", field="time_zone"
        ) from error


@transaction.atomic
def create_organization(
    *, kind: OrganizationKind, parent_id: int | None, actor: Actor = SYSTEM, **fields: Any
) -> Organization:
    unknown = set(fields) - set(ORGANIZATION_FIELDS)
    if unknown:
        raise InvalidInput(f"Unknown organisation fields: {', '.join(sorted(unknown))}.")
    parent = Organization.objects.select_for_update().get(pk=parent_id) if parent_id is not None else None
    check_parent(kind, parent.organization_kind if parent else None)
    if parent is not None and not may(actor, Action.ADMINISTER, parent):
        raise PermissionDenied(f"You may not add organisations under {parent.legal_name}.")
    if parent is None and actor is not SYSTEM:
        raise PermissionDenied("Only the installation itself creates the operator.")
    fields = {
        k: (v.upper() if k in {"country", "currency"} and isinstance(v, str) else v)
        for k, v in fields.items()
    }
    if "currency" in fields:
        Money.zero(fields["currency"])  # raises UnknownCurrency with a clear message
    _check_time_zone(fields.get("time_zone", "UTC"))
    organization = Organization(kind=kind.value, parent=parent, **fields)
    try:
        organization.full_clean(exclude=["path"])
    except ValidationError as error:
        _raise_validation(error)
    organization.save()
    organization.path = f"{parent.path if parent else '/'}{organization.pk}/"
    organization.save(update_fields=["path"])
    return organization


@transaction.atomic
def update_organization(*, organization_id: int, actor: Actor, **fields: Any) -> Organization:
    organization = Organization.objects.select_for_update().get(pk=organization_id)
    if not may(actor, Action.ADMINISTER, organization):
        raise PermissionDenied(f"You may not change {organization.legal_name}.")
    unknown = set(fields) - set(ORGANIZATION_FIELDS)
    if unknown:
        raise InvalidInput(f"Unknown organisation fields: {', '.join(sorted(unknown))}.")
    for name, value in fields.items():
        setattr(organization, name, value.upper() if name in {"country", "currency"} else value)
    Money.zero(organization.currency)
    _check_time_zone(organization.time_zone)
    try:
        organization.full_clean()
    except ValidationError as error:
        _raise_validation(error)
    organization.save()
    return organization


@transaction.atomic
def add_member(
    *,
    organization_id: int,
    email: str,
    role: Role,
    full_name: str = "",
    password: str | None = None,
    actor: Actor = SYSTEM,
) -> Membership:
    """Give a person (created when new) a role in an organisation."""
    organization = Organization.objects.get(pk=organization_id)
    if not may(actor, Action.ADMINISTER, organization):
        raise PermissionDenied(f"You may not add people to {organization.legal_name}.")
    check_role(role, organization.organization_kind)
    email = email.strip().lower()
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User(email=email, full_name=full_name)
        try:
            user.full_clean(exclude=["password"])
        except ValidationError as error:
            _raise_validation(error)
        user.set_password(password) if password else user.set_unusable_password()
        user.save()
    elif password:
        user.set_password(password)
        user.save(update_fields=["password"])
    if role is Role.OPERATOR_ADMIN and not user.is_staff:
        # The Django admin is for the operator only (issue 2); the flag follows the role.
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    membership, _ = Membership.objects.update_or_create(
        user=user, organization=organization, defaults={"role": role.value}
    )
    return membership


# --- API tokens -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    secret: str  # the whole token string; shown once, never stored


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def create_api_token(*, user_id: int, name: str) -> IssuedToken:
    name = name.strip()
    if not name or len(name) > 100:
        raise InvalidInput("Give the token a name of 1 to 100 characters.", field="name")
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user_id=user_id, name=name, prefix=prefix, secret_hash=_digest(secret))
    return IssuedToken(token=token, secret=f"{TOKEN_PREFIX}_{prefix}_{secret}")


@transaction.atomic
def revoke_api_token(*, user_id: int, token_id: int, clock: Clock = platform_clock) -> ApiToken:
    token = ApiToken.objects.select_for_update().filter(user_id=user_id, pk=token_id).first()
    if token is None:
        raise InvalidInput("No such token.", field="token", code="not_found")
    if token.revoked_at is None:
        token.revoked_at = clock.now()
        token.save(update_fields=["revoked_at"])
    return token


def authenticate_token(raw: str, *, clock: Clock = platform_clock) -> tuple[User, ApiToken] | None:
    """The user behind a token string, or None for a malformed, unknown or revoked token."""
    parts = raw.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX or not parts[1] or not parts[2]:
        return None
    token = ApiToken.objects.select_related("user").filter(prefix=parts[1], revoked_at__isnull=True).first()
    if token is None or not token.user.is_active:
        return None
    if not hmac.compare_digest(token.secret_hash, _digest(parts[2])):
        return None
    now = clock.now()
    # Write at most once a minute: a busy script must not turn every read into a write.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user, token
