"""The one history builder: subscriptions' ledgers, set-based, as the domain's `SubscriptionHistory`s.

The billing run, the next-bill preview and the change preview all read histories through
`load_histories`, so they cannot disagree. Two queries for any number of customers: the
subscriptions, and their ledger entries in effective order; a term whose price was not locked
when it started (recorded before the price lock existed, or bought before anything priced it) is
priced once per customer, offer and day from the price list of its first day. Dates are taken in
the reseller's time zone, where billing days are counted.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import Count, Max
from psycopg.types.datetime import TimestamptzLoader

from cspbroker.accounts.models import Organization
from cspbroker.catalog.models import Offer
from cspbroker.catalog.pricing import PricingError, resolve_price, source_text
from cspbroker.domain import billing
from cspbroker.domain.billing import ChargeType
from cspbroker.domain.commerce import Term as TermDuration
from cspbroker.domain.errors import DomainError
from cspbroker.domain.money import Money
from cspbroker.domain.periods import Frequency
from cspbroker.subscriptions.models import LedgerEntry, LedgerKind, Subscription

# Looked up by value for every subscription of a run: an Enum call per lookup costs more than a dict.
FREQUENCIES = {frequency.value: frequency for frequency in Frequency}
_STATUSES = {status.value for status in billing.Status}
_OPENINGS: dict[str, ChargeType] = {
    LedgerKind.PURCHASE.value: ChargeType.NEW,
    LedgerKind.RENEWAL.value: ChargeType.RENEW,
    LedgerKind.CONVERSION.value: ChargeType.CONVERT,
}
# Microsoft: "You can get a full refund if you cancel within 24 hours of purchase or renewal".
FULL_REFUND_WITHIN = timedelta(hours=24)
_ENTRY_FIELDS = (
    "id",
    "subscription_id",
    "kind",
    "effective_at",
    "recorded_at",
    "quantity",
    "status",
    "refundable",
    "term",
    "billing_cycle",
    "is_trial",
    "term_start",
    "price_from",
    "unit_price",
    "unit_cost",
    "currency",
    "price_source",
)


class _Entry(NamedTuple):
    id: int
    subscription_id: int
    kind: str
    effective_at: datetime
    recorded_at: datetime
    quantity: int | None
    status: str
    refundable: bool
    term: str
    billing_cycle: str
    is_trial: bool
    term_start: date | None
    price_from: date | None
    unit_price: Decimal | None
    unit_cost: Decimal | None
    currency: str
    price_source: str


@dataclass
class CustomerHistories:
    """The histories of one chunk of customers, with what could not be billed and why."""

    histories: dict[int, billing.SubscriptionHistory] = field(default_factory=dict)
    customer_of: dict[int, int] = field(default_factory=dict)  # subscription → customer
    offer_of: dict[int, int] = field(default_factory=dict)  # subscription → offer
    errors: dict[int, str] = field(default_factory=dict)  # subscription → message
    # The ledger entries each history was built from, for naming what an adjustment corrects.
    entries: dict[int, list[_Entry]] = field(default_factory=dict)
    newest_entry: dict[int, int] = field(default_factory=dict)  # customer → the newest entry id read


def customer_time_zone(customer: Organization) -> str:
    """The reseller's time zone (the operator's for a direct customer): billing days are counted there."""
    return customer.billing_time_zone


def fingerprints(customer_ids: Sequence[int]) -> dict[int, str]:
    """A cheap summary of each customer's ledger (count and newest id), one grouped query."""
    marks = {customer_id: fingerprint(0, 0) for customer_id in customer_ids}
    rows = (
        LedgerEntry.objects.filter(customer_id__in=list(customer_ids))
        .values("customer_id")
        .annotate(n=Count("id"), newest=Max("id"))
        .order_by()
    )
    for row in rows:
        marks[row["customer_id"]] = fingerprint(row["n"], row["newest"])
    return marks


def fingerprint(entries: int | None, newest: int | None) -> str:
    """A ledger's summary: how many entries and the newest one (entries are only ever appended)."""
    return f"{entries or 0}:{newest or 0}"


