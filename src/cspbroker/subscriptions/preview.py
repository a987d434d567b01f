"""Prices of subscriptions and the preview of a change before it is confirmed (S1, S2, C4, X6).

A subscription's unit price on a day is its own historic sales price (C4) when one applies, else the
price list's. The bill effect of a change comes from the billing engine itself
(`domain.billing.preview_change` over the subscription's ledgers), so the preview cannot disagree
with the bill; when the ledgers cannot be priced, the preview falls back to the price difference.
Nothing here writes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from cspbroker.accounts.models import Organization
from cspbroker.catalog.models import Offer
from cspbroker.catalog.pricing import money, resolve_price
from cspbroker.domain import billing, commerce, pricing
from cspbroker.domain.clock import local_date
from cspbroker.domain.commerce import Term
from cspbroker.domain.errors import DomainError
from cspbroker.domain.money import Money
from cspbroker.domain.periods import Frequency
from cspbroker.domain.pricing import ResolvedPrice
from cspbroker.subscriptions.models import Subscription
from cspbroker.subscriptions.terms import terms_of

_RECURRING = {"monthly", "annual", "triennial"}


def price_history(subscription: Subscription) -> list[tuple[date, Money]]:
    """The subscription's own sales prices (C4), oldest first."""
    rows = subscription.sale_prices.all()
    return sorted(((row.effective_from, money(row.unit_price, row.currency)) for row in rows), key=_first)


def _first(item: tuple[date, Money]) -> date:
    return item[0]


def price_on(subscription: Subscription, on: date) -> ResolvedPrice:
    """The unit price per billing period on `on`, with cost and margin (give customers `for_customer()`)."""
    return resolve_price(
        customer=subscription.tenant.customer,
        offer=subscription.offer,
        on=on,
        subscription_history=price_history(subscription),
        subscription_id=str(subscription.pk),
    )


def monthly(unit_price: Money, quantity: int, billing_cycle: str) -> Money | None:
    if billing_cycle not in _RECURRING:
        return None
    return pricing.monthly_cost(unit_price, quantity, billing_cycle)


def build_history(subscription: Subscription, time_zone: str) -> billing.SubscriptionHistory:
    """The billing engine's view of a subscription, from its ledgers (what billing will read)."""
    customer = subscription.tenant.customer
    start = subscription.start_date or local_date(subscription.created_at, time_zone)
    frequency = Frequency(subscription.billing_cycle) if subscription.billing_cycle in _RECURRING else None
    ledger = [
        billing.QuantityChange(local_date(row.effective_at, time_zone), row.quantity, row.refundable)
        for row in subscription.quantity_changes.order_by("effective_at", "id")
    ]
    if not ledger or ledger[0].effective_on > start:
        ledger.insert(
            0, billing.QuantityChange(start, ledger[0].quantity if ledger else subscription.quantity)
        )
    statuses = [
        billing.StatusChange(
            local_date(row.effective_at, time_zone), billing.Status(row.status), row.refundable
        )
        for row in subscription.status_changes.order_by("effective_at", "id")
        if row.status in set(billing.Status)
    ]
    list_price = resolve_price(customer=customer, offer=subscription.offer, on=start)
    points = [billing.PricePoint(start, list_price.unit_price, str(list_price.source))]
    points += [
        billing.PricePoint(day, price, "historic sales price") for day, price in price_history(subscription)
    ]
    return billing.SubscriptionHistory(
        subscription_id=subscription.pk,
        product=subscription.offer.availability.sku.title,
        currency=customer.currency,
        start=start,
        billing_frequency=frequency,
        term_months=Term.parse(subscription.term or "P1M").months,
        is_trial=subscription.is_trial,
        quantity_ledger=tuple(sorted(ledger, key=lambda change: change.effective_on)),
        status_changes=tuple(sorted(statuses, key=lambda change: change.effective_on)),
        prices=tuple(sorted(points, key=lambda point: point.effective_from)),
    )


@dataclass
class ChangePreview:
    """What a change would do, shown before it is confirmed; no cost or margin unless `show_cost`."""

    kind: str
    quantity_before: int
    quantity_after: int
    currency: str
    unit_price: Money | None = None
    monthly_before: Money | None = None
    monthly_after: Money | None = None
    next_bill_charge: Money | None = None  # what the next bill carries for the change (+ charge, - refund)
    next_bill_lines: list[str] = field(default_factory=list)
    clears_scheduled_change: bool = False
    needs_approval: bool = False
    notes: list[str] = field(default_factory=list)
    cost_monthly_after: Money | None = None  # staff only
    margin_monthly_after: Money | None = None  # staff only
    price_error: str = ""

    @property
    def monthly_difference(self) -> Money | None:
        if self.monthly_before is None or self.monthly_after is None:
            return None
        return self.monthly_after - self.monthly_before

    def quote(self) -> dict[str, Any]:
        """What the order keeps of the preview: sale-side figures only (customers read orders)."""
        added = max(self.quantity_after - self.quantity_before, 0)
        total = None if self.unit_price is None else (self.unit_price * added).rounded()
        return {
            "currency": self.currency,
            "unit_price": _text(self.unit_price),
            "quantity": self.quantity_after,
            "total": _text(total),
            "monthly_before": _text(self.monthly_before),
            "monthly_after": _text(self.monthly_after),
            "next_bill_charge": _text(self.next_bill_charge),
        }


