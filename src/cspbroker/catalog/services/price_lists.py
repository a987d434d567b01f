"""Price lists and markup rules (C2): one use case per function, each in one transaction.

Who may write: whoever administers the list's owner (operator admin, reseller admin). A
customer-specific list may also be kept by the reseller's staff who serve that customer (they see
cost and may change the customer's services). Customers never: they neither see nor write lists.
Values are checked by the domain's own `PriceEntry` / `MarkupRule`, so a page, the API and the
pricing engine agree on what a valid entry is.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import transaction

from cspbroker.accounts.access import Actor, may
from cspbroker.accounts.models import Organization
from cspbroker.accounts.services import InvalidInput, PermissionDenied
from cspbroker.catalog.models import MarkupRule, Offer, PriceList, PriceListEntry
from cspbroker.catalog.pricing import price_key, price_source
from cspbroker.domain import pricing
from cspbroker.domain.money import Money, currency_code
from cspbroker.domain.parties import Action, OrganizationKind

# A sale price stays below the ledger's bound (domain.ledger.MAX_UNIT_PRICE): a term locks it.
_MAX_INTEGER_DIGITS = {"sale_price": 9, "markup_percent": 4}
_MAX_DECIMALS = {"sale_price": 6, "markup_percent": 3}


def may_manage(actor: Actor, owner: Organization, customer: Organization | None = None) -> bool:
    """Whether `actor` may write the lists of `owner` (for `customer`, when the list is one customer's)."""
    if may(actor, Action.ADMINISTER, owner):
        return True
    return (
        customer is not None
        and may(actor, Action.VIEW_COST, customer)
        and may(actor, Action.CHANGE, customer)
    )


def _check_manage(actor: Actor, owner: Organization, customer: Organization | None = None) -> None:
    if not may_manage(actor, owner, customer):
        raise PermissionDenied(f"You may not change the prices of {owner.legal_name}.")


def _price_owner(owner_id: int) -> Organization:
    owner = Organization.objects.select_for_update().get(pk=owner_id)
    if owner.kind == OrganizationKind.CUSTOMER:
        raise InvalidInput(
            "Prices are set by the operator or a reseller, not by a customer.", field="owner_id"
        )
    return owner


def _name(value: str) -> str:
    name = (value or "").strip()
    if not 1 <= len(name) <= 100:
        raise InvalidInput("Give the price list a name of 1 to 100 characters.", field="name")
    return name


def _decimal(value: Decimal | None, field: str) -> Decimal | None:
    if value is None:
        return None
    if not isinstance(value, Decimal) or not value.is_finite():
        raise InvalidInput(f"{field.replace('_', ' ').capitalize()} must be a number.", field=field)
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)
    if -exponent > _MAX_DECIMALS[field] or value.adjusted() >= _MAX_INTEGER_DIGITS[field]:
        raise InvalidInput(
            f"{field.replace('_', ' ').capitalize()} may have at most {_MAX_INTEGER_DIGITS[field]} digits "
            f"before and {_MAX_DECIMALS[field]} after the decimal point.",
            field=field,
        )
    return value


@transaction.atomic
def create_price_list(
    *, actor: Actor, owner_id: int, name: str, currency: str, customer_id: int | None = None
) -> PriceList:
    """A global list (one per owner and currency) or, with `customer_id`, a list for one customer."""
    owner = _price_owner(owner_id)
    customer = None
    if customer_id is not None:
        customer = Organization.objects.get(pk=customer_id)
        if customer.kind != OrganizationKind.CUSTOMER or customer.parent_id != owner.pk:
            raise InvalidInput(
                f"{customer.legal_name} is not a customer of {owner.legal_name}; its prices are set by the "
                "organisation it belongs to.",
                field="customer_id",
            )
    _check_manage(actor, owner, customer)
    name = _name(name)
    code = currency_code(currency)
    if customer is not None and code != customer.currency:
        raise InvalidInput(
            f"{customer.legal_name} is billed in {customer.currency}; its price list must be in "
            f"{customer.currency}.",
            field="currency",
        )
    if (
        customer is None
        and PriceList.objects.filter(owner=owner, customer__isnull=True, currency=code).exists()
    ):
        raise InvalidInput(f"{owner.legal_name} already has a global price list in {code}.", field="currency")
    if PriceList.objects.filter(owner=owner, name=name).exists():
        raise InvalidInput(f"{owner.legal_name} already has a price list named “{name}”.", field="name")
    return PriceList.objects.create(owner=owner, customer=customer, name=name, currency=code)


