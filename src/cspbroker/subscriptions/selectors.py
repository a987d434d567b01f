"""Reads of subscriptions for the pages, the API and the CSV export — always through `accounts.access`.

The list is built in a fixed number of queries whatever the number of subscriptions: the rows with
their offer, tenant and customer (one join), their historic sale prices (one prefetch), licence
assignments (one aggregate), and the price lists once per customer on the page (four queries).
Windows and allowed actions are pure functions of the row (`domain.commerce`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from cspbroker.accounts.access import Actor, get_scoped_or_404, may, scoped
from cspbroker.catalog.models import Offer
from cspbroker.catalog.pricing import PricingError, money, resolve_prices, split_source
from cspbroker.catalog.quotes import monthly
from cspbroker.catalog.selectors import OFFERABLE
from cspbroker.domain import commerce, pricing
from cspbroker.domain.clock import local_date
from cspbroker.domain.commerce import ActionAvailability, OrderType, WindowStatus
from cspbroker.domain.money import Money
from cspbroker.domain.parties import Action
from cspbroker.subscriptions.models import (
    LedgerEntry,
    LedgerKind,
    Subscription,
    SubscriptionEvent,
    SubscriptionStatus,
)
from cspbroker.subscriptions.prices import SalePriceRow, own_prices, price_history
from cspbroker.subscriptions.terms import terms_of
from cspbroker.tenants.models import LicenceAssignment

CUSTOMER_PRICE_MISSING = "Not priced yet"
SORTS = {
    "product": "offer__availability__sku__title",
    "customer": "tenant__customer__legal_name",
    "quantity": "quantity",
    "status": "status",
    "renewal": "commitment_end_date",
    "window": "cancellation_allowed_until",
    "created": "created_at",
}
LIVE = (SubscriptionStatus.ACTIVE, SubscriptionStatus.SUSPENDED)


@dataclass(frozen=True)
class SubscriptionFilter:
    customer_id: int | None = None
    tenant_id: int | None = None
    status: str = ""
    search: str = ""
    closing_within_hours: int | None = None  # only subscriptions with a window closing that soon
    sort: str = "product"
    descending: bool = False


def _base(actor: Actor) -> QuerySet[Subscription]:
    rows = Subscription.objects.select_related(
        "tenant__customer", "tenant__connection", "offer__availability__sku__product", "parent"
    ).prefetch_related(
        Prefetch(
            "ledger",
            queryset=LedgerEntry.objects.filter(kind=LedgerKind.PRICE).order_by("price_from", "id"),
            to_attr="own_price_entries",
        )
    )
    return scoped(actor, rows, "tenant__customer")


def subscriptions_for(actor: Actor, filters: SubscriptionFilter, now: datetime) -> QuerySet[Subscription]:
    rows = _base(actor)
    if filters.customer_id:
        rows = rows.filter(tenant__customer_id=filters.customer_id)
    if filters.tenant_id:
        rows = rows.filter(tenant_id=filters.tenant_id)
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.search.strip():
        words = filters.search.strip()
        rows = rows.filter(
            Q(friendly_name__icontains=words)
            | Q(offer__availability__sku__title__icontains=words)
            | Q(offer__availability__catalog_item_id__icontains=words)
            | Q(provider_subscription_id__icontains=words)
            | Q(tenant__customer__legal_name__icontains=words)
        )
    if filters.closing_within_hours:
        # Lots live in JSON; the database narrows to live subscriptions, the rows are checked exactly.
        rows = rows.filter(status__in=LIVE).exclude(
            refundable_lots=[], cancellation_allowed_until__isnull=True
        )
    order = SORTS.get(filters.sort, SORTS["product"])
    return rows.order_by(f"-{order}" if filters.descending else order, "pk")


def subscription_for(actor: Actor, subscription_id: int) -> Subscription:
    """One subscription `actor` may see; another customer's is a 404."""
    return get_scoped_or_404(actor, _base(actor), "tenant__customer", pk=subscription_id)


