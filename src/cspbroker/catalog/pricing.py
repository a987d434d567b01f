"""Which sale price a customer pays for an offer on a day: the rows gathered, the pure domain decides.

`resolve_price(customer=…, offer=…, on=…)` is what orders and billing call. It reads, in a fixed
number of queries whatever the size of the lists:

1. the offer with its SKU and product (for the price key and the category);
2. the provider price (our cost) in the customer's currency in force on that day;
3. the entries of the customer's own lists and of the global list of the organisation the customer
   belongs to (its reseller, or the operator for a direct customer), in the customer's currency;
4. that organisation's markup rules;

and hands them to `cspbroker.domain.pricing.resolve_sale_price`, which applies the order
customer list → reseller's global list → markup rule → refusal (`NoPrice`, "No price for …").
`resolve_prices` does the same for many offers at once (catalog pages), still in four queries.

A perpetual offer has no term; its price key uses the term `PERPETUAL`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import Q

from cspbroker.accounts.models import Organization
from cspbroker.accounts.services import InvalidInput
from cspbroker.catalog.models import MarkupRule, Offer, PriceList, PriceListEntry, ProviderPrice
from cspbroker.domain import pricing
from cspbroker.domain.money import Money
from cspbroker.domain.parties import OrganizationKind
from cspbroker.domain.pricing import (
    NoPrice,
    PriceKey,
    PriceSource,
    PriceSourceKind,
    PricingError,
    ResolvedPrice,
)

__all__ = [
    "PERPETUAL_TERM",
    "NoPrice",
    "PricingError",
    "ResolvedPrice",
    "costs_on",
    "offer_label",
    "price_entry",
    "price_key",
    "price_source",
    "resolve_price",
    "resolve_prices",
    "source_text",
    "split_source",
]

PERPETUAL_TERM = "PERPETUAL"
PriceHistory = Sequence[tuple[date, Money]]


def plain(value: Decimal) -> Decimal:
    """A stored decimal without the column's trailing zeros (20.000 → 20, never 2E+1); never rounds."""
    return Decimal(f"{value.normalize():f}")


def money(amount: Decimal, currency: str) -> Money:
    return Money(plain(amount), currency)


def price_key(offer: Offer) -> PriceKey:
    return PriceKey(offer.availability.catalog_item_id, offer.term or PERPETUAL_TERM, offer.billing_cycle)


def source_text(source: PriceSource) -> str:
    """A price source as charge lines and ledger entries keep it: "kind:id:name"."""
    return f"{source.kind.value}:{source.id}:{source.name}"


def split_source(text: str) -> tuple[str, str, str]:
    """ "kind:id:name" back into its parts (a bare name has no kind or id)."""
    parts = text.split(":", 2)
    if len(parts) < 3:
        return "", "", text
    return parts[0], parts[1], parts[2]


SUBSCRIPTION_PRICE_SOURCE = f"{PriceSourceKind.SUBSCRIPTION_PRICE.value}::historic sales price"


def price_source(price_list: PriceList) -> PriceSource:
    kind = PriceSourceKind.RESELLER_LIST if price_list.customer_id is None else PriceSourceKind.CUSTOMER_LIST
    return PriceSource(kind, str(price_list.pk), price_list.name)


def offer_label(offer: Offer) -> str:
    """ "Microsoft 365 E3 (P1Y, billed annual, item CFQ7…:0001:CFQ7…)": how people recognise an offer."""
    sku, item = offer.availability.sku, offer.availability.catalog_item_id
    return f"{sku.title} ({offer.term or 'perpetual'}, billed {offer.billing_cycle}, item {item})"


def _end_of(on: date, time_zone: str) -> datetime:
    return datetime.combine(on + timedelta(days=1), time(), tzinfo=ZoneInfo(time_zone))


def costs_on(
    offer_ids: Iterable[int], currency: str, on: date, *, time_zone: str = "UTC"
) -> dict[int, Money]:
    """Our cost per offer in `currency` on the day `on` (in `time_zone`), in one query.

    The provider price in force at the end of that day. For a day before the first import the
    first price we saw stands in: we know no earlier one, and a subscription bought before the
    platform was installed must still be priced.
    """
    end = _end_of(on, time_zone)
    in_force: dict[int, Money] = {}
    earliest: dict[int, Money] = {}
    rows = (
        ProviderPrice.objects.filter(offer_id__in=list(offer_ids), currency=currency)
        .order_by("offer_id", "-effective_from", "-id")
        .values_list("offer_id", "unit_price", "effective_from")
    )
    for offer_id, unit_price, effective_from in rows:
        if effective_from < end:
            in_force.setdefault(offer_id, money(unit_price, currency))
        earliest[offer_id] = money(unit_price, currency)
    return {**earliest, **in_force}


def _check_customer(customer: Organization) -> None:
    if customer.kind != OrganizationKind.CUSTOMER or customer.parent_id is None:
        raise InvalidInput(
            f"{customer.legal_name} is not a customer; prices are resolved for customers.",
            field="customer_id",
        )


