"""Loading subscriptions' ledgers set-based into the domain's `SubscriptionHistory`s.

A handful of queries for any number of customers: subscriptions, quantity ledger, status ledger,
historic sale prices (C4), list prices (four queries, `prices.py`) and provider costs. Dates are
taken in the reseller's time zone, where billing days are counted.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, Max

from cspbroker.accounts.models import Organization
from cspbroker.billing.prices import SALE_PRICE_SOURCE, CostBook, list_prices
from cspbroker.catalog.pricing import money
from cspbroker.domain import billing
from cspbroker.domain.commerce import Term
from cspbroker.domain.errors import DomainError
from cspbroker.domain.periods import Frequency
from cspbroker.subscriptions.models import QuantityChange, SalePrice, StatusChange, Subscription

_RECURRING = {"monthly", "annual", "triennial"}
_STATUSES = {status.value for status in billing.Status}


@dataclass
class CustomerHistories:
    """The histories of one chunk of customers, with what could not be billed and why."""

    histories: dict[int, billing.SubscriptionHistory] = field(default_factory=dict)
    customer_of: dict[int, int] = field(default_factory=dict)  # subscription → customer
    offer_of: dict[int, int] = field(default_factory=dict)  # subscription → offer
    errors: dict[int, str] = field(default_factory=dict)  # subscription → message
    costs: CostBook | None = None


def customer_time_zone(customer: Organization) -> str:
    """The reseller's time zone (the operator's for a direct customer): billing days are counted there."""
    parent = customer.parent
    return parent.time_zone if parent is not None else customer.time_zone


def fingerprints(customer_ids: Sequence[int]) -> dict[int, str]:
    """A cheap summary of each customer's ledgers (counts and newest ids), three grouped queries."""
    parts: dict[int, list[str]] = defaultdict(lambda: ["0:0"] * 4)
    key = "subscription__tenant__customer_id"
    models: tuple[Any, ...] = (QuantityChange, StatusChange, SalePrice)
    for index, model in enumerate(models):
        rows = (
            model._default_manager.filter(**{f"{key}__in": customer_ids})
            .values(key)
            .annotate(n=Count("id"), newest=Max("id"))
            .order_by()
        )
        for row in rows:
            parts[row[key]][index] = f"{row['n']}:{row['newest']}"
    subscriptions = (
        Subscription.objects.filter(tenant__customer_id__in=customer_ids)
        .values("tenant__customer_id")
        .annotate(n=Count("id"), newest=Max("id"))
        .order_by()
    )
    for row in subscriptions:
        parts[row["tenant__customer_id"]][3] = f"{row['n']}:{row['newest']}"
    return {customer_id: "/".join(parts[customer_id]) for customer_id in customer_ids}


def load_histories(
    customers: Iterable[Organization], *, on: date, subscription_ids: Sequence[int] | None = None
) -> CustomerHistories:
    """The histories of the customers' subscriptions started by `on` (or only `subscription_ids`)."""
    by_id = {customer.pk: customer for customer in customers}
    result = CustomerHistories()
    if not by_id:
        return result
    rows = Subscription.objects.filter(tenant__customer_id__in=list(by_id)).values_list(
        "id",
        "tenant__customer_id",
        "offer_id",
        "offer__availability__sku__title",
        "start_date",
        "created_at",
        "billing_cycle",
        "term",
        "is_trial",
        "quantity",
        "billing_cancelled_on",
    )
    if subscription_ids is not None:
        rows = rows.filter(id__in=list(subscription_ids))
    subscriptions = {row[0]: row for row in rows.order_by("id")}
    if not subscriptions:
        return result
    zones = {customer_id: ZoneInfo(customer_time_zone(c)) for customer_id, c in by_id.items()}
    ledgers, statuses, sale_prices = _ledgers(list(by_id), subscriptions, zones)
    offers_by_customer: dict[int, set[int]] = defaultdict(set)
    for row in subscriptions.values():
        offers_by_customer[row[1]].add(row[2])
    prices = list_prices(by_id, offers_by_customer, on=on)
    result.costs = CostBook.load(
        {row[2] for row in subscriptions.values()}, {c.currency for c in by_id.values()}
    )
    for sub_id, row in subscriptions.items():
        customer = by_id[row[1]]
        result.customer_of[sub_id] = row[1]
        result.offer_of[sub_id] = row[2]
        start = row[4] or row[5].astimezone(zones[row[1]]).date()
        if start > on:
            continue
        try:
            result.histories[sub_id] = _history(
                row, customer, start, ledgers[sub_id], statuses[sub_id], sale_prices[sub_id], prices
            )
        except DomainError as error:
            result.errors[sub_id] = error.message
    return result


