"""The price a term locks (NCE price lock): fixed when the term starts, kept for the whole term.

Microsoft: "Subscription price changes apply only during a renewal … Price changes during the term
don't affect billing plan charges." A purchase, a renewal or a trial's conversion locks the sale
price in force that day — the subscription's own historic sales price (C4) when one applies, else the
price list's — and our cost that day. A list or cost change applies from the next renewal on; a
historic sales price set by staff later in the term still wins from its date (billing reads both).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from cspbroker.catalog.pricing import PricingError, money, resolve_price, source_text
from cspbroker.domain.errors import DomainError
from cspbroker.domain.ledger import check_unit_price
from cspbroker.domain.money import Money
from cspbroker.subscriptions.ledger import LockedPrice
from cspbroker.subscriptions.models import LedgerEntry, LedgerKind, Subscription

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SalePriceRow:
    """A historic sales price (C4) as staff read it."""

    effective_from: date
    unit_price: Decimal
    currency: str
    set_by: str
    recorded_at: datetime


def sale_price_row(entry: LedgerEntry) -> SalePriceRow:
    assert entry.price_from is not None and entry.unit_price is not None, "a price entry"
    return SalePriceRow(
        entry.price_from, entry.unit_price, entry.currency, entry.actor_ref, entry.recorded_at
    )


def own_prices(subscription: Subscription) -> list[SalePriceRow]:
    """The subscription's historic sales prices (C4), oldest first, one per day (a later entry for the
    same day replaces the earlier one); from the prefetched entries when the selector loaded them."""
    rows = getattr(subscription, "own_price_entries", None)
    if rows is None:
        entries = LedgerEntry.objects.filter(subscription=subscription, kind=LedgerKind.PRICE)
        rows = list(entries.order_by("price_from", "id"))
    by_day = {row.price_from: row for row in rows if row.price_from and row.unit_price is not None}
    return [sale_price_row(by_day[day]) for day in sorted(by_day)]


def price_history(subscription: Subscription) -> list[tuple[date, Money]]:
    """The historic sales prices as the pricing rules read them: (from, unit price)."""
    return [(row.effective_from, money(row.unit_price, row.currency)) for row in own_prices(subscription)]


def _within_bounds(unit_price: Decimal, cost: Money | None) -> bool:
    try:
        check_unit_price(unit_price)
        if cost is not None:
            check_unit_price(cost.amount)
    except DomainError:
        return False
    return True


def lock_price(subscription: Subscription, on: date) -> LockedPrice | None:
    """The sale price and cost a term starting on `on` locks; None when nothing prices it yet (billing
    then resolves the list price of the term's first day, and refuses loudly while there is none)."""
    customer = subscription.tenant.customer
    try:
        resolved = resolve_price(
            customer=customer,
            offer=subscription.offer,
            on=on,
            subscription_history=price_history(subscription) if subscription.pk else (),
            subscription_id=str(subscription.pk or ""),
        )
    except PricingError:
        return None
    if not _within_bounds(resolved.unit_price.amount, resolved.cost):
        # A markup over a huge cost: billing refuses the term loudly until staff price it, rather
        # than the purchase failing to be recorded after the provider made it.
        log.warning("price of subscription %s out of bounds: %s", subscription.pk, resolved.unit_price)
        return None
    return LockedPrice(
        unit_price=resolved.unit_price.amount,
        unit_cost=resolved.cost.amount if resolved.cost is not None else None,
        currency=resolved.unit_price.currency,
        source=source_text(resolved.source),
    )