@dataclass
class PriceShown:
    unit_price: Money | None
    monthly: Money | None
    source: str = ""
    cost: Money | None = None  # staff only
    margin: Money | None = None  # staff only
    margin_percent: Any = None  # staff only
    error: str = ""


@dataclass
class SubscriptionRow:
    subscription: Subscription
    window: WindowStatus
    price: PriceShown
    assigned: int | None

    @property
    def product(self) -> str:
        return self.subscription.offer.availability.sku.title

    @property
    def offer_id(self) -> str:
        return self.subscription.offer.availability.catalog_item_id

    @property
    def renewal(self) -> date:
        return terms_of(self.subscription).commitment_end

    @property
    def window_text(self) -> str:
        return self.window.text


def _own_price_on(subscription: Subscription, on: date) -> Money | None:
    history = price_history(subscription)
    return pricing.subscription_price_on(history, on) if history else None


def _locked(subscription: Subscription) -> tuple[Money, Money | None, str] | None:
    """The sale price, cost and source the term in force locked; None for a term locked before the lock."""
    if subscription.unit_price is None or not subscription.price_currency:
        return None
    currency = subscription.price_currency
    cost = None if subscription.unit_cost is None else money(subscription.unit_cost, currency)
    return money(subscription.unit_price, currency), cost, split_source(subscription.price_source)[2]


def _shown(
    subscription: Subscription, sale: Money, cost: Money | None, source: str, on: date, show_cost: bool
) -> PriceShown:
    """The price in force: a historic sales price (C4) over the term's locked price (NCE price lock)."""
    own = _own_price_on(subscription, on)
    unit = own if own is not None else sale
    shown = PriceShown(unit, monthly(unit, subscription.quantity, subscription.billing_cycle))
    if show_cost:
        shown.source = "historic sales price" if own is not None else source
        shown.cost = cost
        if cost is not None:
            shown.margin = unit - cost
            shown.margin_percent = pricing.margin_percent_of(unit, shown.margin)
    else:
        term = subscription.term_start.isoformat() if subscription.term_start else "the term's start"
        shown.source = f"{unit} per unit, price locked for the term from {term}" if own is None else ""
    return shown


def _prices(subscriptions: list[Subscription], now: datetime, show_cost: bool) -> dict[int, PriceShown]:
    shown: dict[int, PriceShown] = {}
    unlocked: dict[tuple[int, date], list[Subscription]] = defaultdict(list)
    for subscription in subscriptions:
        on = local_date(now, subscription.tenant.customer.billing_time_zone)
        locked = _locked(subscription)
        if locked is not None:
            shown[subscription.pk] = _shown(subscription, *locked, on, show_cost)
        else:
            day = subscription.term_start or subscription.start_date or on
            unlocked[(subscription.tenant.customer_id, day)].append(subscription)
    # Terms locked before the price lock existed: the list price of their first day, as billing reads it.
    for (_, day), group in unlocked.items():
        customer = group[0].tenant.customer
        resolved = resolve_prices(customer=customer, offers={s.offer_id for s in group}, on=day)
        for subscription in group:
            on = local_date(now, customer.billing_time_zone)
            result = resolved[subscription.offer_id]
            if isinstance(result, PricingError):
                own = _own_price_on(subscription, on)
                monthly_price = own and monthly(own, subscription.quantity, subscription.billing_cycle)
                error = result.message if show_cost else CUSTOMER_PRICE_MISSING
                shown[subscription.pk] = PriceShown(own, monthly_price, error="" if own else error)
            else:
                source = str(result.source)
                shown[subscription.pk] = _shown(
                    subscription, result.unit_price, result.cost, source, on, show_cost
                )
    return shown


