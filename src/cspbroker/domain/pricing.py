"""Which sale price applies, where it came from, and what it leaves as margin (features C2, C3, C4).

A price is looked up for one availability, term and billing cycle on one day, in a fixed order:

1. the subscription's own historic sales price, when one was set from a date on or before the day (C4);
2. the customer's price list;
3. the reseller's global price list;
4. the markup rule that fits best, applied to the cost;
5. otherwise the price is refused: selling at an unknown price is never a default.

Within a list the entry with the latest `effective_from` on or before the day wins. A list entry
holds either a sale price or a markup % over cost; a markup is applied to the exact cost and rounded
once, by `Money.rounded`, to the currency's minor unit. Every result carries its `PriceSource`, which
billing lines keep, and two explanations: one for staff with cost and margin, one for customers
without them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from typing import Final

from cspbroker.domain.errors import DomainError
from cspbroker.domain.money import Money, currency_code
from cspbroker.domain.periods import Frequency

_HUNDRED: Final = Fraction(100)


class PricingError(DomainError):
    code = "pricing_error"


class NoPrice(PricingError):
    code = "no_price"


class PriceCurrencyMismatch(PricingError):
    code = "price_currency_mismatch"


class CostUnknown(PricingError):
    code = "cost_unknown"


class AmbiguousPrice(PricingError):
    code = "ambiguous_price"


class InvalidPriceEntry(PricingError):
    code = "invalid_price_entry"


class InvalidQuantity(PricingError):
    code = "invalid_quantity"


class PriceSourceKind(StrEnum):
    CUSTOMER_LIST = "customer_list"
    RESELLER_LIST = "reseller_list"
    MARKUP_RULE = "markup_rule"
    SUBSCRIPTION_PRICE = "subscription_price"

    @property
    def label(self) -> str:
        return _KIND_LABELS[self]


_KIND_LABELS = {
    PriceSourceKind.CUSTOMER_LIST: "customer price list",
    PriceSourceKind.RESELLER_LIST: "reseller price list",
    PriceSourceKind.MARKUP_RULE: "markup rule",
    PriceSourceKind.SUBSCRIPTION_PRICE: "subscription's own price",
}


@dataclass(frozen=True, slots=True)
class PriceSource:
    """Where a price came from: the list, rule or subscription (its id and name), kept on billing lines."""

    kind: PriceSourceKind
    id: str
    name: str

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "kind", PriceSourceKind(self.kind))
        except ValueError:
            kinds = ", ".join(kind.value for kind in PriceSourceKind)
            raise InvalidPriceEntry(
                f"{self.kind!r} is not a kind of price source ({kinds}).", field="source"
            ) from None

    def __str__(self) -> str:
        return f"{self.kind.label} “{self.name}”" if self.name else self.kind.label


@dataclass(frozen=True, slots=True)
class PriceKey:
    """What a price is for: Partner Center's availability id, term ("P1Y") and billing cycle ("annual")."""

    availability_id: str
    term: str
    billing_cycle: str

    def __post_init__(self) -> None:
        for name in ("availability_id", "term", "billing_cycle"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value.strip():
                raise InvalidPriceEntry(f"A price needs a {name.replace('_', ' ')}.", field=name)
        object.__setattr__(self, "availability_id", self.availability_id.strip())
        object.__setattr__(self, "term", self.term.strip().upper())
        object.__setattr__(self, "billing_cycle", self.billing_cycle.strip().lower())

    def __str__(self) -> str:
        return f"{self.availability_id} ({self.term}, billed {self.billing_cycle})"


def _check_day(value: object, name: str) -> None:
    if not isinstance(value, date) or isinstance(value, datetime):
        raise InvalidPriceEntry(f"The {name.replace('_', ' ')} must be a date, not {value!r}.", field=name)


def _check_markup(markup_percent: object) -> None:
    if not isinstance(markup_percent, Decimal) or not markup_percent.is_finite():
        raise InvalidPriceEntry(
            f"A markup is a Decimal percentage such as Decimal('15'), not {markup_percent!r}.",
            field="markup_percent",
        )
    if markup_percent < -100:
        raise InvalidPriceEntry(
            f"A markup of {markup_percent} % would make the price negative.", field="markup_percent"
        )


@dataclass(frozen=True, slots=True)
class PriceEntry:
    """One line of a price list: a sale price or a markup % over cost, from a date on."""

    key: PriceKey
    sale_price: Money | None
    markup_percent: Decimal | None
    effective_from: date
    source: PriceSource

    def __post_init__(self) -> None:
        if (self.sale_price is None) == (self.markup_percent is None):
            raise InvalidPriceEntry(
                f"A price list entry for {self.key} needs either a sale price or a markup %, not "
                f"{'both' if self.sale_price is not None else 'neither'}.",
                field="sale_price",
            )
        if self.sale_price is not None and self.sale_price.is_negative:
            raise InvalidPriceEntry(
                f"A sale price cannot be negative ({self.sale_price}).", field="sale_price"
            )
        if self.markup_percent is not None:
            _check_markup(self.markup_percent)
        _check_day(self.effective_from, "effective_from")


@dataclass(frozen=True, slots=True)
class MarkupFilter:
    """Which prices a markup rule covers; an empty filter covers everything, each set field narrows it."""

    category: str | None = None
    billing_cycle: str | None = None
    term: str | None = None

    @property
    def specificity(self) -> int:
        return sum(value is not None for value in (self.category, self.billing_cycle, self.term))

    def covers(self, key: PriceKey, category: str | None) -> bool:
        return (
            _same(self.category, category)
            and _same(self.billing_cycle, key.billing_cycle)
            and _same(self.term, key.term)
        )

    def __str__(self) -> str:
        parts = [
            f"{name.replace('_', ' ')} {value}"
            for name, value in (
                ("category", self.category),
                ("billing_cycle", self.billing_cycle),
                ("term", self.term),
            )
            if value is not None
        ]
        return ", ".join(parts) or "all products"


def _same(wanted: str | None, actual: str | None) -> bool:
    return wanted is None or (actual is not None and wanted.strip().casefold() == actual.strip().casefold())


@dataclass(frozen=True, slots=True)
class MarkupRule:
    """A markup % over cost for whatever has no list price; the most specific rule covering a price wins."""

    markup_percent: Decimal
    effective_from: date
    source: PriceSource
    applies_to: MarkupFilter = field(default_factory=MarkupFilter)

    def __post_init__(self) -> None:
        _check_markup(self.markup_percent)
        _check_day(self.effective_from, "effective_from")


@dataclass(frozen=True, slots=True)
class ResolvedPrice:
    """A sale price with its source; `explanation` is for staff, `customer_explanation` has no cost."""

    unit_price: Money
    source: PriceSource
    cost: Money | None
    margin: Money | None
    margin_percent: Decimal | None
    explanation: str
    customer_explanation: str
    key: PriceKey
    effective_from: date

    def for_customer(self) -> ResolvedPrice:
        """The same price with cost and margin removed: what a customer may see (C3)."""
        return replace(
            self, cost=None, margin=None, margin_percent=None, explanation=self.customer_explanation
        )


def resolve_sale_price(
    key: PriceKey,
    *,
    on: date,
    cost: Money | None,
    customer_entries: Iterable[PriceEntry],
    reseller_entries: Iterable[PriceEntry],
    markup_rules: Iterable[MarkupRule],
    currency: str,
    category: str | None = None,
    subscription_history: Sequence[tuple[date, Money]] = (),
    subscription_id: str = "",
) -> ResolvedPrice:
    """The sale price of `key` on `on` for a customer billed in `currency` (see the module docstring)."""
    _check_day(on, "on")
    currency = currency_code(currency)
    if cost is not None and cost.currency != currency:
        raise PriceCurrencyMismatch(
            f"The cost of {key} is in {cost.currency}, but the customer is billed in {currency}; "
            "a margin cannot be computed across currencies.",
            field="cost",
        )
    historic = _latest_history_entry(subscription_history, on)
    if historic is not None:
        source = PriceSource(PriceSourceKind.SUBSCRIPTION_PRICE, subscription_id, "historic sales price")
        return _fixed_price(key, historic[1], historic[0], source, cost, currency)
    for entries in (customer_entries, reseller_entries):
        entry = _latest_entry(entries, key, on)
        if entry is not None:
            return _from_entry(entry, on, cost, currency)
    rule = _best_rule(markup_rules, key, category, on)
    if rule is None or cost is None:
        reason = "no markup rule" if rule is None else f"the {rule.source} needs the cost, which is unknown"
        raise NoPrice(
            f"No price for {key} on {on.isoformat()}: no customer or reseller price list entry and {reason}.",
            field="price",
        )
    price, working = _marked_up(cost, rule.markup_percent)
    scope = f" ({rule.applies_to})" if rule.applies_to.specificity else ""
    return _result(
        key,
        price,
        rule.effective_from,
        rule.source,
        cost,
        staff=f"{_capitalised(rule.source)}{scope} from {rule.effective_from.isoformat()}: {working}",
    )


def _latest_entry(entries: Iterable[PriceEntry], key: PriceKey, on: date) -> PriceEntry | None:
    latest: list[PriceEntry] = []
    for entry in entries:
        if entry.key != key or entry.effective_from > on:
            continue
        if not latest or entry.effective_from > latest[0].effective_from:
            latest = [entry]
        elif entry.effective_from == latest[0].effective_from and entry not in latest:
            latest.append(entry)
    if len(latest) > 1:
        raise AmbiguousPrice(
            f"The {latest[0].source} has {len(latest)} different entries for {key} from "
            f"{latest[0].effective_from.isoformat()}; keep one.",
            field="price",
        )
    return latest[0] if latest else None


def _best_rule(
    rules: Iterable[MarkupRule], key: PriceKey, category: str | None, on: date
) -> MarkupRule | None:
    best: list[MarkupRule] = []
    rank: tuple[int, date] | None = None
    for rule in rules:
        if rule.effective_from > on or not rule.applies_to.covers(key, category):
            continue
        rule_rank = (rule.applies_to.specificity, rule.effective_from)
        if rank is None or rule_rank > rank:
            best, rank = [rule], rule_rank
        elif rule_rank == rank and rule not in best:
            best.append(rule)
    if len(best) > 1:
        names = ", ".join(f"“{rule.source.name or rule.source.id}”" for rule in best[:-1])
        raise AmbiguousPrice(
            f"The markup rules {names} and “{best[-1].source.name or best[-1].source.id}” cover {key} "
            f"from {best[0].effective_from.isoformat()} equally; narrow one of them or change its date.",
            field="markup_rules",
        )
    return best[0] if best else None


def _from_entry(entry: PriceEntry, on: date, cost: Money | None, currency: str) -> ResolvedPrice:
    if entry.sale_price is not None:
        return _fixed_price(entry.key, entry.sale_price, entry.effective_from, entry.source, cost, currency)
    assert entry.markup_percent is not None, "an entry holds a sale price or a markup"
    if cost is None:
        raise CostUnknown(
            f"The {entry.source} prices {entry.key} at a markup of {entry.markup_percent} % over cost from "
            f"{entry.effective_from.isoformat()}, but the cost on {on.isoformat()} is unknown.",
            field="cost",
        )
    price, working = _marked_up(cost, entry.markup_percent)
    return _result(
        entry.key,
        price,
        entry.effective_from,
        entry.source,
        cost,
        staff=f"{_capitalised(entry.source)} from {entry.effective_from.isoformat()}: {working}",
    )


def _fixed_price(
    key: PriceKey, price: Money, effective_from: date, source: PriceSource, cost: Money | None, currency: str
) -> ResolvedPrice:
    if price.currency != currency:
        raise PriceCurrencyMismatch(
            f"The {source} prices {key} in {price.currency}, but the customer is billed in {currency}.",
            field="currency",
        )
    return _result(
        key,
        price,
        effective_from,
        source,
        cost,
        staff=f"{_capitalised(source)} from {effective_from.isoformat()}: {price}",
    )


def _marked_up(cost: Money, markup_percent: Decimal) -> tuple[Money, str]:
    price = (cost.exact() * (1 + Fraction(markup_percent) / _HUNDRED)).rounded()
    return price, f"cost {cost} + {markup_percent} % = {price}"


def _result(
    key: PriceKey, price: Money, effective_from: date, source: PriceSource, cost: Money | None, *, staff: str
) -> ResolvedPrice:
    margin = None if cost is None else price - cost
    margin_percent = None if margin is None else margin_percent_of(price, margin)
    if margin is not None:
        shown = "n/a" if margin_percent is None else f"{margin_percent} %"
        staff += f"; margin {margin} ({shown})"
    return ResolvedPrice(
        unit_price=price,
        source=source,
        cost=cost,
        margin=margin,
        margin_percent=margin_percent,
        explanation=staff,
        customer_explanation=f"{price} per unit, price effective {effective_from.isoformat()}",
        key=key,
        effective_from=effective_from,
    )


def _capitalised(source: PriceSource) -> str:
    text = str(source)
    return text[:1].upper() + text[1:]


def margin_percent_of(sale: Money, margin: Money) -> Decimal | None:
    """margin / sale × 100 to two decimals, half away from zero; None when the sale price is zero."""
    if sale.is_zero:
        return None
    scaled = Fraction(margin.amount) / Fraction(sale.amount) * _HUNDRED * 100
    hundredths, remainder = divmod(abs(scaled.numerator), scaled.denominator)
    if 2 * remainder >= scaled.denominator:
        hundredths += 1
    return Decimal(-hundredths if scaled < 0 else hundredths).scaleb(-2)


def _latest_history_entry(history: Sequence[tuple[date, Money]], on: date) -> tuple[date, Money] | None:
    latest: tuple[date, Money] | None = None
    for effective_from, unit_price in history:
        _check_day(effective_from, "effective_from")
        # `>=`: the history is a log, so of two prices set from the same day the later one wins.
        if effective_from <= on and (latest is None or effective_from >= latest[0]):
            latest = (effective_from, unit_price)
    return latest


def subscription_price_on(history: Sequence[tuple[date, Money]], on: date) -> Money | None:
    """A subscription's own sales price on `on` (C4): the latest set from a day on or before it."""
    _check_day(on, "on")
    latest = _latest_history_entry(history, on)
    return None if latest is None else latest[1]


def _check_quantity(quantity: object) -> int:
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 0:
        raise InvalidQuantity(
            f"A quantity is a whole number of zero or more, not {quantity!r}.", field="quantity"
        )
    return quantity


def quote(resolved: ResolvedPrice, quantity: int) -> Money:
    """The price of `quantity` units for one billing period, rounded once."""
    return (resolved.unit_price * _check_quantity(quantity)).rounded()


def monthly_cost(unit_price: Money, quantity: int, billing_cycle: str) -> Money:
    """What `quantity` units cost a month: an annual price / 12, a triennial one / 36, rounded once."""
    months = Frequency.from_billing_cycle(str(billing_cycle)).months
    return (unit_price * Fraction(_check_quantity(quantity), months)).rounded()


def monthly_equivalent(resolved: ResolvedPrice, quantity: int) -> Money:
    """The new monthly cost shown before a quantity change is confirmed (S2)."""
    return monthly_cost(resolved.unit_price, quantity, resolved.key.billing_cycle)
