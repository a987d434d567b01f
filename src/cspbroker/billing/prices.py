"""List prices and costs for many customers at once, for billing runs.

`catalog.pricing.resolve_prices` answers for one customer in four queries; a billing run over
thousands of customers gathers the same rows for all of them in four queries and hands each
(customer, offer) to the same pure rule, `domain.pricing.resolve_sale_price`. Customers without a
list of their own share their reseller's answer, which is computed once.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q

from cspbroker.accounts.models import Organization
from cspbroker.catalog.models import MarkupRule, Offer, PriceListEntry, ProviderPrice
from cspbroker.catalog.pricing import money, offer_label, plain, price_entry, price_key
from cspbroker.domain import billing, pricing
from cspbroker.domain.errors import DomainError
from cspbroker.domain.money import Money
from cspbroker.domain.pricing import NoPrice, PriceSource, PriceSourceKind, PricingError


def source_text(source: PriceSource) -> str:
    """A price source as the domain's line carries it: "kind:id:name" (split again when stored)."""
    return f"{source.kind.value}:{source.id}:{source.name}"


def split_source(text: str) -> tuple[str, str, str]:
    parts = text.split(":", 2)
    if len(parts) < 3:
        return "", "", text
    return parts[0], parts[1], parts[2]


SALE_PRICE_SOURCE = f"{PriceSourceKind.SUBSCRIPTION_PRICE.value}::historic sales price"


@dataclass
class CostBook:
    """Provider prices (our cost) per offer and currency over time, from one query."""

    days: dict[tuple[int, str], list[date]] = field(default_factory=dict)
    prices: dict[tuple[int, str], list[Money]] = field(default_factory=dict)

    @classmethod
    def load(cls, offer_ids: Iterable[int], currencies: Iterable[str]) -> CostBook:
        book = cls()
        rows = (
            ProviderPrice.objects.filter(offer_id__in=list(offer_ids), currency__in=list(currencies))
            .order_by("offer_id", "currency", "effective_from", "id")
            .values_list("offer_id", "currency", "unit_price", "effective_from")
        )
        for offer_id, currency, unit_price, effective_from in rows:
            book.days.setdefault((offer_id, currency), []).append(effective_from.date())
            book.prices.setdefault((offer_id, currency), []).append(money(unit_price, currency))
        return book

    def cost_on(self, offer_id: int, currency: str, day: date) -> Money | None:
        """The cost in force on `day`; before the first import, the first price seen stands in."""
        days = self.days.get((offer_id, currency))
        if not days:
            return None
        index = bisect_right(days, day)
        return self.prices[(offer_id, currency)][max(index - 1, 0)]


def _rule(row: MarkupRule) -> pricing.MarkupRule:
    name = f"{row.category} markup" if row.category else "markup for all products"
    return pricing.MarkupRule(
        markup_percent=plain(row.markup_percent),
        effective_from=row.effective_from,
        source=PriceSource(PriceSourceKind.MARKUP_RULE, str(row.pk), name),
        applies_to=pricing.MarkupFilter(category=row.category or None),
    )


def list_prices(
    customers: Mapping[int, Organization], offers_by_customer: Mapping[int, set[int]], *, on: date
) -> dict[tuple[int, int], billing.PricePoint | DomainError]:
    """(customer id, offer id) → the list price on `on` as a price point, or the error refusing it."""
    offer_ids = sorted({offer for offers in offers_by_customer.values() for offer in offers})
    offers = Offer.objects.select_related("availability__sku__product__connection").in_bulk(offer_ids)
    parents = {customer.parent_id for customer in customers.values()}
    currencies = {customer.currency for customer in customers.values()}
    costs = CostBook.load(offer_ids, currencies)
    entries: dict[tuple[int, int], list[PriceListEntry]] = defaultdict(list)  # (owner or customer, offer)
    lists = Q(price_list__customer_id__in=list(customers)) | Q(
        price_list__owner_id__in=parents, price_list__customer__isnull=True
    )
    for row in PriceListEntry.objects.filter(
        lists, offer_id__in=offer_ids, price_list__currency__in=currencies, effective_from__lte=on
    ).select_related("price_list"):
        holder = row.price_list.customer_id or row.price_list.owner_id
        entries[(holder, row.offer_id)].append(row)
    rules: dict[int, list[pricing.MarkupRule]] = defaultdict(list)
    for rule in MarkupRule.objects.filter(owner_id__in=parents, effective_from__lte=on):
        rules[rule.owner_id].append(_rule(rule))
    shared: dict[tuple[int | None, str, int], billing.PricePoint | DomainError] = {}
    result: dict[tuple[int, int], billing.PricePoint | DomainError] = {}
    for customer_id, offer_set in offers_by_customer.items():
        customer = customers[customer_id]
        for offer_id in offer_set:
            own = entries.get((customer_id, offer_id), [])
            reseller = [
                row
                for row in entries.get((customer.parent_id or 0, offer_id), [])
                if row.price_list.currency == customer.currency
            ]
            own = [row for row in own if row.price_list.currency == customer.currency]
            key = (customer.parent_id, customer.currency, offer_id)
            if not own and key in shared:
                result[(customer_id, offer_id)] = shared[key]
                continue
            cost = costs.cost_on(offer_id, customer.currency, on)
            answer = _resolve(
                customer, offers[offer_id], on, cost, own, reseller, rules[customer.parent_id or 0]
            )
            result[(customer_id, offer_id)] = answer
            if not own:
                shared[key] = answer
    return result


def _resolve(
    customer: Organization,
    offer: Offer,
    on: date,
    cost: Money | None,
    own: list[PriceListEntry],
    reseller: list[PriceListEntry],
    rules: list[pricing.MarkupRule],
) -> billing.PricePoint | DomainError:
    if offer.availability.sku.product.connection.organization_id not in customer.ancestry:
        return NoPrice(f"No price for {offer_label(offer)}: it is not sold to {customer.legal_name}.")
    try:
        resolved = pricing.resolve_sale_price(
            price_key(offer),
            on=on,
            cost=cost,
            customer_entries=[price_entry(row, offer) for row in own],
            reseller_entries=[price_entry(row, offer) for row in reseller],
            markup_rules=rules,
            currency=customer.currency,
            category=offer.availability.sku.product.category or None,
        )
    except PricingError as error:
        error.message = error.message.replace(str(price_key(offer)), offer_label(offer), 1)
        return error
    return billing.PricePoint(on, resolved.unit_price, source_text(resolved.source))
