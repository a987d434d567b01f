"""`/price-lists`: global and customer-specific price lists, their entries, and markup rules (C2).

Staff only: a list reveals margins, so a customer sees none (an empty list, a 404 for an id).
Amounts are decimal strings ("12.50"); entries hold either a `sale_price` or a `markup_percent`.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.responses import Status

from cspbroker.accounts import selectors as accounts
from cspbroker.api.auth import actor
from cspbroker.catalog import selectors, services
from cspbroker.catalog.models import MarkupRule, PriceList, PriceListEntry

router = Router(tags=["price-lists"])


class PriceListOut(Schema):
    id: int
    owner_id: int
    owner_name: str
    customer_id: int | None
    customer_name: str | None
    name: str
    currency: str
    is_global: bool
    entry_count: int


class EntryOut(Schema):
    id: int
    offer_id: int
    item_code: str
    product_title: str
    sku_title: str
    term: str
    billing_cycle: str
    sale_price: Decimal | None
    markup_percent: Decimal | None
    effective_from: date


class PriceListDetailOut(PriceListOut):
    entries: list[EntryOut]


class PriceListIn(Schema):
    owner_id: int
    name: str
    currency: str
    customer_id: int | None = None


class PriceListPatch(Schema):
    name: str | None = None
    currency: str | None = None


class EntryIn(Schema):
    offer_id: int
    effective_from: date
    sale_price: Decimal | None = None
    markup_percent: Decimal | None = None


class MarkupRuleOut(Schema):
    id: int
    owner_id: int
    owner_name: str
    category: str
    markup_percent: Decimal
    effective_from: date


class MarkupRuleIn(Schema):
    owner_id: int
    markup_percent: Decimal
    effective_from: date
    category: str = ""


def _list_out(price_list: PriceList, entry_count: int | None = None) -> dict[str, Any]:
    return {
        "id": price_list.pk,
        "owner_id": price_list.owner_id,
        "owner_name": price_list.owner.legal_name,
        "customer_id": price_list.customer_id,
        "customer_name": price_list.customer.legal_name if price_list.customer else None,
        "name": price_list.name,
        "currency": price_list.currency,
        "is_global": price_list.is_global,
        "entry_count": getattr(price_list, "entry_count", entry_count or 0),
    }


def _entry_out(entry: PriceListEntry) -> dict[str, Any]:
    offer = entry.offer
    return {
        "id": entry.pk,
        "offer_id": offer.pk,
        "item_code": offer.availability.catalog_item_id,
        "product_title": offer.availability.sku.product.title,
        "sku_title": offer.availability.sku.title,
        "term": offer.term,
        "billing_cycle": offer.billing_cycle,
        "sale_price": entry.sale_price,
        "markup_percent": entry.markup_percent,
        "effective_from": entry.effective_from,
    }


def _rule_out(rule: MarkupRule) -> dict[str, Any]:
    return {
        "id": rule.pk,
        "owner_id": rule.owner_id,
        "owner_name": rule.owner.legal_name,
        "category": rule.category,
        "markup_percent": rule.markup_percent,
        "effective_from": rule.effective_from,
    }


@router.get("/markup-rules", response=list[MarkupRuleOut], summary="Markup rules over cost (staff only)")
def list_markup_rules(request: HttpRequest) -> list[dict[str, Any]]:
    return [_rule_out(rule) for rule in selectors.markup_rules_for(actor(request))]


@router.post(
    "/markup-rules", response={201: MarkupRuleOut}, summary="Add a markup rule, optionally for one category"
)
def create_markup_rule(request: HttpRequest, body: MarkupRuleIn) -> Status[dict[str, Any]]:
    who = actor(request)
    accounts.organization_for(who, body.owner_id)  # 404 for an owner you cannot see
    rule = services.create_markup_rule(actor=who, **body.dict())
    return Status(201, _rule_out(rule))


@router.delete("/markup-rules/{rule_id}", response={204: None})
def delete_markup_rule(request: HttpRequest, rule_id: int) -> Status[None]:
    who = actor(request)
    rule = selectors.markup_rules_for(who).get(pk=rule_id)  # DoesNotExist → 404
    services.delete_markup_rule(actor=who, rule_id=rule.pk)
    return Status(204, None)


@router.get("", response=list[PriceListOut], summary="The price lists you may see (staff only)")
def list_price_lists(request: HttpRequest) -> list[dict[str, Any]]:
    return [_list_out(price_list) for price_list in selectors.price_lists_for(actor(request))]


@router.post(
    "", response={201: PriceListDetailOut}, summary="Create a global or a customer-specific price list"
)
def create_price_list(request: HttpRequest, body: PriceListIn) -> Status[dict[str, Any]]:
    who = actor(request)
    accounts.organization_for(who, body.owner_id)
    if body.customer_id is not None:
        accounts.organization_for(who, body.customer_id)
    price_list = services.create_price_list(actor=who, **body.dict())
    return Status(201, {**_list_out(price_list), "entries": []})


def _detail(who: Any, price_list_id: int) -> dict[str, Any]:
    price_list = selectors.price_list_for(who, price_list_id)
    return {**_list_out(price_list), "entries": [_entry_out(e) for e in selectors.entries_of(price_list)]}


@router.get("/{price_list_id}", response=PriceListDetailOut)
def get_price_list(request: HttpRequest, price_list_id: int) -> dict[str, Any]:
    return _detail(actor(request), price_list_id)


@router.patch(
    "/{price_list_id}",
    response=PriceListDetailOut,
    summary="Rename a list (or change its currency while empty)",
)
def update_price_list(request: HttpRequest, price_list_id: int, body: PriceListPatch) -> dict[str, Any]:
    who = actor(request)
    price_list = selectors.price_list_for(who, price_list_id)
    services.update_price_list(actor=who, price_list_id=price_list.pk, **body.dict(exclude_unset=True))
    return _detail(who, price_list.pk)


@router.post(
    "/{price_list_id}/entries",
    response={201: EntryOut},
    summary="Price an offer from a date on: a sale price or a markup % over cost (same date replaces)",
)
def create_entry(request: HttpRequest, price_list_id: int, body: EntryIn) -> Status[dict[str, Any]]:
    who = actor(request)
    price_list = selectors.price_list_for(who, price_list_id)
    entry = services.set_price_entry(actor=who, price_list_id=price_list.pk, **body.dict())
    return Status(201, _entry_out(selectors.entries_of(price_list).get(pk=entry.pk)))


@router.delete("/{price_list_id}/entries/{entry_id}", response={204: None})
def delete_entry(request: HttpRequest, price_list_id: int, entry_id: int) -> Status[None]:
    who = actor(request)
    price_list = selectors.price_list_for(who, price_list_id)
    entry = price_list.entries.get(pk=entry_id)
    services.delete_price_entry(actor=who, entry_id=entry.pk)
    return Status(204, None)
