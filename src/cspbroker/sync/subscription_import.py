"""Imported subscriptions (T3): the provider's subscriptions of a linked tenant become ours.

Each one found for the first time is created with its opening ledger rows (quantity and status,
channel "provider") and an "imported" history event; one already here is left to the subscription
sync, so importing twice creates nothing. The offer is looked up in the catalog by catalog item id,
term and billing cycle; when the catalog lacks it (not imported yet, or an offer Microsoft no longer
sells), minimal catalog rows are created from the subscription and marked as such — an import never
fails for want of a catalog entry.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime

from cspbroker.catalog.models import Availability, BillingCycle, Offer, Product, Sku
from cspbroker.clock import platform_clock
from cspbroker.connections.models import Connection
from cspbroker.domain.clock import Clock
from cspbroker.domain.commerce import Term
from cspbroker.domain.periods import term_containing
from cspbroker.providers.partnercenter.subscriptions import Subscription as RemoteSubscription
from cspbroker.providers.partnercenter.users import SubscribedSku
from cspbroker.subscriptions import ledger, mirror
from cspbroker.subscriptions.models import Channel, Subscription
from cspbroker.subscriptions.prices import lock_price
from cspbroker.tenants.models import Tenant

CREATED_BY_IMPORT = "created by tenant import"
_CYCLES = {choice.value for choice in BillingCycle}


def billing_cycle_of(remote: RemoteSubscription) -> str:
    raw = (remote.billing_cycle_raw or "").strip().lower()
    return raw if raw in _CYCLES else BillingCycle.NONE.value


def _catalog_keys(catalog_item_id: str) -> tuple[str, str, str]:
    parts = catalog_item_id.split(":")
    if len(parts) == 3 and all(parts):
        return parts[0], parts[1], parts[2]
    return catalog_item_id, catalog_item_id, catalog_item_id  # a legacy offer: one GUID for everything


def offer_for(connection: Connection, remote: RemoteSubscription) -> Offer:
    """The catalog offer a provider subscription was bought as, created minimally when missing."""
    term, cycle = remote.term_duration or "", billing_cycle_of(remote)
    found = (
        Offer.objects.filter(
            availability__sku__product__connection=connection,
            availability__catalog_item_id__iexact=remote.offer_id,
            term=term,
            billing_cycle=cycle,
        )
        .order_by("pk")
        .first()
    )
    return found or _minimal_offer(connection, remote, term, cycle)


def _minimal_offer(connection: Connection, remote: RemoteSubscription, term: str, cycle: str) -> Offer:
    product_id, sku_id, availability_id = _catalog_keys(remote.offer_id)
    title = (remote.offer_name or remote.friendly_name or remote.offer_id)[:300]
    product, _ = Product.objects.get_or_create(
        connection=connection,
        provider_product_id=product_id,
        defaults={
            "title": title,
            "description": CREATED_BY_IMPORT,
            "target_view": remote.product_type_id or "",
        },
    )
    sku, _ = Sku.objects.get_or_create(
        product=product,
        provider_sku_id=sku_id,
        defaults={"title": title, "description": CREATED_BY_IMPORT, "is_trial": remote.is_trial},
    )
    availability, _ = Availability.objects.get_or_create(
        sku=sku,
        provider_availability_id=availability_id,
        defaults={"catalog_item_id": remote.offer_id, "is_purchasable": False},
    )
    offer, _ = Offer.objects.get_or_create(
        availability=availability, term=term, billing_cycle=cycle, defaults={"description": CREATED_BY_IMPORT}
    )
    return offer


def import_subscriptions(
    tenant: Tenant, remotes: Iterable[RemoteSubscription], now: datetime, clock: Clock = platform_clock
) -> int:
    """Create the subscriptions not yet here (parents before add-ons); returns how many were created."""
    known = dict(Subscription.objects.filter(tenant=tenant).values_list("provider_subscription_id", "pk"))
    ordered = sorted(remotes, key=lambda remote: remote.parent_subscription_id is not None)
    created = 0
    for remote in ordered:
        if not remote.id or remote.id in known:
            continue
        subscription = Subscription(tenant=tenant, offer=offer_for(tenant.connection, remote))
        mirror.apply(subscription, remote)
        subscription.parent_id = known.get(remote.parent_subscription_id or "")
        subscription.last_synced_at = now
        subscription.save()
        known[remote.id] = subscription.pk
        _opening_history(subscription, now, clock)
        created += 1
    return created


def _opening_history(subscription: Subscription, now: datetime, clock: Clock) -> None:
    """Billed from the import on (before it, the subscription was not ours to bill), at the price of
    its current term's first day: new commerce locked it then."""
    today = ledger.local_day(subscription, now)
    anchor = subscription.start_date or today
    term_start = term_containing(
        anchor, Term.parse(subscription.term or "P1M").months, max(today, anchor)
    ).start
    origin = ledger.IMPORT
    ledger.record_purchase(
        subscription,
        effective_at=now,
        origin=origin,
        price=lock_price(subscription, term_start),
        clock=clock,
        term_start=term_start,
    )
    ledger.record_event(
        subscription,
        at=now,
        actor_ref=origin.actor_ref,
        actor_label=origin.actor_label,
        channel=Channel.IMPORT,
        kind="imported",
        new={
            "quantity": subscription.quantity,
            "status": subscription.status,
            "offer": str(subscription.offer_id),
        },
        message=f"Imported from Partner Center with {subscription.quantity} seat(s), {subscription.status}.",
    )


def _normalised(name: str | None) -> str:
    return re.sub(r"\s+", " ", (name or "").strip().casefold())


def link_licence_skus(tenant: Tenant, skus: Iterable[SubscribedSku]) -> None:
    """Learn each SKU's Entra licence id from the tenant's subscribed SKUs, by name.

    Partner Center's catalog does not carry the Entra SKU id that licence assignment needs, while
    `subscribedskus` names the product; the match is kept on the catalog SKU for every tenant.
    """
    by_name = {_normalised(sku.product_sku.name): sku.product_sku.id for sku in skus if sku.product_sku.name}
    if not by_name:
        return
    subscriptions = Subscription.objects.filter(
        tenant=tenant, offer__availability__sku__licence_sku_id=""
    ).select_related("offer__availability__sku__product")
    for subscription in subscriptions:
        sku = subscription.offer.availability.sku
        for candidate in (sku.title, sku.product.title, subscription.friendly_name):
            licence = by_name.get(_normalised(candidate))
            if licence and not sku.licence_sku_id:
                sku.licence_sku_id = licence
                sku.save(update_fields=["licence_sku_id"])
                break