def assigned_counts(subscriptions: list[Subscription]) -> dict[tuple[int, str], int]:
    """Licences assigned per (tenant, licence SKU), in one query (U3 keeps the assignments)."""
    tenants = {s.tenant_id for s in subscriptions}
    rows = (
        LicenceAssignment.objects.filter(user__tenant_id__in=tenants, user__is_active=True)
        .values("user__tenant_id", "licence_sku_id")
        .annotate(count=Count("id"))
    )
    return {(row["user__tenant_id"], row["licence_sku_id"]): row["count"] for row in rows}


def rows_for(
    subscriptions: QuerySet[Subscription] | list[Subscription],
    *,
    now: datetime,
    show_cost: bool,
    closing_within_hours: int | None = None,
) -> list[SubscriptionRow]:
    """The list's rows: price, window and assigned licences, in a fixed number of queries."""
    items = list(subscriptions)
    prices = _prices(items, now, show_cost)
    assigned = assigned_counts(items)
    rows = []
    for subscription in items:
        terms = terms_of(subscription)
        if closing_within_hours and not commerce.closing_within(
            terms, now, timedelta(hours=closing_within_hours)
        ):
            continue
        sku = subscription.offer.availability.sku.licence_sku_id
        count = assigned.get((subscription.tenant_id, sku), 0) if sku else None
        rows.append(
            SubscriptionRow(subscription, commerce.window_status(terms, now), prices[subscription.pk], count)
        )
    return rows


# --- one subscription -------------------------------------------------------------------------


@dataclass
class ActionView:
    """A button: allowed, or disabled with the reason the rules give (S3)."""

    key: str
    label: str
    allowed: bool
    reason: str = ""
    code: str = ""

    @property
    def slug(self) -> str:
        return self.key.replace("_", "-")


# The page's buttons, in order, and the order type that decides each.
ACTIONS: list[tuple[str, str, OrderType]] = [
    ("add_quantity", "Add seats", OrderType.ADD_QUANTITY),
    ("remove_quantity", "Remove seats", OrderType.REMOVE_QUANTITY),
    ("add_on", "Add an add-on", OrderType.ADD_ON),
    ("suspend", "Suspend", OrderType.SUSPEND),
    ("reactivate", "Reactivate", OrderType.REACTIVATE),
    ("cancel", "Cancel", OrderType.CANCEL),
    ("billing_only_cancel", "Cancel billing only", OrderType.BILLING_ONLY_CANCEL),
    ("auto_renew", "Turn auto-renew on/off", OrderType.AUTO_RENEW),
    ("friendly_name", "Rename", OrderType.FRIENDLY_NAME),
    ("upgrade", "Upgrade", OrderType.UPGRADE),
    ("term_change", "Change the term", OrderType.TERM_CHANGE),
    ("scheduled_change", "Change at renewal", OrderType.SCHEDULED_CHANGE),
    ("mid_cycle_package_migration", "Package migration", OrderType.MID_CYCLE_PACKAGE_MIGRATION),
]
# Order types this platform does not run yet, whatever the provider supports.
NOT_YET = {
    OrderType.UPGRADE: "Upgrades arrive with a later release; upgrade in Partner Center meanwhile.",
    OrderType.TERM_CHANGE: "Term changes arrive with a later release.",
    OrderType.SCHEDULED_CHANGE: "Changes at renewal arrive with a later release.",
}


def actions_for(actor: Actor, subscription: Subscription, now: datetime) -> list[ActionView]:
    allowed = available_actions(subscription, now, subscription.tenant.connection.capabilities)
    may_change = may(actor, Action.CHANGE, subscription.tenant.customer)
    views = []
    for key, label, order_type in ACTIONS:
        verdict = allowed[order_type]
        if verdict.allowed and order_type in NOT_YET:
            verdict = ActionAvailability(False, NOT_YET[order_type], "not_available_yet")
        if verdict.allowed and not may_change:
            verdict = ActionAvailability(
                False, "You can look but not change: ask your administrator.", "read_only"
            )
        views.append(ActionView(key, label, verdict.allowed, verdict.reason or "", verdict.code or ""))
    return views