@transaction.atomic
def update_price_list(
    *, actor: Actor, price_list_id: int, name: str | None = None, currency: str | None = None
) -> PriceList:
    """Rename a list; its currency may change only while it has no entries."""
    price_list = (
        PriceList.objects.select_for_update(of=("self",))
        .select_related("owner", "customer")
        .get(pk=price_list_id)
    )
    _check_manage(actor, price_list.owner, price_list.customer)
    if name is not None:
        name = _name(name)
        if PriceList.objects.filter(owner=price_list.owner, name=name).exclude(pk=price_list.pk).exists():
            raise InvalidInput(
                f"{price_list.owner.legal_name} already has a price list named “{name}”.", field="name"
            )
        price_list.name = name
    if currency is not None and currency_code(currency) != price_list.currency:
        code = currency_code(currency)
        if price_list.entries.exists():
            raise InvalidInput(
                "The currency of a list with entries cannot change; start a new list.", field="currency"
            )
        if price_list.customer is not None and code != price_list.customer.currency:
            raise InvalidInput(
                f"{price_list.customer.legal_name} is billed in {price_list.customer.currency}.",
                field="currency",
            )
        clash = PriceList.objects.filter(owner=price_list.owner, customer__isnull=True, currency=code)
        if price_list.is_global and clash.exists():
            raise InvalidInput(
                f"{price_list.owner.legal_name} already has a global price list in {code}.", field="currency"
            )
        price_list.currency = code
    price_list.save()
    return price_list


def _sold_by(offer_id: int, owner: Organization) -> Offer:
    offer = Offer.objects.select_related("availability__sku__product__connection").get(pk=offer_id)
    if offer.availability.sku.product.connection.organization_id not in owner.ancestry:
        raise InvalidInput(f"{offer} is not in the catalog of {owner.legal_name}.", field="offer_id")
    return offer


@transaction.atomic
def set_price_entry(
    *,
    actor: Actor,
    price_list_id: int,
    offer_id: int,
    effective_from: date,
    sale_price: Decimal | None = None,
    markup_percent: Decimal | None = None,
) -> PriceListEntry:
    """Price an offer from a date on, by a sale price or a markup % over cost; the same date replaces."""
    price_list = (
        PriceList.objects.select_for_update(of=("self",))
        .select_related("owner", "customer")
        .get(pk=price_list_id)
    )
    _check_manage(actor, price_list.owner, price_list.customer)
    offer = _sold_by(offer_id, price_list.owner)
    sale_price = _decimal(sale_price, "sale_price")
    markup_percent = _decimal(markup_percent, "markup_percent")
    pricing.PriceEntry(  # raises InvalidPriceEntry (both, neither, negative, not a date) with its field
        key=price_key(offer),
        sale_price=None if sale_price is None else Money(sale_price, price_list.currency),
        markup_percent=markup_percent,
        effective_from=effective_from,
        source=price_source(price_list),
    )
    entry, _ = PriceListEntry.objects.update_or_create(
        price_list=price_list,
        offer=offer,
        effective_from=effective_from,
        defaults={"sale_price": sale_price, "markup_percent": markup_percent},
    )
    return entry


@transaction.atomic
def delete_price_entry(*, actor: Actor, entry_id: int) -> None:
    entry = PriceListEntry.objects.select_related("price_list__owner", "price_list__customer").get(
        pk=entry_id
    )
    _check_manage(actor, entry.price_list.owner, entry.price_list.customer)
    entry.delete()


@transaction.atomic
def create_markup_rule(
    *, actor: Actor, owner_id: int, markup_percent: Decimal, effective_from: date, category: str = ""
) -> MarkupRule:
    """A markup over cost for whatever no list prices, for everything or for one category."""
    owner = _price_owner(owner_id)
    _check_manage(actor, owner)
    category = (category or "").strip()
    markup = _decimal(markup_percent, "markup_percent")
    if markup is None:
        raise InvalidInput("Give a markup %.", field="markup_percent")
    pricing.MarkupRule(
        markup_percent=markup,
        effective_from=effective_from,
        source=pricing.PriceSource(pricing.PriceSourceKind.MARKUP_RULE, "new", category or "all products"),
    )
    if MarkupRule.objects.filter(owner=owner, category=category, effective_from=effective_from).exists():
        raise InvalidInput(
            f"A markup rule for {category or 'all products'} from {effective_from.isoformat()} exists "
            "already.",
            field="effective_from",
        )
    return MarkupRule.objects.create(
        owner=owner, category=category, markup_percent=markup, effective_from=effective_from
    )


@transaction.atomic
def delete_markup_rule(*, actor: Actor, rule_id: int) -> None:
    rule = MarkupRule.objects.select_related("owner").get(pk=rule_id)
    _check_manage(actor, rule.owner)
    rule.delete()
