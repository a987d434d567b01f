"""A tenant's whole directory at the provider, synced in the worker: subscriptions, users, licences.

Everything is read first (`read_directory`), outside any transaction, and then written in one
(`write_directory`) with the tenant row locked: subscriptions by provider id, users by user
principal name, assignments by user and licence SKU — syncing twice creates nothing new.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from django.db import transaction

from cspbroker.clock import platform_clock
from cspbroker.domain.clock import Clock
from cspbroker.providers.errors import ProviderError
from cspbroker.providers.partnercenter.subscriptions import Subscription as RemoteSubscription
from cspbroker.providers.ports import SubscriptionsPort, UsersAndLicencesPort
from cspbroker.sync import subscription_import
from cspbroker.tenants import common
from cspbroker.tenants import directory as user_directory
from cspbroker.tenants.models import Tenant, TenantStatus


class DirectoryPort(SubscriptionsPort, UsersAndLicencesPort, Protocol):
    """What a sync reads: the tenant's subscriptions, users and licences."""


@dataclass
class Directory:
    """A tenant's state at the provider, read before anything is written."""

    subscriptions: list[RemoteSubscription]
    users: user_directory.UserDirectory


def read_directory(client: DirectoryPort, customer_id: str) -> Directory:
    subscriptions = client.list_subscriptions(customer_id)
    return Directory(subscriptions, user_directory.read(client, customer_id))


def sync(tenant_id: int, *, clock: Clock = platform_clock) -> common.Outcome:
    """Import what the provider holds for an active tenant: subscriptions, users, licences."""
    tenant = Tenant.objects.select_related("connection").get(pk=tenant_id)
    if tenant.status != TenantStatus.ACTIVE or not tenant.provider_tenant_id:
        return {"ok": False, "code": "tenant_not_ready", "message": "The tenant is not active."}
    try:
        with common.provider(tenant.connection) as client:
            found = read_directory(client, tenant.provider_tenant_id)
    except ProviderError as error:
        return user_directory.record_failure(tenant.pk, error)
    return {"ok": True, **write_directory(tenant.pk, found, clock.now())}


def write_directory(tenant_id: int, found: Directory, now: datetime) -> dict[str, int]:
    with transaction.atomic():
        tenant = Tenant.objects.select_for_update().select_related("connection").get(pk=tenant_id)
        created = subscription_import.import_subscriptions(tenant, found.subscriptions, now)
        subscription_import.link_licence_skus(tenant, found.users.skus)
        written = user_directory.write(tenant, found.users, now)
    return {"subscriptions_created": created, **written}