def available_actions(
    subscription: Subscription, now: datetime, capabilities: commerce.ProviderCapabilities
) -> dict[OrderType, ActionAvailability]:
    return commerce.available_actions(terms_of(subscription), capabilities, now)


def addon_offers_for(actor: Actor, subscription: Subscription) -> list[Offer]:
    """The add-ons the catalog allows for this base subscription: `is_addon` and its SKU a prerequisite."""
    base = subscription.offer.availability.sku
    key = f"{base.product.provider_product_id}:{base.provider_sku_id}"
    offers = (
        Offer.objects.filter(
            OFFERABLE,
            availability__sku__is_addon=True,
            availability__sku__product__connection_id=subscription.tenant.connection_id,
        )
        .select_related("availability__sku__product")
        .order_by("availability__sku__title", "term", "billing_cycle")
    )
    return [
        o
        for o in offers
        if not o.availability.sku.prerequisite_skus or key in o.availability.sku.prerequisite_skus
    ]


def events_of(subscription: Subscription, limit: int = 200) -> list[SubscriptionEvent]:
    return list(subscription.events.order_by("-at", "-id")[:limit])


def event_text(event: SubscriptionEvent) -> str:
    """ "quantity 5 → 8", "status active → suspended", "auto-renew on → off": what changed."""
    old, new = event.old_value, event.new_value
    if isinstance(new, dict) and "quantity" in new and event.kind in ("change_quantity", "quantity"):
        return f"quantity {old} → {new['quantity']}"
    if event.kind in ("new", "add_on", "created") and isinstance(new, dict):
        name = f" “{new['friendly_name']}”" if new.get("friendly_name") else ""
        return f"bought {new.get('quantity')} seat(s){name}"
    if event.kind == "auto_renew" and isinstance(new, dict):
        return f"auto-renew {_on(old)} → {_on(new.get('auto_renew'))}"
    if event.kind == "friendly_name" and isinstance(new, dict):
        return f"name “{old or ''}” → “{new.get('friendly_name')}”"
    if event.kind in ("suspend", "reactivate", "cancel", "billing_only_cancel", "status"):
        after = (
            new
            if isinstance(new, str)
            else {"suspend": "suspended", "reactivate": "active"}.get(event.kind, "cancelled")
        )
        return f"status {old} → {after}"
    if event.kind == "sale_price":
        return f"sale price {old or 'price list'} → {new}"
    return f"{_plain(old)} → {_plain(new)}"


def _on(value: Any) -> str:
    return "on" if value else "off"


def _plain(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k} {v}" for k, v in value.items() if k != "clears_scheduled_change")
    return "—" if value is None else str(value)


@dataclass
class SubscriptionDetail:
    subscription: Subscription
    window: WindowStatus
    actions: list[ActionView]
    price: PriceShown
    events: list[tuple[SubscriptionEvent, str]]
    sale_prices: list[SalePriceRow]
    addons: list[Subscription]
    addon_offers: list[Offer]
    orders: list[Any] = field(default_factory=list)  # the pages add the orders (provisioning reads them)
    assigned: int | None = None

    @property
    def action_map(self) -> dict[str, ActionView]:
        return {action.key: action for action in self.actions}


def detail_for(actor: Actor, subscription_id: int, now: datetime) -> SubscriptionDetail:
    subscription = subscription_for(actor, subscription_id)
    show_cost = may(actor, Action.VIEW_COST, subscription.tenant.customer)
    row = rows_for([subscription], now=now, show_cost=show_cost)[0]
    return SubscriptionDetail(
        subscription=subscription,
        window=row.window,
        actions=actions_for(actor, subscription, now),
        price=row.price,
        events=[(event, event_text(event)) for event in events_of(subscription)],
        sale_prices=list(reversed(own_prices(subscription))) if show_cost else [],
        addons=list(subscription.addons.select_related("offer__availability__sku")),
        addon_offers=addon_offers_for(actor, subscription),
        assigned=row.assigned,
    )