def _text(money: Money | None) -> str | None:
    return None if money is None else str(money.amount)


_STATUS_AFTER = {
    "cancel": billing.Status.CANCELLED,
    "billing_only_cancel": billing.Status.BILLING_CANCELLED,
    "suspend": billing.Status.SUSPENDED,
    "reactivate": billing.Status.ACTIVE,
}


def preview_change(
    subscription: Subscription, *, kind: str, payload: dict[str, Any], now: datetime, show_cost: bool
) -> ChangePreview:
    """Check the change against Microsoft's rules (raises the same DomainError the order would) and
    price it: new monthly cost, the charge on the next bill, whether scheduled changes are cleared."""
    customer: Organization = subscription.tenant.customer
    terms = terms_of(subscription)
    before = subscription.quantity
    after, clears = before, False
    change: billing.Change | None = None
    today = local_date(now, customer.time_zone)
    if kind == "change_quantity":
        checked = commerce.check_quantity_change(terms, _quantity(payload), now)
        after, clears = checked.new_quantity, checked.clears_scheduled_change
        change = billing.QuantityChange(today, after, refundable=after < before)
    elif kind in _STATUS_AFTER:
        _check_status_change(kind, terms, now)
        if kind in ("cancel", "billing_only_cancel"):
            after = 0
            change = billing.StatusChange(today, _STATUS_AFTER[kind], refundable=kind == "cancel")
    else:
        raise DomainError(f"There is nothing to preview for {kind!r}.", field="kind", code="invalid_kind")
    result = ChangePreview(kind, before, after, customer.currency, clears_scheduled_change=clears)
    _price(result, subscription, today, show_cost)
    if change is not None and result.unit_price is not None:
        _bill_effect(result, subscription, change, today)
    if clears:
        result.notes.append(
            "An immediate change deletes the change scheduled for the renewal; schedule it again afterwards."
        )
    return result


def _quantity(payload: dict[str, Any]) -> Any:
    """The quantity asked for; the rule itself refuses what is not a whole number."""
    value = payload.get("quantity")
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return value


def _check_status_change(kind: str, terms: commerce.SubscriptionTerms, now: datetime) -> None:
    if kind == "cancel":
        commerce.check_cancel(terms, now)
    elif kind == "billing_only_cancel":
        commerce.check_billing_only_cancel(terms)
    elif kind == "suspend":
        commerce.check_suspend(terms)
    else:
        commerce.check_reactivate(terms)


def _price(result: ChangePreview, subscription: Subscription, today: date, show_cost: bool) -> None:
    try:
        resolved = price_on(subscription, today)
    except DomainError as error:
        result.price_error = error.message if show_cost else "Not priced yet: ask us for a quote."
        return
    cycle = subscription.billing_cycle
    result.unit_price = resolved.unit_price
    result.monthly_before = monthly(resolved.unit_price, result.quantity_before, cycle)
    result.monthly_after = monthly(resolved.unit_price, result.quantity_after, cycle)
    if show_cost and resolved.cost is not None:
        result.cost_monthly_after = monthly(resolved.cost, result.quantity_after, cycle)
        if result.monthly_after is not None and result.cost_monthly_after is not None:
            result.margin_monthly_after = result.monthly_after - result.cost_monthly_after


def _bill_effect(
    result: ChangePreview, subscription: Subscription, change: billing.Change, today: date
) -> None:
    try:
        history = build_history(subscription, subscription.tenant.customer.time_zone)
        effect = billing.preview_change(history, change, today)
    except DomainError:
        return  # ledgers that cannot be priced: the price difference above is what we can say
    result.next_bill_charge = effect.net
    result.next_bill_lines = [f"adds {line.explanation}" for line in effect.added] + [
        f"withdraws {line.explanation}" for line in effect.withdrawn
    ]
    result.monthly_after = effect.monthly_cost_after if result.quantity_after else result.monthly_after


def purchase_quote(
    customer: Organization, offer: Offer, quantity: int, on: date, *, show_cost: bool
) -> dict[str, Any]:
    """The live price of a new subscription for the walk (S1): per period, per month, cost for staff."""
    resolved = resolve_price(customer=customer, offer=offer, on=on)
    shown = resolved if show_cost else resolved.for_customer()
    total = pricing.quote(shown, quantity)
    quote: dict[str, Any] = {
        "currency": customer.currency,
        "unit_price": str(shown.unit_price.amount),
        "quantity": quantity,
        "total": str(total.amount),
        "monthly": _text(monthly(shown.unit_price, quantity, offer.billing_cycle)),
        "billing_cycle": offer.billing_cycle,
        "explanation": shown.explanation,
    }
    if show_cost and shown.cost is not None:
        cost_total = (shown.cost * quantity).rounded()
        quote.update(
            cost=str(cost_total.amount),
            margin=str((total - cost_total).amount),
            margin_percent=None if shown.margin_percent is None else str(shown.margin_percent),
        )
    return quote


def customer_quote(quote: dict[str, Any]) -> dict[str, Any]:
    """A quote without cost or margin: what an order keeps."""
    return {k: v for k, v in quote.items() if k not in {"cost", "margin", "margin_percent", "explanation"}}


def decimal_or_none(text: str | None) -> Decimal | None:
    return None if text in (None, "") else Decimal(str(text))
