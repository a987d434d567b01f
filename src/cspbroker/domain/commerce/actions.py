"""One call for the pages: which actions a subscription allows now, and why the others are off."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from cspbroker.domain.clock import require_aware
from cspbroker.domain.commerce.changes import check_auto_renew, check_term_change, require_schedulable
from cspbroker.domain.commerce.errors import OrderTypeUnsupported, QuantityOutOfRange
from cspbroker.domain.commerce.guards import require_active, require_live
from cspbroker.domain.commerce.lifecycle import (
    check_billing_only_cancel,
    check_cancel,
    check_reactivate,
    check_suspend,
)
from cspbroker.domain.commerce.order_types import OrderType, ProviderCapabilities
from cspbroker.domain.commerce.quantity import check_quantity_change, require_quantity_changeable
from cspbroker.domain.commerce.terms import SubscriptionTerms, Term
from cspbroker.domain.commerce.text import seats
from cspbroker.domain.errors import DomainError


@dataclass(frozen=True, slots=True)
class ActionAvailability:
    allowed: bool
    reason: str | None = None  # the sentence shown next to a disabled button
    code: str | None = None  # the refusal's stable code


ALLOWED = ActionAvailability(True)


def available_actions(
    terms: SubscriptionTerms, capabilities: ProviderCapabilities, now: datetime
) -> dict[OrderType, ActionAvailability]:
    """Every order type: allowed, or refused with the same reason and code the action would raise.

    The provider's capabilities come first: what it cannot do is off whatever the subscription's state.
    """
    now = require_aware(now)
    probes = _probes(terms, now)
    actions: dict[OrderType, ActionAvailability] = {}
    for order_type in OrderType:
        reason = capabilities.reason(order_type)
        if reason is not None:
            actions[order_type] = ActionAvailability(False, reason, OrderTypeUnsupported.code)
            continue
        try:
            probes[order_type]()
        except DomainError as refusal:
            actions[order_type] = ActionAvailability(False, refusal.message, refusal.code)
        else:
            actions[order_type] = ALLOWED
    return actions


def _probes(terms: SubscriptionTerms, now: datetime) -> dict[OrderType, Callable[[], object]]:
    longer_terms = sorted(term for term in Term if term > terms.term)
    return {
        OrderType.NEW: lambda: None,  # a new subscription does not depend on this one
        OrderType.ADD_QUANTITY: lambda: _can_add_seats(terms, now),
        OrderType.REMOVE_QUANTITY: lambda: _can_remove_seats(terms, now),
        OrderType.SUSPEND: lambda: check_suspend(terms),
        OrderType.REACTIVATE: lambda: check_reactivate(terms),
        OrderType.CANCEL: lambda: check_cancel(terms, now),
        OrderType.BILLING_ONLY_CANCEL: lambda: check_billing_only_cancel(terms),
        OrderType.ADD_ON: lambda: require_active(terms, "adding an add-on"),
        OrderType.UPGRADE: lambda: require_active(terms, "upgrading it"),
        # The shortest longer term: if even that is refused, every longer one is.
        OrderType.TERM_CHANGE: lambda: check_term_change(terms, (longer_terms or [terms.term])[0], now),
        OrderType.SCHEDULED_CHANGE: lambda: require_schedulable(terms),
        OrderType.AUTO_RENEW: lambda: check_auto_renew(terms, not terms.auto_renew),
        OrderType.FRIENDLY_NAME: lambda: require_live(terms, "renaming it"),
        OrderType.MID_CYCLE_PACKAGE_MIGRATION: lambda: require_active(
            terms, "migrating it to another package"
        ),
    }


def _can_add_seats(terms: SubscriptionTerms, now: datetime) -> None:
    require_quantity_changeable(terms)
    if terms.max_quantity is not None and terms.quantity >= terms.max_quantity:
        raise QuantityOutOfRange(
            f"The subscription already has the most seats the product allows, {seats(terms.max_quantity)}.",
            field="quantity",
        )
    check_quantity_change(terms, terms.quantity + 1, now)


def _can_remove_seats(terms: SubscriptionTerms, now: datetime) -> None:
    require_quantity_changeable(terms)
    if terms.quantity <= terms.min_quantity:
        raise QuantityOutOfRange(
            f"The subscription already has the fewest seats the product allows, {seats(terms.min_quantity)}.",
            field="quantity",
        )
    check_quantity_change(terms, terms.quantity - 1, now)