def _ledgers(
    customer_ids: list[int], subscriptions: dict[int, tuple[Any, ...]], zones: dict[int, ZoneInfo]
) -> tuple[
    dict[int, list[billing.QuantityChange]],
    dict[int, list[billing.StatusChange]],
    dict[int, list[billing.PricePoint]],
]:
    ledgers: dict[int, list[billing.QuantityChange]] = defaultdict(list)
    statuses: dict[int, list[billing.StatusChange]] = defaultdict(list)
    sale_prices: dict[int, list[billing.PricePoint]] = defaultdict(list)
    scope = {"subscription__tenant__customer_id__in": customer_ids}
    quantity_rows = (
        QuantityChange.objects.filter(**scope)
        .order_by("subscription_id", "effective_at", "id")
        .values_list("subscription_id", "effective_at", "quantity", "refundable")
    )
    for sub_id, at, quantity, refundable in quantity_rows.iterator(chunk_size=20000):
        if sub_id in subscriptions:
            day = at.astimezone(zones[subscriptions[sub_id][1]]).date()
            ledgers[sub_id].append(billing.QuantityChange(day, quantity, refundable))
    status_rows = (
        StatusChange.objects.filter(**scope)
        .order_by("subscription_id", "effective_at", "id")
        .values_list("subscription_id", "effective_at", "status", "refundable")
    )
    for sub_id, at, status, refundable in status_rows:
        if sub_id in subscriptions and status in _STATUSES:
            day = at.astimezone(zones[subscriptions[sub_id][1]]).date()
            statuses[sub_id].append(billing.StatusChange(day, billing.Status(status), refundable))
    price_rows = (
        SalePrice.objects.filter(**scope)
        .order_by("subscription_id", "effective_from")
        .values_list("subscription_id", "effective_from", "unit_price", "currency")
    )
    for sub_id, effective_from, unit_price, currency in price_rows:
        if sub_id in subscriptions:
            point = billing.PricePoint(effective_from, money(unit_price, currency), SALE_PRICE_SOURCE)
            sale_prices[sub_id].append(point)
    return ledgers, statuses, sale_prices


def _history(
    row: tuple[Any, ...],
    customer: Organization,
    start: date,
    ledger: list[billing.QuantityChange],
    statuses: list[billing.StatusChange],
    sale_prices: list[billing.PricePoint],
    prices: dict[tuple[int, int], billing.PricePoint | DomainError],
) -> billing.SubscriptionHistory:
    sub_id, customer_id, offer_id, title, _, _, cycle, term, is_trial, quantity, billing_cancelled_on = row
    if not ledger or ledger[0].effective_on > start:
        # A subscription mirrored from the provider before the ledger existed: its quantity from the start.
        ledger.insert(0, billing.QuantityChange(start, ledger[0].quantity if ledger else quantity))
    if billing_cancelled_on and not any(s.status is billing.Status.BILLING_CANCELLED for s in statuses):
        statuses.append(billing.StatusChange(billing_cancelled_on, billing.Status.BILLING_CANCELLED))
    points = list(sale_prices)
    if not points or points[0].effective_from > start:
        listed = prices.get((customer_id, offer_id))
        if isinstance(listed, DomainError):
            raise listed
        if listed is not None:
            points.insert(0, billing.PricePoint(start, listed.unit_price, listed.source))
    return billing.SubscriptionHistory(
        subscription_id=sub_id,
        product=title,
        currency=customer.currency,
        start=start,
        billing_frequency=Frequency(cycle) if cycle in _RECURRING else None,
        term_months=Term.parse(term or "P1M").months,
        is_trial=is_trial,
        quantity_ledger=tuple(sorted(ledger, key=lambda change: change.effective_on)),
        status_changes=tuple(sorted(statuses, key=lambda change: change.effective_on)),
        prices=tuple(sorted(points, key=lambda point: point.effective_from)),
    )
