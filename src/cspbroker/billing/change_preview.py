"""The effect of a change before it is confirmed (X6; S2's new monthly cost), checked against the rules.

The change is checked with the same commerce rules the order will meet (it raises the same
`DomainError`), then priced on the subscription's history as billing reads it (`histories`, the one
builder): the charge or refund the next bill carries (`domain.billing.preview_change`), the monthly
cost before and after at the price in force — the term's locked price or a historic sales price —
and, for staff, the cost and margin. Nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from cspbroker.accounts.models import Organization
from cspbroker.billing.histories import FULL_REFUND_WITHIN, CustomerHistories, load_histories
from cspbroker.domain import billing, commerce
from cspbroker.domain.clock import local_date
from cspbroker.domain.errors import DomainError
from cspbroker.domain.money import Money
from cspbroker.subscriptions.models import LedgerKind, Subscription
from cspbroker.subscriptions.terms import terms_of

_STATUS_AFTER = {
    "cancel": billing.Status.CANCELLED,
    "billing_only_cancel": billing.Status.BILLING_CANCELLED,
    "suspend": billing.Status.SUSPENDED,
    "reactivate": billing.Status.ACTIVE,
}
_TERM_KINDS = {LedgerKind.PURCHASE, LedgerKind.RENEWAL, LedgerKind.CONVERSION}


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


def decimal_or_none(text: str | None) -> Decimal | None:
    return None if text in (None, "") else Decimal(str(text))


def preview_change(
    subscription: Subscription, *, kind: str, payload: dict[str, Any], now: datetime, show_cost: bool
) -> ChangePreview:
    """Check the change against Microsoft's rules (raises the same DomainError the order would) and
    price it: new monthly cost, the charge on the next bill, whether scheduled changes are cleared."""
    customer: Organization = subscription.tenant.customer
    terms = terms_of(subscription)
    before = subscription.quantity
    after, clears = before, False
    today = local_date(now, customer.billing_time_zone)
    change: billing.Change | None = None
    if kind == "change_quantity":
        checked = commerce.check_quantity_change(terms, _quantity(payload), now)
        after, clears = checked.new_quantity, checked.clears_scheduled_change
        change = billing.QuantityChange(today, after, refundable=after < before)
    elif kind in _STATUS_AFTER:
        _check_status_change(kind, terms, now)
        if kind in ("cancel", "billing_only_cancel"):
            after = 0
    else:
        raise DomainError(f"There is nothing to preview for {kind!r}.", field="kind", code="invalid_kind")
    result = ChangePreview(kind, before, after, customer.currency, clears_scheduled_change=clears)
    loaded = load_histories([customer], on=today, subscription_ids=[subscription.pk])
    history = loaded.histories.get(subscription.pk)
    if history is None:
        message = loaded.errors.get(subscription.pk, "Not priced yet.")
        result.price_error = message if show_cost else "Not priced yet: ask us for a quote."
        return result
    if kind in ("cancel", "billing_only_cancel"):
        change = billing.StatusChange(today, _STATUS_AFTER[kind], kind == "cancel", _full_refund(loaded, now))
    _price(result, history, today, show_cost)
    if change is not None and result.unit_price is not None:
        effect = billing.preview_change(history, change, today)
        result.next_bill_charge = effect.net
        result.next_bill_lines = [f"adds {line.explanation}" for line in effect.added] + [
            f"withdraws {line.explanation}" for line in effect.withdrawn
        ]
        result.monthly_after = effect.monthly_cost_after
    if clears:
        result.notes.append(
            "An immediate change deletes the change scheduled for the renewal; schedule it again afterwards."
        )
    return result


def _full_refund(loaded: CustomerHistories, now: datetime) -> bool:
    """Cancelled within 24 hours of the term's start, Microsoft refunds the whole charge."""
    opened = [
        entry.effective_at
        for entries in loaded.entries.values()
        for entry in entries
        if entry.kind in _TERM_KINDS
    ]
    return bool(opened) and now - max(opened) < FULL_REFUND_WITHIN


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


def _price(result: ChangePreview, history: billing.SubscriptionHistory, today: date, show_cost: bool) -> None:
    try:
        price = history.price_on(today)
    except DomainError as error:
        result.price_error = error.message if show_cost else "Not priced yet: ask us for a quote."
        return
    result.unit_price = price.unit_price
    result.monthly_before = billing.monthly_cost(history, today)
    result.monthly_after = (
        billing.monthly_cost(history.with_change(billing.QuantityChange(today, result.quantity_after)), today)
        if result.quantity_after
        else Money.zero(result.currency)
    )
    cost = history.cost_on(today)
    term = history.term_on(today)
    if show_cost and cost is not None and term is not None and term.frequency is not None:
        result.cost_monthly_after = (cost * result.quantity_after / term.frequency.months).rounded()
        if result.monthly_after is not None:
            result.margin_monthly_after = result.monthly_after - result.cost_monthly_after
