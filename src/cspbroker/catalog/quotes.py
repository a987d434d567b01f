"""The live price of a new subscription, shown in the walk before it is confirmed (S1, C3).

Per billing period and per month, with cost and margin for staff only; what an order keeps of it
(`customer_quote`) never has cost or margin, because customers read their orders.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from cspbroker.accounts.models import Organization
from cspbroker.catalog.models import Offer
from cspbroker.catalog.pricing import resolve_price
from cspbroker.domain import pricing
from cspbroker.domain.money import Money

_RECURRING = {"monthly", "annual", "triennial"}
_STAFF_ONLY = {"cost", "margin", "margin_percent", "explanation"}


def monthly(unit_price: Money, quantity: int, billing_cycle: str) -> Money | None:
    """What `quantity` units cost a month; None for a one-time purchase."""
    if billing_cycle not in _RECURRING:
        return None
    return pricing.monthly_cost(unit_price, quantity, billing_cycle)


def purchase_quote(
    customer: Organization, offer: Offer, quantity: int, on: date, *, show_cost: bool
) -> dict[str, Any]:
    """The price of `quantity` units of `offer` for `customer` bought on `on` (the day locks it)."""
    resolved = resolve_price(customer=customer, offer=offer, on=on)
    shown = resolved if show_cost else resolved.for_customer()
    total = pricing.quote(shown, quantity)
    monthly_price = monthly(shown.unit_price, quantity, offer.billing_cycle)
    quote: dict[str, Any] = {
        "currency": customer.currency,
        "unit_price": str(shown.unit_price.amount),
        "quantity": quantity,
        "total": str(total.amount),
        "monthly": None if monthly_price is None else str(monthly_price.amount),
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
    return {key: value for key, value in quote.items() if key not in _STAFF_ONLY}
