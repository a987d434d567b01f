"""A tenant's directory as Partner Center holds it: its users, their licences, the seat counts per SKU.

`read` asks the provider (outside any transaction: a large directory takes many calls), `write`
mirrors it in the caller's transaction, with the tenant row locked. Users are matched by user
principal name and assignments by user and licence SKU, so writing the same directory twice
changes nothing. The sync app adds the tenant's subscriptions to this and writes both at once.
"""

from __future__ import annotations

from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cspbroker.providers.errors import ProviderError
from cspbroker.providers.partnercenter.common import UserState
from cspbroker.providers.partnercenter.users import CustomerUser, SubscribedSku
from cspbroker.providers.ports import UsersAndLicencesPort
from cspbroker.tenants import common
from cspbroker.tenants.models import LicenceAssignment, Tenant, TenantUser

READ_CONCURRENCY = 8  # licence reads in flight at once while reading a large directory


@dataclass
class UserDirectory:
    """A tenant's users and licences at the provider, read before anything is written."""

    skus: list[SubscribedSku]
    users: list[CustomerUser]
    licences: dict[str, set[str]]  # provider user id → Entra SKU ids


def read(client: UsersAndLicencesPort, customer_id: str) -> UserDirectory:
    skus = client.list_subscribed_skus(customer_id)
    users = [user for user in client.list_users(customer_id) if user.state is UserState.ACTIVE]

    def licences_of(user: CustomerUser) -> tuple[str, set[str]]:
        held = client.list_user_licenses(customer_id, user.id)
        return user.id, {licence.product_sku.id.lower() for licence in held if licence.product_sku.id}

    with ThreadPoolExecutor(max_workers=READ_CONCURRENCY) as pool:
        licences = dict(pool.map(licences_of, users))
    return UserDirectory(skus, users, licences)


def write(tenant: Tenant, directory: UserDirectory, now: datetime) -> dict[str, int]:
    """Mirror the directory on `tenant` (locked by the caller, inside its transaction)."""
    users = write_users(tenant, directory.users, now)
    assignments = write_assignments(tenant, directory.licences)
    tenant.subscribed_skus = [seat_counts(sku) for sku in directory.skus]
    tenant.last_synced_at = now
    tenant.sync_message = ""
    tenant.save(update_fields=["subscribed_skus", "last_synced_at", "sync_message"])
    return {"users": users, "assignments": assignments}


def record_failure(tenant_id: int, error: ProviderError) -> common.Outcome:
    """Say on the tenant why the last read failed; the page shows it until a read succeeds."""
    message = f"The last sync failed: {common.provider_text(error)}"
    Tenant.objects.filter(pk=tenant_id).update(sync_message=message[:1000])
    return {"ok": False, "code": "sync_failed", "message": message}


def seat_counts(sku: SubscribedSku) -> dict[str, Any]:
    return {
        "licence_sku_id": sku.product_sku.id.lower(),
        "name": sku.product_sku.name or sku.product_sku.sku_part_number or sku.product_sku.id,
        "sku_part_number": sku.product_sku.sku_part_number or "",
        "total": sku.total_units,
        "consumed": sku.consumed_units,
        "available": sku.available_units,
        "suspended": sku.suspended_units,
    }


def _user_fields(remote: CustomerUser, now: datetime) -> dict[str, Any]:
    return {
        "provider_user_id": remote.id,
        "first_name": (remote.first_name or "")[:100],
        "last_name": (remote.last_name or "")[:100],
        "display_name": (remote.display_name or remote.user_principal_name)[:255],
        "usage_location": (remote.usage_location or "")[:2].upper(),
        "is_active": remote.state is UserState.ACTIVE,
        "last_synced_at": now,
    }


_SYNCED_FIELDS = [
    "provider_user_id",
    "first_name",
    "last_name",
    "display_name",
    "usage_location",
    "is_active",
    "last_synced_at",
]


def write_users(tenant: Tenant, remotes: list[CustomerUser], now: datetime) -> int:
    """Upsert the directory's users by principal name; users gone from it become inactive."""
    local = {user.user_principal_name.lower(): user for user in TenantUser.objects.filter(tenant=tenant)}
    new: list[TenantUser] = []
    changed: list[TenantUser] = []
    seen: set[str] = set()
    for remote in remotes:
        key = remote.user_principal_name.lower()
        if key in seen:
            continue
        seen.add(key)
        fields = _user_fields(remote, now)
        user = local.get(key)
        if user is None:
            new.append(TenantUser(tenant=tenant, user_principal_name=remote.user_principal_name, **fields))
            continue
        for name, value in fields.items():
            setattr(user, name, value)
        changed.append(user)
    for key, user in local.items():
        if key not in seen and user.is_active:
            user.is_active = False
            changed.append(user)
    TenantUser.objects.bulk_create(new, batch_size=1000)
    TenantUser.objects.bulk_update(changed, _SYNCED_FIELDS, batch_size=1000)
    return len(seen)


def write_assignments(tenant: Tenant, licences: dict[str, set[str]]) -> int:
    """Make the local assignments match the provider's: add the missing ones, drop the extra ones."""
    users = dict(TenantUser.objects.filter(tenant=tenant).values_list("provider_user_id", "pk"))
    held: dict[int, set[str]] = defaultdict(set)
    for user_id, sku in LicenceAssignment.objects.filter(user__tenant=tenant).values_list(
        "user_id", "licence_sku_id"
    ):
        held[user_id].add(sku.lower())
    wanted: dict[int, set[str]] = defaultdict(set)
    for provider_user_id, skus in licences.items():
        if provider_user_id in users:
            wanted[users[provider_user_id]] |= skus
    missing = [
        LicenceAssignment(user_id=user_id, licence_sku_id=sku)
        for user_id, skus in wanted.items()
        for sku in skus - held.get(user_id, set())
    ]
    LicenceAssignment.objects.bulk_create(missing, batch_size=1000)
    for user_id, skus in held.items():
        extra = skus - wanted.get(user_id, set())
        if extra:
            LicenceAssignment.objects.filter(user_id=user_id, licence_sku_id__in=extra).delete()
    return sum(len(skus) for skus in wanted.values())