def price_entry(row: PriceListEntry, offer: Offer) -> pricing.PriceEntry:
    """A stored list entry as the domain's `PriceEntry`."""
    price_list = row.price_list
    return pricing.PriceEntry(
        key=price_key(offer),
        sale_price=None if row.sale_price is None else money(row.sale_price, price_list.currency),
        markup_percent=None if row.markup_percent is None else plain(row.markup_percent),
        effective_from=row.effective_from,
        source=price_source(price_list),
    )


def _rule(row: MarkupRule) -> pricing.MarkupRule:
    name = f"{row.category} markup" if row.category else "markup for all products"
    return pricing.MarkupRule(
        markup_percent=plain(row.markup_percent),
        effective_from=row.effective_from,
        source=PriceSource(PriceSourceKind.MARKUP_RULE, str(row.pk), name),
        applies_to=pricing.MarkupFilter(category=row.category or None),
    )


def _resolve_one(
    customer: Organization,
    offer: Offer,
    on: date,
    *,
    cost: Money | None,
    entries: Sequence[PriceListEntry],
    rules: Sequence[pricing.MarkupRule],
    history: PriceHistory,
    subscription_id: str,
) -> ResolvedPrice:
    key = price_key(offer)
    if offer.availability.sku.product.connection.organization_id not in customer.ancestry:
        raise NoPrice(
            f"No price for {offer_label(offer)}: it is not sold to {customer.legal_name}.", field="offer_id"
        )
    converted = [price_entry(row, offer) for row in entries]
    try:
        return pricing.resolve_sale_price(
            key,
            on=on,
            cost=cost,
            customer_entries=[
                e for e, row in zip(converted, entries, strict=True) if row.price_list.customer_id
            ],
            reseller_entries=[
                e for e, row in zip(converted, entries, strict=True) if not row.price_list.customer_id
            ],
            markup_rules=rules,
            currency=customer.currency,
            category=offer.availability.sku.product.category or None,
            subscription_history=history,
            subscription_id=subscription_id,
        )
    except PricingError as error:
        # Name the offer as people know it rather than by its bare price key.
        error.message = error.message.replace(str(key), offer_label(offer), 1)
        error.args = (error.message,)
        raise


def _gather(
    customer: Organization, offer_ids: list[int], on: date
) -> tuple[dict[int, Offer], dict[int, Money], dict[int, list[PriceListEntry]], list[pricing.MarkupRule]]:
    offers = Offer.objects.select_related("availability__sku__product__connection").in_bulk(offer_ids)
    costs = costs_on(offer_ids, customer.currency, on, time_zone=customer.time_zone)
    entries: dict[int, list[PriceListEntry]] = defaultdict(list)
    lists = Q(price_list__customer=customer) | Q(
        price_list__owner_id=customer.parent_id, price_list__customer__isnull=True
    )
    for row in PriceListEntry.objects.filter(
        lists, offer_id__in=offer_ids, price_list__currency=customer.currency, effective_from__lte=on
    ).select_related("price_list"):
        entries[row.offer_id].append(row)
    rules = [
        _rule(row) for row in MarkupRule.objects.filter(owner_id=customer.parent_id, effective_from__lte=on)
    ]
    return offers, costs, entries, rules


def resolve_price(
    *,
    customer: Organization,
    offer: Offer,
    on: date,
    subscription_history: PriceHistory = (),
    subscription_id: str = "",
) -> ResolvedPrice:
    """The unit sale price per billing period of `offer` for `customer` on `on`, with its source.

    `subscription_history` — the subscription's own (effective_from, unit price) rows (C4) — wins
    over every list when one applies. The result carries cost and margin for staff; give a customer
    `result.for_customer()`. Raises `NoPrice` (code `no_price`) when nothing prices the offer,
    `CostUnknown` for a markup without a known cost, `AmbiguousPrice` for two equal entries, and
    `InvalidInput` when `customer` is not a customer. Four queries.
    """
    _check_customer(customer)
    offers, costs, entries, rules = _gather(customer, [offer.pk], on)
    return _resolve_one(
        customer,
        offers[offer.pk],
        on,
        cost=costs.get(offer.pk),
        entries=entries.get(offer.pk, []),
        rules=rules,
        history=subscription_history,
        subscription_id=subscription_id,
    )


def resolve_prices(
    *, customer: Organization, offers: Iterable[Offer | int], on: date
) -> dict[int, ResolvedPrice | PricingError]:
    """`resolve_price` for many offers in four queries: offer id → price, or the error that refused it."""
    _check_customer(customer)
    offer_ids = [item if isinstance(item, int) else item.pk for item in offers]
    loaded, costs, entries, rules = _gather(customer, offer_ids, on)
    results: dict[int, ResolvedPrice | PricingError] = {}
    for offer_id in offer_ids:
        try:
            results[offer_id] = _resolve_one(
                customer,
                loaded[offer_id],
                on,
                cost=costs.get(offer_id),
                entries=entries.get(offer_id, []),
                rules=rules,
                history=(),
                subscription_id="",
            )
        except PricingError as error:
            results[offer_id] = error
    return results
