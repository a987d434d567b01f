"""Reads for tenants, their users, licence assignments and imports — always through the access rules.

Another customer's tenant, user or import is a 404 (`get_scoped_or_404`), never a 403. List pages
fetch their rows with a fixed number of queries, whatever the number of rows.
"""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet
from django.http import Http404

from cspbroker.accounts.access import Actor, get_scoped_or_404, may, scoped
from cspbroker.accounts.models import Organization
from cspbroker.domain.parties import Action
from cspbroker.domain.user_directory import export_users_csv
from cspbroker.tenants.models import LicenceAssignment, Tenant, TenantUser, UserImport

USERS_PER_PAGE = 50
MAX_USERS_PER_PAGE = 500


def tenants_for(actor: Actor, *, search: str = "", status: str = "") -> QuerySet[Tenant]:
    tenants = scoped(actor, Tenant.objects.select_related("customer__parent", "connection"), "customer")
    if search:
        tenants = tenants.filter(Q(domain__icontains=search) | Q(customer__legal_name__icontains=search))
    if status:
        tenants = tenants.filter(status=status)
    return tenants.annotate(user_count=Count("users", filter=Q(users__is_active=True))).order_by(
        "customer__legal_name", "domain"
    )


def tenant_for(actor: Actor, tenant_id: int) -> Tenant:
    return get_scoped_or_404(
        actor, Tenant.objects.select_related("customer__parent", "connection"), "customer", pk=tenant_id
    )


def customer_for(actor: Actor, customer_id: int) -> Organization:
    customer = get_scoped_or_404(actor, Organization.objects.select_related("parent"), "self", pk=customer_id)
    if customer.kind != "customer":
        raise Http404("Not a customer.")
    return customer


def tenants_of_customer(actor: Actor, customer_id: int) -> QuerySet[Tenant]:
    customer = customer_for(actor, customer_id)
    return Tenant.objects.filter(customer=customer).select_related("customer__parent", "connection")


def customers_without_tenant(actor: Actor) -> QuerySet[Organization]:
    """Customers the actor may create a tenant for, and that have none yet."""
    from cspbroker.accounts.access import visible_organizations

    return (
        visible_organizations(actor, Action.CHANGE)
        .filter(kind="customer", tenants__isnull=True)
        .select_related("parent")
        .order_by("legal_name")
    )


def storefront_tenants(actor: Actor) -> QuerySet[Tenant]:
    """The tenants of the customers the person belongs to (the storefront shows only their own)."""
    own = [g.grant.organization_id for g in actor.grants if not g.grant.role.is_staff]
    return tenants_for(actor).filter(customer_id__in=own)


def may_change(actor: Actor, tenant: Tenant) -> bool:
    return may(actor, Action.CHANGE, tenant.customer)


def users_page(
    tenant: Tenant, *, search: str = "", page: int = 1, page_size: int = USERS_PER_PAGE
) -> Page[TenantUser]:
    users = TenantUser.objects.filter(tenant=tenant, is_active=True).prefetch_related("licences")
    if search:
        users = users.filter(
            Q(user_principal_name__icontains=search)
            | Q(display_name__icontains=search)
            | Q(first_name__icontains=search)
            | Q(last_name__icontains=search)
        )
    size = max(1, min(int(page_size or USERS_PER_PAGE), MAX_USERS_PER_PAGE))
    return Paginator(users.order_by("display_name", "user_principal_name", "pk"), size).get_page(page)


def user_of(tenant: Tenant, user_id: int) -> TenantUser:
    user = TenantUser.objects.filter(tenant=tenant, pk=user_id).prefetch_related("licences").first()
    if user is None:
        raise Http404("No such user.")
    return user


def assignments_of(
    tenant: Tenant, *, user_id: int | None = None, licence_sku_id: str | None = None
) -> QuerySet[LicenceAssignment]:
    assignments = LicenceAssignment.objects.filter(user__tenant=tenant, user__is_active=True).select_related(
        "user"
    )
    if user_id is not None:
        assignments = assignments.filter(user_id=user_id)
    if licence_sku_id:
        assignments = assignments.filter(licence_sku_id=licence_sku_id.lower())
    return assignments.order_by("user__display_name", "licence_sku_id", "pk")


def user_import_for(tenant: Tenant, import_id: int) -> UserImport:
    record = UserImport.objects.filter(tenant=tenant, pk=import_id).defer("rows").first()
    if record is None:
        raise Http404("No such import.")
    return record


def export_csv(tenant: Tenant) -> str:
    users = TenantUser.objects.filter(tenant=tenant, is_active=True).order_by("user_principal_name")
    return export_users_csv(
        users.values("user_principal_name", "first_name", "last_name", "display_name", "usage_location")
    )
