"""An existing tenant (T3): link it by id or domain, then import its subscriptions, users and licences.

Linking writes the Tenant (status creating, `is_linked`) and leaves the provider to the worker,
which finds the customer in the partner's Partner Center account, activates the tenant and syncs.
`sync` reads the whole directory first and then writes it in one transaction: users are matched by
user principal name, assignments by user and licence SKU, subscriptions by provider id — running it
twice creates nothing new.
"""

from __future__ import annotations

import json
import re
import uuid
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from cspbroker.accounts.access import Actor
from cspbroker.accounts.models import Organization
from cspbroker.domain.errors import DomainError
from cspbroker.domain.parties import Action
from cspbroker.domain.tenants import TENANT_DOMAIN_SUFFIX
from cspbroker.providers.errors import NotFound, ProviderError, ProviderRejected, ProviderUnavailable
from cspbroker.providers.partnercenter.client import PartnerCenterClient
from cspbroker.providers.partnercenter.common import UserState
from cspbroker.providers.partnercenter.customers import Customer
from cspbroker.providers.partnercenter.subscriptions import Subscription as RemoteSubscription
from cspbroker.providers.partnercenter.users import CustomerUser, SubscribedSku
from cspbroker.tenants.models import LicenceAssignment, Tenant, TenantStatus, TenantUser
from cspbroker.tenants.services import common, subscription_import, tenant_lifecycle

_GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_DOMAIN = re.compile(r"^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
READ_CONCURRENCY = 8  # licence reads in flight at once while syncing a large directory


class InvalidTenantReference(DomainError):
    code = "invalid_tenant_reference"


def parse_reference(reference: str) -> str:
    """A tenant id (GUID) or a domain, lower-cased; a bare name means `<name>.onmicrosoft.com`."""
    value = (reference or "").strip().lower()
    if value and "." not in value and not _GUID.match(value):
        value += TENANT_DOMAIN_SUFFIX
    if _GUID.match(value) or _DOMAIN.match(value):
        return value
    raise InvalidTenantReference(
        "Enter the existing tenant's id (a GUID) or one of its domains, e.g. contoso.onmicrosoft.com.",
        field="tenant_name",
    )


def link_tenant(
    *, actor: Actor, customer_id: int, reference: str, connection_id: int | None = None
) -> Tenant:
    """Write the link request for an existing tenant and hand it to the worker after commit."""
    with transaction.atomic():
        customer = Organization.objects.select_for_update().get(pk=customer_id)
        common.require_customer(customer)
        common.require(actor, Action.CHANGE, customer, "link a tenant")
        value = parse_reference(reference)
        connection = common.connection_for_customer(customer, connection_id)
        tenant_lifecycle._check_free(customer, connection, "" if _GUID.match(value) else value)
        if Tenant.objects.filter(connection=connection, provider_tenant_id=value).exists():
            raise common.TenantExists(
                "That tenant is already linked to another customer here.", field="tenant_name"
            )
        tenant = Tenant.objects.create(
            customer=customer,
            connection=connection,
            domain=value,
            is_linked=True,
            status=TenantStatus.CREATING,
            request_id=uuid.uuid4(),
            creation_request={"reference": value},
            created_by=actor.ref,
        )
        tenant_lifecycle._enqueue_provisioning(tenant.pk)
    return tenant


def request_sync(*, actor: Actor, tenant_id: int) -> Tenant:
    """Ask the worker to import the tenant's subscriptions, users and assignments again."""
    from cspbroker.tenants.tasks import sync_tenant

    tenant = Tenant.objects.select_related("customer").get(pk=tenant_id)
    common.require(actor, Action.CHANGE, tenant.customer, "sync a tenant")
    common.require_active(tenant)
    transaction.on_commit(lambda: sync_tenant(tenant.pk), robust=True)
    return tenant


def correct_reference(tenant: Tenant, reference: str | None) -> bool:
    if not reference:
        return False
    value = parse_reference(reference)
    changed: bool = value != tenant.creation_request.get("reference")
    tenant.creation_request = {"reference": value}
    tenant.domain = value
    return changed


# --- The worker side --------------------------------------------------------------------------------


def _claim(tenant_id: int) -> Tenant | None:
    with transaction.atomic():
        tenant = Tenant.objects.select_for_update().select_related("connection").filter(pk=tenant_id).first()
        if tenant is None or tenant.status != TenantStatus.CREATING or not tenant.is_linked:
            return None
        tenant.attempts += 1
        tenant.last_attempt_at = timezone.now()
        tenant.save(update_fields=["attempts", "last_attempt_at"])
        return tenant


def _find(client: PartnerCenterClient, reference: str) -> Customer | None:
    if _GUID.match(reference):
        try:
            return client.get_customer(reference)
        except NotFound:
            return None
    search = json.dumps({"Field": "Domain", "Value": reference, "Operator": "starts_with"})
    for customer in client.list_customers(filter=search):
        domains = {customer.domain.lower(), *(domain.lower() for domain in customer.custom_domains)}
        if reference in domains:
            return customer
    return None


def perform_link(tenant_id: int) -> common.Outcome:
    """Find the customer at the provider (worker), activate the tenant, import what it holds."""
    tenant = _claim(tenant_id)
    if tenant is None:
        return {"ok": True, "skipped": True}
    reference = str(tenant.creation_request.get("reference") or tenant.domain)
    request_id = tenant.request_id or uuid.uuid4()
    try:
        with common.provider(tenant.connection) as client:
            customer = _find(client, reference)
    except ProviderUnavailable as error:
        return tenant_lifecycle._unavailable(tenant, request_id, error)
    except ProviderRejected as error:
        tenant_lifecycle._fail(tenant.pk, request_id, error.code, common.provider_text(error))
        return {"ok": False, "code": error.code, "message": common.provider_text(error)}
    if customer is None:
        message = (
            f"No customer {reference} is in this Partner Center account. The customer must first accept "
            "the reseller relationship request; then link it again."
        )
        tenant_lifecycle._fail(tenant.pk, request_id, "not_found", message)
        return {"ok": False, "code": "not_found", "message": message}
    if not _activate(tenant.pk, request_id, customer):
        return {"ok": True, "skipped": True}
    return sync(tenant.pk)


def _activate(tenant_id: int, request_id: uuid.UUID, customer: Customer) -> bool:
    try:
        with transaction.atomic():
            tenant = Tenant.objects.select_for_update().get(pk=tenant_id)
            if tenant.status != TenantStatus.CREATING or tenant.request_id != request_id:
                return False
            tenant.provider_tenant_id = customer.id
            tenant.domain = customer.domain or tenant.domain
            tenant.status = TenantStatus.ACTIVE
            tenant.failure_code = tenant.failure_message = ""
            tenant.save()
    except IntegrityError:
        message = f"The tenant {customer.domain} is already linked to another customer here."
        tenant_lifecycle._fail(tenant_id, request_id, "already_linked", message)
        return False
    return True


@dataclass
class Directory:
    """A tenant's state at the provider, read before anything is written."""

    subscriptions: list[RemoteSubscription]
    skus: list[SubscribedSku]
    users: list[CustomerUser]
    licences: dict[str, set[str]]  # provider user id → Entra SKU ids


def read_directory(client: PartnerCenterClient, customer_id: str) -> Directory:
    subscriptions = client.list_subscriptions(customer_id)
    skus = client.list_subscribed_skus(customer_id)
    users = [user for user in client.list_users(customer_id) if user.state is UserState.ACTIVE]

    def licences_of(user: CustomerUser) -> tuple[str, set[str]]:
        held = client.list_user_licenses(customer_id, user.id)
        return user.id, {licence.product_sku.id.lower() for licence in held if licence.product_sku.id}

    with ThreadPoolExecutor(max_workers=READ_CONCURRENCY) as pool:
        licences = dict(pool.map(licences_of, users))
    return Directory(subscriptions, skus, users, licences)


def sync(tenant_id: int) -> common.Outcome:
    """Import what the provider holds for an active tenant (worker): subscriptions, users, licences."""
    tenant = Tenant.objects.select_related("connection").get(pk=tenant_id)
    if tenant.status != TenantStatus.ACTIVE or not tenant.provider_tenant_id:
        return {"ok": False, "code": "tenant_not_ready", "message": "The tenant is not active."}
    try:
        with common.provider(tenant.connection) as client:
            directory = read_directory(client, tenant.provider_tenant_id)
    except ProviderError as error:
        message = f"The last sync failed: {common.provider_text(error)}"
        Tenant.objects.filter(pk=tenant.pk).update(sync_message=message[:1000])
        return {"ok": False, "code": "sync_failed", "message": message}
    return {"ok": True, **write_directory(tenant.pk, directory, timezone.now())}


def write_directory(tenant_id: int, directory: Directory, now: datetime) -> dict[str, int]:
    with transaction.atomic():
        tenant = Tenant.objects.select_for_update().select_related("connection").get(pk=tenant_id)
        created = subscription_import.import_subscriptions(tenant, directory.subscriptions, now)
        subscription_import.link_licence_skus(tenant, directory.skus)
        users = write_users(tenant, directory.users, now)
        assignments = write_assignments(tenant, directory.licences)
        tenant.subscribed_skus = [seat_counts(sku) for sku in directory.skus]
        tenant.last_synced_at = now
        tenant.sync_message = ""
        tenant.save(update_fields=["subscribed_skus", "last_synced_at", "sync_message"])
    return {"subscriptions_created": created, "users": users, "assignments": assignments}


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
