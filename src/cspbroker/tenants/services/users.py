"""Users of a tenant (U1): create, delete, reset the password — with the three password modes.

The request side checks everything it can without the provider (the password policy names the rule
that failed, the usage location, the principal name's domain, where to send the email) and hands
the call to the worker (`jobs.users`); the page waits briefly for the outcome (see
`common.run_in_worker`). A password travels to the worker encrypted.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from cspbroker.accounts.access import Actor
from cspbroker.common import crypto
from cspbroker.domain.errors import DomainError
from cspbroker.domain.passwords import PasswordMode, ResolvedPassword, UserNames, resolve_password
from cspbroker.domain.tenants import validate_usage_location
from cspbroker.tenants import common, tasks
from cspbroker.tenants.common import tenant_for_change
from cspbroker.tenants.models import Tenant, TenantUser

_LOCAL_PART = re.compile(r"^[A-Za-z0-9'._!#^~\-]{1,64}$")


class InvalidUser(DomainError):
    code = "invalid_user"


@dataclass(frozen=True)
class UserInput:
    user_principal_name: str
    first_name: str
    last_name: str
    display_name: str
    usage_location: str


def clean_user(tenant: Tenant, data: dict[str, Any]) -> UserInput:
    upn = str(data.get("user_principal_name") or "").strip()
    local_part, at, domain = upn.rpartition("@")
    if not upn:
        raise InvalidUser("Enter the user name (user@domain).", field="user_principal_name")
    if not at or not _LOCAL_PART.match(local_part) or ".." in local_part or local_part.startswith("."):
        raise InvalidUser(
            f"{upn} is not a user name of the form name@domain (letters, digits and . - _ before the @).",
            field="user_principal_name",
        )
    if domain.lower() != tenant.domain.lower():
        raise InvalidUser(f"The user name must end with @{tenant.domain}.", field="user_principal_name")
    first, last = str(data.get("first_name") or "").strip(), str(data.get("last_name") or "").strip()
    display = str(data.get("display_name") or "").strip() or " ".join(part for part in (first, last) if part)
    if not display:
        raise InvalidUser("Enter a display name (or a first and last name).", field="display_name")
    for key, value, limit in (
        ("first_name", first, 64),
        ("last_name", last, 64),
        ("display_name", display, 256),
    ):
        if len(value) > limit:
            raise InvalidUser(
                f"The {key.replace('_', ' ')} may be at most {limit} characters long.", field=key
            )
    location = validate_usage_location(str(data.get("usage_location") or ""))
    return UserInput(upn, first, last, display, location)


def _check_email(email_to: str | None, resolved: ResolvedPassword) -> str:
    address = (email_to or "").strip()
    if not resolved.send_email:
        return ""
    if not address:
        raise InvalidUser("Enter the email address the credentials are sent to.", field="email_to")
    try:
        validate_email(address)
    except ValidationError:
        raise InvalidUser(f"{address} is not an email address.", field="email_to") from None
    return address


def resolve(
    mode: str, password: str | None, names: UserNames, email_to: str | None
) -> tuple[ResolvedPassword, str]:
    resolved = resolve_password(mode or PasswordMode.AUTO_GENERATE_AND_EMAIL, password, names)
    return resolved, _check_email(email_to, resolved)


def create_user(
    *,
    actor: Actor,
    tenant_id: int,
    password_mode: str,
    password: str | None = None,
    email_to: str | None = None,
    wait: float = common.WORKER_WAIT_SECONDS,
    **fields: Any,
) -> TenantUser | None:
    """Create a user at the provider (in the worker); None while the worker is still at it."""
    tenant = tenant_for_change(actor, tenant_id)
    data = clean_user(tenant, fields)
    if TenantUser.objects.filter(
        tenant=tenant, user_principal_name__iexact=data.user_principal_name
    ).exists():
        raise InvalidUser(f"The user {data.user_principal_name} already exists.", field="user_principal_name")
    full_name = " ".join(part for part in (data.first_name, data.last_name) if part) or data.display_name
    resolved, address = resolve(
        password_mode, password, UserNames(data.user_principal_name, full_name), email_to
    )
    payload = {
        **data.__dict__,
        "tenant_id": tenant.pk,
        "password": crypto.encrypt(resolved.password),
        "email_to": address,
        "request_id": str(uuid.uuid4()),
    }
    outcome = common.run_in_worker(tasks.create_user_task, payload, wait=wait)
    if outcome is None:
        return None
    common.raise_failure(outcome)
    return TenantUser.objects.get(pk=outcome["user_id"])


def _user(tenant: Tenant, user_id: int) -> TenantUser:
    user = TenantUser.objects.filter(tenant=tenant, pk=user_id, is_active=True).first()
    if user is None:
        raise InvalidUser("There is no such active user in this tenant.", field="user", code="not_found")
    if not user.provider_user_id:
        raise InvalidUser(
            f"{user.user_principal_name} is not known at Partner Center yet; sync the tenant first.",
            field="user",
        )
    return user


def delete_user(
    *, actor: Actor, tenant_id: int, user_id: int, wait: float = common.WORKER_WAIT_SECONDS
) -> bool:
    """Delete a user at the provider (soft: restorable there for 30 days); False while still running."""
    tenant = tenant_for_change(actor, tenant_id)
    user = _user(tenant, user_id)
    outcome = common.run_in_worker(tasks.delete_user_task, tenant.pk, user.pk, wait=wait)
    if outcome is None:
        return False
    common.raise_failure(outcome)
    return True


def reset_password(
    *,
    actor: Actor,
    tenant_id: int,
    user_id: int,
    password_mode: str,
    password: str | None = None,
    email_to: str | None = None,
    wait: float = common.WORKER_WAIT_SECONDS,
) -> bool:
    tenant = tenant_for_change(actor, tenant_id)
    user = _user(tenant, user_id)
    resolved, address = resolve(
        password_mode, password, UserNames(user.user_principal_name, user.full_name), email_to
    )
    payload = {
        "tenant_id": tenant.pk,
        "user_id": user.pk,
        "password": crypto.encrypt(resolved.password),
        "email_to": address,
        "request_id": str(uuid.uuid4()),
    }
    outcome = common.run_in_worker(tasks.reset_password_task, payload, wait=wait)
    if outcome is None:
        return False
    common.raise_failure(outcome)
    return True
