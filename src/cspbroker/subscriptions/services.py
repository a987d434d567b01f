"""Writes on subscriptions that no provider call carries: the historic sales price (C4), staff's.

Buying and changing are orders (`provisioning.ordering`); renewals are `subscriptions.renewals`.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction

from cspbroker.accounts.access import Actor, may
from cspbroker.accounts.services import InvalidInput, PermissionDenied
from cspbroker.clock import platform_clock
from cspbroker.domain import ledger as ledger_rules
from cspbroker.domain.clock import Clock
from cspbroker.domain.parties import Action
from cspbroker.subscriptions import ledger
from cspbroker.subscriptions.models import Channel, LedgerEntry, LedgerKind, Subscription


def _price(value: Any) -> Decimal:
    try:
        price = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        raise InvalidInput(f"{value!r} is not a price.", field="unit_price", code="invalid_price") from None
    return ledger_rules.check_unit_price(price)


@transaction.atomic
def set_sale_price(
    *,
    actor: Actor,
    subscription_id: int,
    unit_price: Any,
    effective_from: date,
    channel: str = Channel.BACKOFFICE,
    clock: Clock | None = None,
) -> LedgerEntry:
    """C4: staff set the subscription's own unit price (per billing period) from a day on; billing uses
    it from that day, over the term's locked price. Earlier prices stay; the history says who changed what."""
    clock = clock or platform_clock
    subscription = (
        Subscription.objects.select_for_update(of=("self",))
        .select_related("tenant__customer__parent")
        .get(pk=subscription_id)
    )
    customer = subscription.tenant.customer
    if not (may(actor, Action.VIEW_COST, customer) and may(actor, Action.CHANGE, customer)):
        raise PermissionDenied("Only the customer's reseller or the operator sets a subscription's price.")
    price = _price(unit_price)
    if not isinstance(effective_from, date):
        raise InvalidInput("Give the day the price applies from.", field="effective_from")
    replaced = (
        LedgerEntry.objects.filter(
            subscription=subscription, kind=LedgerKind.PRICE, price_from=effective_from
        )
        .order_by("-id")
        .values_list("unit_price", flat=True)
        .first()
    )
    origin = ledger.Origin(source=channel, actor_ref=actor.ref, actor_label=actor.email)
    row = ledger.record_price(
        subscription,
        unit_price=price,
        currency=customer.currency,
        effective_from=effective_from,
        origin=origin,
        clock=clock,
    )
    ledger.record_event(
        subscription,
        at=clock.now(),
        actor_ref=actor.ref,
        actor_label=actor.email,
        channel=channel,
        kind="sale_price",
        old=None if replaced is None else f"{replaced.normalize():f} {customer.currency}",
        new=f"{price.normalize():f} {customer.currency} from {effective_from.isoformat()}",
        message="Historic sales price set.",
    )
    return row
