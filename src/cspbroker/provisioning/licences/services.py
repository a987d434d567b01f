"""Licence assignment requests (U3): assign or remove one subscription's licence for a ticked set of users.

Seats are counted per Entra licence SKU (`subscriptions.tenant_licences.seats`). Assigning more
than are free is refused here, before the provider is called, with the numbers; a refusal by
Partner Center itself (60012, out of licences) reaches the person in its words. The provider is
called from the worker (`jobs`); the request waits briefly for its outcome.
"""

from __future__ import annotations

from dataclasses import dataclass

from cspbroker.accounts.access import Actor
from cspbroker.domain.errors import DomainError
from cspbroker.provisioning.licences import tasks
from cspbroker.provisioning.licences.jobs import ASSIGN, REMOVE
from cspbroker.subscriptions.models import Subscription
from cspbroker.subscriptions.tenant_licences import seats
from cspbroker.tenants import common
from cspbroker.tenants.common import tenant_for_change
from cspbroker.tenants.models import Tenant, TenantUser


class InvalidAssignment(DomainError):
    code = "invalid_assignment"


class LicencesExhausted(DomainError):
    code = "licences_exhausted"


@dataclass(frozen=True)
class LicenceChange:
    licence_sku_id: str
    changed: int  # users whose licence changed at the provider
    unchanged: int  # users who already had (or already lacked) it
    pending: bool = False  # the worker is still at it


def _licence_of(tenant: Tenant, subscription_id: int) -> str:
    subscription = (
        Subscription.objects.select_related("offer__availability__sku")
        .filter(tenant=tenant, pk=subscription_id)
        .first()
    )
    if subscription is None:
        raise InvalidAssignment("There is no such subscription in this tenant.", field="subscription_id")
    licence = subscription.offer.availability.sku.licence_sku_id.lower()
    if not licence:
        raise InvalidAssignment(
            f"{subscription} has no licence to assign (Partner Center has not listed it for this tenant; "
            "sync the tenant and try again).",
            field="subscription_id",
        )
    return licence


def _users(tenant: Tenant, user_ids: list[int]) -> list[TenantUser]:
    wanted = sorted({int(user_id) for user_id in user_ids})
    if not wanted:
        raise InvalidAssignment("Select at least one user.", field="user_ids")
    users = list(
        TenantUser.objects.filter(tenant=tenant, is_active=True, pk__in=wanted).prefetch_related("licences")
    )
    if len(users) != len(wanted):
        raise InvalidAssignment(
            "Some of the selected users are not active users of this tenant.", field="user_ids"
        )
    unknown = [user.user_principal_name for user in users if not user.provider_user_id]
    if unknown:
        raise InvalidAssignment(
            f"Not known at Partner Center yet (sync the tenant first): {', '.join(unknown)}.",
            field="user_ids",
        )
    return users


def _holds(user: TenantUser, licence: str) -> bool:
    return any(assignment.licence_sku_id == licence for assignment in user.licences.all())


def assign_licences(
    *,
    actor: Actor,
    tenant_id: int,
    subscription_id: int,
    user_ids: list[int],
    wait: float = common.WORKER_WAIT_SECONDS,
) -> LicenceChange:
    tenant = tenant_for_change(actor, tenant_id)
    licence = _licence_of(tenant, subscription_id)
    users = _users(tenant, user_ids)
    without_location = [user.user_principal_name for user in users if not user.usage_location]
    if without_location:
        raise InvalidAssignment(
            f"A licence needs the user's usage location; set it first for: {', '.join(without_location)}.",
            field="user_ids",
        )
    to_assign = [user for user in users if not _holds(user, licence)]
    if to_assign:
        free = seats(tenant, licence)
        if len(to_assign) > free.available:
            raise LicencesExhausted(
                f"Only {free.available} of {free.purchased} licences are free; you selected "
                f"{len(to_assign)} user{'s' if len(to_assign) != 1 else ''}.",
                field="user_ids",
            )
    return _change(tenant, licence, to_assign, ASSIGN, len(users), wait)


def remove_licences(
    *,
    actor: Actor,
    tenant_id: int,
    user_ids: list[int],
    subscription_id: int | None = None,
    licence_sku_id: str | None = None,
    wait: float = common.WORKER_WAIT_SECONDS,
) -> LicenceChange:
    tenant = tenant_for_change(actor, tenant_id)
    if subscription_id is not None:
        licence = _licence_of(tenant, subscription_id)
    elif licence_sku_id:
        licence = licence_sku_id.lower()
    else:
        raise InvalidAssignment("Choose the subscription whose licence to remove.", field="subscription_id")
    users = _users(tenant, user_ids)
    holding = [user for user in users if _holds(user, licence)]
    return _change(tenant, licence, holding, REMOVE, len(users), wait)


def _change(
    tenant: Tenant, licence: str, users: list[TenantUser], action: str, selected: int, wait: float
) -> LicenceChange:
    unchanged = selected - len(users)
    if not users:
        return LicenceChange(licence, 0, unchanged)
    outcome = common.run_in_worker(
        tasks.update_licences, tenant.pk, licence, [u.pk for u in users], action, wait=wait
    )
    if outcome is None:
        return LicenceChange(licence, 0, unchanged, pending=True)
    if outcome.get("failures"):
        first = outcome["failures"][0]
        done = int(outcome.get("changed", 0))
        prefix = f"{done} of {len(users)} changed. " if done else ""
        raise common.ProviderRefused(
            prefix + first["message"], provider_code=first.get("code", ""), field="user_ids"
        )
    return LicenceChange(licence, int(outcome.get("changed", 0)), unchanged)
