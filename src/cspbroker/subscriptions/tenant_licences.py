"""A tenant's licences as its subscriptions and users make them: seats purchased, assigned, free.

Seats are counted per Entra licence SKU: every active subscription of that SKU adds its quantity
(purchased), every active user holding it uses one (assigned). The tenant page, the users pages,
the API and the licence assignment check all count with these functions, so they never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, QuerySet, Sum

from cspbroker.subscriptions.models import Subscription, SubscriptionStatus
from cspbroker.tenants.models import LicenceAssignment, Tenant


@dataclass(frozen=True)
class Seats:
    purchased: int
    assigned: int

    @property
    def available(self) -> int:
        return max(self.purchased - self.assigned, 0)


@dataclass
class SeatLine:
    """One licence SKU of a tenant: its subscriptions, purchased, assigned and available seats."""

    licence_sku_id: str
    name: str
    purchased: int = 0
    assigned: int = 0
    subscriptions: list[Subscription] = field(default_factory=list)
    provider_total: int | None = None  # what Partner Center counted at the last sync
    provider_consumed: int | None = None

    @property
    def available(self) -> int:
        return max(self.purchased - self.assigned, 0)


def _held(tenant: Tenant) -> QuerySet[LicenceAssignment]:
    """The assignments that use a seat: those of the tenant's active users."""
    return LicenceAssignment.objects.filter(user__tenant=tenant, user__is_active=True)


def seats(tenant: Tenant, licence_sku_id: str) -> Seats:
    """The seats of one licence SKU (two aggregate queries, whatever the tenant's size)."""
    purchased = Subscription.objects.filter(
        tenant=tenant,
        status=SubscriptionStatus.ACTIVE,
        offer__availability__sku__licence_sku_id__iexact=licence_sku_id,
    ).aggregate(total=Sum("quantity"))["total"]
    assigned = _held(tenant).filter(licence_sku_id=licence_sku_id.lower()).count()
    return Seats(purchased=purchased or 0, assigned=assigned)


def subscriptions_of(tenant: Tenant) -> list[Subscription]:
    return list(
        Subscription.objects.filter(tenant=tenant)
        .select_related("offer__availability__sku__product")
        .order_by("status", "friendly_name", "pk")
    )


def seat_lines(tenant: Tenant, subscriptions: list[Subscription] | None = None) -> list[SeatLine]:
    """Seats per licence SKU: active subscriptions add their quantity, active holders use one each."""
    subscriptions = subscriptions_of(tenant) if subscriptions is None else subscriptions
    assigned = dict(_held(tenant).values_list("licence_sku_id").annotate(count=Count("pk")))
    provider = {item["licence_sku_id"]: item for item in tenant.subscribed_skus}
    lines: dict[str, SeatLine] = {}
    for subscription in subscriptions:
        licence = subscription.offer.availability.sku.licence_sku_id.lower()
        if not licence:
            continue
        line = lines.setdefault(
            licence,
            SeatLine(
                licence, provider.get(licence, {}).get("name") or subscription.offer.availability.sku.title
            ),
        )
        line.subscriptions.append(subscription)
        if subscription.status == SubscriptionStatus.ACTIVE:
            line.purchased += subscription.quantity
    for licence, line in lines.items():
        line.assigned = assigned.get(licence, 0)
        if licence in provider:
            line.provider_total = provider[licence].get("total")
            line.provider_consumed = provider[licence].get("consumed")
    return sorted(lines.values(), key=lambda line: line.name.casefold())


def seat_line_by_subscription(lines: list[SeatLine]) -> dict[int, SeatLine]:
    return {subscription.pk: line for line in lines for subscription in line.subscriptions}


def licence_names(tenant: Tenant, lines: list[SeatLine] | None = None) -> dict[str, str]:
    """Every licence SKU's name: the subscriptions' where there are any, else the provider's."""
    names = {
        item["licence_sku_id"]: item.get("name") or item["licence_sku_id"] for item in tenant.subscribed_skus
    }
    for line in lines if lines is not None else seat_lines(tenant):
        names[line.licence_sku_id] = line.name
    return names