def load_histories(
    customers: Iterable[Organization], *, on: date, subscription_ids: Sequence[int] | None = None
) -> CustomerHistories:
    """The histories of the customers' subscriptions started by `on` (or only `subscription_ids`)."""
    by_id = {customer.pk: customer for customer in customers}
    result = CustomerHistories()
    if not by_id:
        return result
    rows = Subscription.objects.filter(tenant__customer_id__in=list(by_id)).values_list(
        "id", "tenant__customer_id", "offer_id", "offer__availability__sku__title", "start_date", "created_at"
    )
    if subscription_ids is not None:
        rows = rows.filter(id__in=list(subscription_ids))
    subscriptions = {row[0]: row for row in rows.order_by("id")}
    if not subscriptions:
        return result
    zones = {customer_id: ZoneInfo(c.billing_time_zone) for customer_id, c in by_id.items()}
    entries = _entries(list(by_id), subscriptions, result)
    unlocked = _unlocked_prices(by_id, subscriptions, entries, zones)
    for sub_id, (_, customer_id, offer_id, title, start_date, created_at) in subscriptions.items():
        zone = zones[customer_id]
        result.customer_of[sub_id] = customer_id
        result.offer_of[sub_id] = offer_id
        own = entries.get(sub_id, [])
        result.entries[sub_id] = own
        anchor = start_date or created_at.astimezone(zone).date()
        if anchor > on:
            continue
        try:
            result.histories[sub_id] = _history(
                sub_id, title, by_id[customer_id].currency, anchor, own, zone, unlocked, offer_id, customer_id
            )
        except DomainError as error:
            result.errors[sub_id] = error.message
    return result


def _entries(
    customer_ids: list[int], subscriptions: dict[int, tuple[Any, ...]], result: CustomerHistories
) -> dict[int, list[_Entry]]:
    entries: dict[int, list[_Entry]] = defaultdict(list)
    newest = result.newest_entry
    for entry in ledger_rows(customer_ids):
        if entry.subscription_id in subscriptions:
            entries[entry.subscription_id].append(entry)
            customer_id = subscriptions[entry.subscription_id][1]
            newest[customer_id] = max(newest.get(customer_id, 0), entry.id)
    return entries


def ledger_rows(customer_ids: list[int]) -> Iterator[_Entry]:
    """The customers' ledger entries in effective order, read with one raw query.

    The billing run reads every entry of every customer: the ORM's per-value converters cost more
    than the query itself. The database driver's own types are used (PostgreSQL's are native; the
    SQLite driver parses moments as naive UTC, which is all that is left to mend).
    """
    table = connection.ops.quote_name(LedgerEntry._meta.db_table)
    marks = ", ".join(["%s"] * len(customer_ids))
    sql = (
        f"SELECT {', '.join(_ENTRY_FIELDS)} FROM {table} WHERE customer_id IN ({marks}) "  # noqa: S608
        "ORDER BY subscription_id, effective_at, id"
    )
    postgres = connection.vendor == "postgresql"
    decode = _native if postgres else _from_sqlite
    with connection.cursor() as cursor:
        if postgres:
            # psycopg's own (compiled) moment loader: Django's wraps it in Python to set the zone,
            # which the session's UTC already is, at several times the cost per value.
            cursor.cursor.adapters.register_loader("timestamptz", TimestamptzLoader)
        cursor.execute(sql, customer_ids)
        while rows := cursor.fetchmany(20000):
            for row in rows:
                yield decode(row)


def _native(row: tuple[Any, ...]) -> _Entry:
    return _Entry(*row)


def _from_sqlite(row: tuple[Any, ...]) -> _Entry:
    # The SQLite driver gives naive UTC moments, dates, floats for decimals and integers for booleans.
    (id_, sub, kind, at, recorded, quantity, status, refundable, term, cycle, trial, start, price_from,
     price, cost, currency, source) = row  # fmt: skip
    return _Entry(
        id_, sub, kind, at.replace(tzinfo=UTC), recorded.replace(tzinfo=UTC), quantity, status,
        bool(refundable), term, cycle, bool(trial), start, price_from,
        None if price is None else _decimal(price), None if cost is None else _decimal(cost),
        currency, source,
    )  # fmt: skip


# As Django reads a SQLite decimal: the float's shortest repr, to the column's six decimals.
@lru_cache(maxsize=1 << 12)
def _decimal(value: float | int) -> Decimal:
    return Decimal(repr(value)).quantize(_MICRO)


_MICRO = Decimal("0.000001")


def _unlocked_prices(
    customers: dict[int, Organization],
    subscriptions: dict[int, tuple[Any, ...]],
    entries: dict[int, list[_Entry]],
    zones: dict[int, ZoneInfo],
) -> dict[tuple[int, int, date], billing.PricePoint | DomainError]:
    """The list price on the first day of every term that locked none, once per customer, offer and day."""
    wanted: set[tuple[int, int, date]] = set()
    for sub_id, own in entries.items():
        _, customer_id, offer_id, *_ = subscriptions[sub_id]
        for entry in own:
            if entry.kind in _OPENINGS and entry.unit_price is None and not entry.is_trial:
                wanted.add((customer_id, offer_id, _term_start(entry, zones[customer_id])))
    if not wanted:
        return {}
    offers = Offer.objects.select_related("availability__sku__product__connection").in_bulk(
        {offer_id for _, offer_id, _ in wanted}
    )
    customers = {
        c.pk: c
        for c in Organization.objects.select_related("parent").filter(pk__in={c for c, _, _ in wanted})
    }
    prices: dict[tuple[int, int, date], billing.PricePoint | DomainError] = {}
    for customer_id, offer_id, day in sorted(wanted):
        try:
            resolved = resolve_price(customer=customers[customer_id], offer=offers[offer_id], on=day)
        except PricingError as error:
            prices[(customer_id, offer_id, day)] = error
            continue
        prices[(customer_id, offer_id, day)] = billing.PricePoint(
            day, resolved.unit_price, source_text(resolved.source), resolved.cost
        )
    return prices


