"""Tenants (T1–T3): `/customers/{id}/tenants`, `/tenants/{id}`; users and licences in `tenant_users`.

Creating or linking a tenant answers 202 at once: the provider is called by the worker, and the
tenant's `status` says how it went (`creating` → `active`, or `failed` with the provider's code and
message, which `POST /tenants/{id}/retry` may correct).
"""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.responses import Status

from cspbroker.api.auth import actor
from cspbroker.api.routers import tenant_users
from cspbroker.subscriptions import tenant_licences
from cspbroker.subscriptions.models import Subscription
from cspbroker.sync import services as sync
from cspbroker.tenants import selectors
from cspbroker.tenants.models import Tenant
from cspbroker.tenants.services import tenant_lifecycle

router = Router(tags=["tenants"])


class TenantOut(Schema):
    id: int
    customer_id: int
    customer_name: str
    connection_id: int
    domain: str
    provider_tenant_id: str
    status: str
    is_linked: bool
    failure_code: str
    failure_message: str
    created_at: datetime
    last_synced_at: datetime | None
    sync_message: str


class SeatsOut(Schema):
    licence_sku_id: str
    name: str
    purchased: int
    assigned: int
    available: int
    provider_total: int | None
    provider_consumed: int | None


class SubscriptionOut(Schema):
    id: int
    catalog_item_id: str
    name: str
    quantity: int
    status: str
    term: str
    billing_cycle: str
    licence_sku_id: str
    assigned: int | None
    available: int | None


class TenantDetailOut(TenantOut):
    subscriptions: list[SubscriptionOut]
    licences: list[SeatsOut]


class AddressIn(Schema):
    """Corrections to the customer's record for the creation request; omitted fields keep its values."""

    company_name: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    address_line1: str | None = None
    address_line2: str | None = None
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    country: str | None = None
    phone_number: str | None = None
    organization_registration_number: str | None = None


class TenantIn(AddressIn):
    name: str
    existing: bool = False
    connection_id: int | None = None


class RetryIn(AddressIn):
    name: str | None = None


class DomainCheckOut(Schema):
    name: str
    domain: str
    available: bool | None
    message: str


class DomainQuery(Schema):
    name: str
    connection_id: int | None = None


def _corrections(body: AddressIn) -> dict[str, str]:
    fields = body.dict(exclude_unset=True, exclude={"name", "existing", "connection_id"})
    return {key: value for key, value in fields.items() if value is not None}


def _subscription(subscription: Subscription, lines: dict[int, tenant_licences.SeatLine]) -> SubscriptionOut:
    line = lines.get(subscription.pk)
    sku = subscription.offer.availability.sku
    return SubscriptionOut(
        id=subscription.pk,
        catalog_item_id=subscription.offer.availability.catalog_item_id,
        name=subscription.friendly_name or sku.title,
        quantity=subscription.quantity,
        status=subscription.status,
        term=subscription.term,
        billing_cycle=subscription.billing_cycle,
        licence_sku_id=sku.licence_sku_id,
        assigned=line.assigned if line else None,
        available=line.available if line else None,
    )


def detail(tenant: Tenant) -> TenantDetailOut:
    subscriptions = tenant_licences.subscriptions_of(tenant)
    lines = tenant_licences.seat_lines(tenant, subscriptions)
    by_subscription = tenant_licences.seat_line_by_subscription(lines)
    return TenantDetailOut(
        **TenantOut.from_orm(tenant).model_dump(),
        subscriptions=[_subscription(s, by_subscription) for s in subscriptions],
        licences=[
            SeatsOut(
                licence_sku_id=line.licence_sku_id,
                name=line.name,
                purchased=line.purchased,
                assigned=line.assigned,
                available=line.available,
                provider_total=line.provider_total,
                provider_consumed=line.provider_consumed,
            )
            for line in lines
        ],
    )


@router.get("/customers/{int:customer_id}/tenants", response=list[TenantOut], summary="A customer's tenants")
def list_tenants(request: HttpRequest, customer_id: int) -> list[Tenant]:
    return list(selectors.tenants_of_customer(actor(request), customer_id))


@router.get(
    "/customers/{int:customer_id}/tenants/domain-check",
    response=DomainCheckOut,
    summary="Is <name>.onmicrosoft.com still free? (asked live at Partner Center)",
)
def check_domain(request: HttpRequest, customer_id: int, query: Query[DomainQuery]) -> DomainCheckOut:
    who = actor(request)
    customer = selectors.customer_for(who, customer_id)
    result = tenant_lifecycle.check_domain(
        actor=who, customer=customer, name=query.name, connection_id=query.connection_id
    )
    return DomainCheckOut(**result.__dict__)


@router.post(
    "/customers/{int:customer_id}/tenants",
    response={202: TenantOut},
    summary="Create a new tenant, or link an existing one (`existing: true`, `name` = its id or domain)",
)
def create_tenant(request: HttpRequest, customer_id: int, body: TenantIn) -> Status[Tenant]:
    who = actor(request)
    customer = selectors.customer_for(who, customer_id)
    if body.existing:
        tenant = sync.link_tenant(
            actor=who, customer_id=customer.pk, reference=body.name, connection_id=body.connection_id
        )
    else:
        tenant = tenant_lifecycle.create_tenant(
            actor=who,
            customer_id=customer.pk,
            tenant_name=body.name,
            corrections=_corrections(body),
            connection_id=body.connection_id,
        )
    return Status(202, selectors.tenant_for(who, tenant.pk))


@router.get(
    "/tenants/{int:tenant_id}", response=TenantDetailOut, summary="A tenant, its subscriptions and seats"
)
def get_tenant(request: HttpRequest, tenant_id: int) -> TenantDetailOut:
    return detail(selectors.tenant_for(actor(request), tenant_id))


@router.post("/tenants/{int:tenant_id}/retry", response={202: TenantOut}, summary="Retry a failed tenant")
def retry_tenant(request: HttpRequest, tenant_id: int, body: RetryIn) -> Status[Tenant]:
    who = actor(request)
    tenant = selectors.tenant_for(who, tenant_id)
    sync.retry_tenant(actor=who, tenant_id=tenant.pk, tenant_name=body.name, corrections=_corrections(body))
    return Status(202, selectors.tenant_for(who, tenant.pk))


@router.post(
    "/tenants/{int:tenant_id}/sync",
    response={202: TenantOut},
    summary="Import the tenant's subscriptions, users and assignments again (idempotent)",
)
def sync_tenant(request: HttpRequest, tenant_id: int) -> Status[Tenant]:
    who = actor(request)
    tenant = selectors.tenant_for(who, tenant_id)
    sync.request_sync(actor=who, tenant_id=tenant.pk)
    return Status(202, selectors.tenant_for(who, tenant.pk))


router.add_router("", tenant_users.router)