def _term_start(entry: _Entry, zone: ZoneInfo) -> date:
    return entry.term_start or entry.effective_at.astimezone(zone).date()


def _money(amount: Decimal | None, currency: str) -> Money | None:
    return None if amount is None else _plain_money(amount, currency)


# Thousands of terms lock the same few prices: each distinct amount becomes a Money once.
@lru_cache(maxsize=1 << 12)
def _plain_money(amount: Decimal, currency: str) -> Money:
    return Money(Decimal(f"{amount.normalize():f}"), currency)


@lru_cache(maxsize=64)
def _term_months(term: str) -> int:
    return TermDuration.parse(term or "P1M").months


def _history(
    sub_id: int,
    title: str,
    currency: str,
    anchor: date,
    entries: list[_Entry],
    zone: ZoneInfo,
    unlocked: dict[tuple[int, int, date], billing.PricePoint | DomainError],
    offer_id: int,
    customer_id: int,
) -> billing.SubscriptionHistory:
    terms: list[billing.Term] = []
    ledger: list[billing.QuantityChange] = []
    statuses: list[billing.StatusChange] = []
    own_prices: list[billing.PricePoint] = []
    term_opened_at: datetime | None = None
    quantity = 0
    for entry in entries:
        day = entry.effective_at.astimezone(zone).date()
        if entry.kind in _OPENINGS:
            term_opened_at = entry.effective_at
            terms.append(_term(entry, anchor, zone, currency, unlocked, offer_id, customer_id))
            if entry.quantity is not None and (entry.quantity != quantity or not ledger):
                quantity = entry.quantity
                ledger.append(billing.QuantityChange(day, quantity))
        elif entry.kind == LedgerKind.QUANTITY and entry.quantity is not None:
            quantity = entry.quantity
            ledger.append(billing.QuantityChange(day, quantity, entry.refundable))
        elif entry.kind == LedgerKind.STATUS and entry.status in _STATUSES:
            full = (
                entry.status == billing.Status.CANCELLED
                and entry.refundable
                and term_opened_at is not None
                and entry.effective_at - term_opened_at < FULL_REFUND_WITHIN
            )
            statuses.append(billing.StatusChange(day, billing.Status(entry.status), entry.refundable, full))
        elif entry.kind == LedgerKind.PRICE and entry.price_from and entry.unit_price is not None:
            amount = _money(entry.unit_price, entry.currency or currency)
            assert amount is not None
            own_prices.append(billing.PricePoint(entry.price_from, amount, entry.price_source))
    return billing.SubscriptionHistory(
        subscription_id=sub_id,
        product=title,
        currency=currency,
        terms=tuple(sorted(terms, key=lambda term: term.start)),
        quantity_ledger=tuple(sorted(ledger, key=lambda change: change.effective_on)),
        status_changes=tuple(sorted(statuses, key=lambda change: change.effective_on)),
        prices=tuple(sorted(own_prices, key=lambda point: point.effective_from)),
    )


def _term(
    entry: _Entry,
    anchor: date,
    zone: ZoneInfo,
    currency: str,
    unlocked: dict[tuple[int, int, date], billing.PricePoint | DomainError],
    offer_id: int,
    customer_id: int,
) -> billing.Term:
    start = _term_start(entry, zone)
    cycle = entry.billing_cycle
    frequency = FREQUENCIES.get(cycle)
    months = _term_months(entry.term) if frequency is not None else 0
    price: billing.PricePoint | None = None
    if entry.unit_price is not None:
        sale = _money(entry.unit_price, entry.currency or currency)
        assert sale is not None
        price = billing.PricePoint(start, sale, entry.price_source, _money(entry.unit_cost, sale.currency))
    elif not entry.is_trial:
        listed = unlocked.get((customer_id, offer_id, start))
        if isinstance(listed, DomainError):
            raise listed
        price = listed
    opening = _OPENINGS[entry.kind]
    return billing.Term(
        start=start,
        months=months,
        frequency=frequency,
        price=price,
        opening=opening,
        is_trial=entry.is_trial,
        # A converted trial starts a term of its own; every other term keeps the subscription's anchor.
        anchor=start if opening is ChargeType.CONVERT else anchor,
    )
