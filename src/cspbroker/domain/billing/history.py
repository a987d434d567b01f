"""What billing is computed from: a subscription's terms, its quantity ledger, status changes and own prices.

Every date here is an `effective_on`: the day the change was made, in the reseller's time zone.
Charges are a pure function of this history (Kill Bill, Lago, zulip's LicenseLedger): nothing is
ever edited by hand, so recomputing never disagrees with what was billed before.

A history is a sequence of terms. Each term opens with a purchase (`new`), a renewal (`renew`) or a
trial's conversion to paid (`convert`) and locks its sale price and cost for its whole length, as new
commerce does; billing stops where the last term ends unless a renewal follows. A historic sales
price (C4, `prices`) set by staff wins over the term's locked price from its own day on.
"""

from __future__ import annotations

import dataclasses
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from functools import lru_cache
from itertools import pairwise
from typing import TypeVar

from cspbroker.domain.billing.errors import InvalidBillingHistory, MissingPrice
from cspbroker.domain.billing.lines import ChargeType
from cspbroker.domain.money import Money, currency_code
from cspbroker.domain.periods import Frequency, Period, add_months_clamped


class Status(StrEnum):
    ACTIVE = "active"
    # Microsoft keeps billing a suspended NCE subscription, so suspension changes no charge.
    SUSPENDED = "suspended"
    CANCELLED = "cancelled"
    # Cancelled for billing only: the service is managed elsewhere and we stop charging the customer.
    BILLING_CANCELLED = "billing_cancelled"
    EXPIRED = "expired"

    @property
    def ends_billing(self) -> bool:
        return self in _ENDING


_ENDING = frozenset({Status.CANCELLED, Status.BILLING_CANCELLED, Status.EXPIRED})


@dataclass(frozen=True, slots=True)
class QuantityChange:
    """The quantity became `quantity` (the new total) on `effective_on`.

    `refundable` says whether the provider accepted a decrease as a refund (inside the seats'
    cancellation window); it means nothing for an increase.
    """

    effective_on: date
    quantity: int
    refundable: bool = False


@dataclass(frozen=True, slots=True)
class StatusChange:
    """The subscription's status became `status` on `effective_on`.

    `refundable` says whether a cancellation was made inside the cancellation window; `full_refund`
    that it came within 24 hours of the term's start, when Microsoft refunds the whole charge.
    """

    effective_on: date
    status: Status
    refundable: bool = False
    full_refund: bool = False

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "status", Status(self.status))
        except ValueError:
            raise InvalidBillingHistory(
                f"{self.status!r} is not a subscription status.", field="status"
            ) from None


@dataclass(frozen=True, slots=True)
class PricePoint:
    """The sale price per unit and per billing period from `effective_from` on, where it came from, and
    (for a term's locked price) our cost per unit and period, which customers never see.

    The price is per billing period: a monthly price for monthly billing, an annual one for annual
    billing. Every charge line names the price it used.
    """

    effective_from: date
    unit_price: Money
    source: str
    unit_cost: Money | None = None


@dataclass(frozen=True, slots=True)
class Term:
    """One commitment term: from `start` for `months` months (0: a one-time purchase, which has none),
    billed every `frequency` (None: one-time), at the `price` locked when it started (None: not
    priced, refused when charged). Billing periods are counted from `anchor` (the subscription's
    billing anchor when the term starts on it or on a whole number of months after it, else `start`),
    so that a term ending on the 31st never drifts. A trial term is never charged.
    """

    start: date
    months: int
    frequency: Frequency | None
    price: PricePoint | None
    opening: ChargeType = ChargeType.NEW
    is_trial: bool = False
    anchor: date | None = None
    _offset: int = field(init=False, repr=False, compare=False, default=0)
    _end: date | None = field(init=False, repr=False, compare=False, default=None)

    def __post_init__(self) -> None:
        anchor = self.anchor or self.start
        offset = (self.start.year - anchor.year) * 12 + self.start.month - anchor.month
        if offset < 0 or add_months_clamped(anchor, offset) != self.start:
            anchor, offset = self.start, 0  # off the anchor's grid: the term counts from its own start
        object.__setattr__(self, "anchor", anchor)
        object.__setattr__(self, "_offset", offset)
        if self.frequency is None:
            if self.months != 0:
                raise InvalidBillingHistory("A one-time purchase has no term length.", field="terms")
        elif self.months < 1 or self.months % self.frequency.months:
            raise InvalidBillingHistory(
                f"A {self.months}-month term cannot be billed {self.frequency.value}.", field="terms"
            )
        if self.frequency is not None:
            object.__setattr__(self, "_end", add_months_clamped(anchor, offset + self.months))

    @property
    def end(self) -> date | None:
        """The day after the term's last day; None for a one-time purchase (it never ends)."""
        return self._end

    def first_period_after(self, day: date) -> int:
        """The number of the first period of this term that ends after `day` (0 before the term)."""
        if day <= self.start:
            return 0
        assert self.frequency is not None and self.anchor is not None
        months = self.frequency.months
        apart = (day.year - self.anchor.year) * 12 + day.month - self.anchor.month - self._offset
        number = max(apart // months, 0)
        # `day` lies in period `number` or the one before (when it comes before the clamped day).
        while number > 0 and self.period(number).start > day:
            number -= 1
        while number < self.period_count and self.period(number).end <= day:
            number += 1
        return number

    def period(self, number: int) -> Period:
        """Billing period `number` of this term (0 is its first), counted from the anchor."""
        assert self.frequency is not None and self.anchor is not None
        months = self.frequency.months
        return _period(self.anchor, self._offset + number * months, months)

    @property
    def period_count(self) -> int:
        return 0 if self.frequency is None else self.months // self.frequency.months

    def contains(self, day: date) -> bool:
        end = self._end
        return self.start <= day and (end is None or day < end)


# Subscriptions share anchors, so their periods repeat: each is built once.
@lru_cache(maxsize=1 << 16)
def _period(anchor: date, first: int, months: int) -> Period:
    return Period(add_months_clamped(anchor, first), add_months_clamped(anchor, first + months))


Change = QuantityChange | StatusChange | PricePoint
_Dated = TypeVar("_Dated", QuantityChange, StatusChange, PricePoint)


@dataclass(frozen=True, slots=True)
class SubscriptionHistory:
    """Everything billing needs to know about one subscription: its terms in order (each starting
    where or after the previous one ends), its quantity ledger, status changes and own prices (C4)."""

    subscription_id: int
    product: str
    currency: str
    terms: tuple[Term, ...]
    quantity_ledger: tuple[QuantityChange, ...]
    status_changes: tuple[StatusChange, ...] = ()
    prices: tuple[PricePoint, ...] = ()
    _price_days: tuple[date, ...] = field(init=False, repr=False, compare=False)
    _term_days: tuple[date, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Built for every subscription of every billing run: the checks are plain loops.
        assign = object.__setattr__
        assign(self, "currency", currency_code(self.currency))
        for name in ("terms", "quantity_ledger", "status_changes", "prices"):
            value = getattr(self, name)
            if type(value) is not tuple:
                assign(self, name, tuple(value))
        _check_in_order(self.quantity_ledger, "quantity_ledger")
        _check_in_order(self.status_changes, "status_changes")
        _check_in_order(self.prices, "prices")
        self._check_terms()
        for change in self.quantity_ledger:
            quantity = change.quantity
            if type(quantity) is not int or quantity < 0:
                raise InvalidBillingHistory(
                    f"A quantity is a whole number of licences, not {quantity!r}.", field="quantity_ledger"
                )
        for price in self.prices:
            self._check_price(price)
        for term in self.terms:
            if term.price is not None:
                self._check_price(term.price)
        assign(self, "_price_days", tuple(price.effective_from for price in self.prices))
        assign(self, "_term_days", tuple(term.start for term in self.terms))

    def _check_terms(self) -> None:
        for earlier, later in pairwise(self.terms):
            end = earlier.end
            if end is None or (later.start < end and not earlier.is_trial):
                raise InvalidBillingHistory(
                    f"The term from {later.start} starts before the one from {earlier.start} ends.",
                    field="terms",
                )
            if later.start < earlier.start:
                raise InvalidBillingHistory("The terms must be in date order.", field="terms")

    def _check_price(self, price: PricePoint) -> None:
        for amount in (price.unit_price, price.unit_cost):
            if amount is not None and (amount.currency != self.currency or amount.is_negative):
                raise InvalidBillingHistory(
                    f"The price {amount} from {price.effective_from} must be zero or more "
                    f"in {self.currency}.",
                    field="prices",
                )

    @property
    def billing_anchor(self) -> date | None:
        """The first day anything can be charged: the start of the first paid term (None: none yet)."""
        return next((term.start for term in self.terms if not term.is_trial), None)

    @property
    def billing_frequency(self) -> Frequency | None:
        """The frequency of the first paid term (None for a one-time purchase or a trial)."""
        return next((term.frequency for term in self.terms if not term.is_trial), None)

    @property
    def is_one_time(self) -> bool:
        return bool(self.terms) and all(term.frequency is None for term in self.terms)

    def term_on(self, day: date) -> Term | None:
        """The term in force on `day` (a trial's conversion replaces the trial from its day)."""
        index = bisect_right(self._term_days, day)
        if index == 0:
            return None
        term = self.terms[index - 1]
        return term if term.contains(day) else None

    def price_on(self, day: date) -> PricePoint:
        """The sale price on `day`: the term's locked price, or a later historic sales price (C4) of the
        subscription's own; the latest dated on or before `day` wins, C4 on a tie."""
        term = self.term_on(day)
        index = bisect_right(self._price_days, day)
        own = self.prices[index - 1] if index else None
        locked = term.price if term is not None else None
        if own is not None and (locked is None or own.effective_from >= locked.effective_from):
            return own
        if locked is None:
            raise MissingPrice(
                f"Subscription {self.subscription_id} ({self.product}) has no sale price on {day}.",
                field="prices",
            )
        return locked

    def cost_on(self, day: date) -> Money | None:
        """Our cost per unit and period on `day`: the term's locked cost (C4 prices change only the sale)."""
        term = self.term_on(day)
        return term.price.unit_cost if term is not None and term.price is not None else None

    def quantity_on(self, day: date) -> int:
        """The quantity in force at the end of `day` (zero before the first entry)."""
        index = bisect_right([change.effective_on for change in self.quantity_ledger], day)
        return self.quantity_ledger[index - 1].quantity if index else 0

    def billing_ended_by(self, day: date) -> bool:
        """Whether a cancellation or expiry dated `day` or earlier, or the last term's end, ended billing."""
        if any(change.status.ends_billing for change in self.status_changes if change.effective_on <= day):
            return True
        return bool(self.terms) and self.term_on(day) is None and day >= self.terms[0].start

    def with_change(self, change: Change) -> SubscriptionHistory:
        """This history with `change` added after every entry of the same day (ledger order)."""
        if isinstance(change, QuantityChange):
            return dataclasses.replace(self, quantity_ledger=_inserted(self.quantity_ledger, change))
        if isinstance(change, StatusChange):
            return dataclasses.replace(self, status_changes=_inserted(self.status_changes, change))
        return dataclasses.replace(self, prices=_inserted(self.prices, change))

    def with_term(self, term: Term) -> SubscriptionHistory:
        """This history with a renewal `term` appended (a preview of a renewal not recorded yet)."""
        return dataclasses.replace(self, terms=(*self.terms, term))


def _day(entry: QuantityChange | StatusChange | PricePoint) -> date:
    return entry.effective_from if isinstance(entry, PricePoint) else entry.effective_on


def _check_in_order(entries: Sequence[QuantityChange | StatusChange | PricePoint], name: str) -> None:
    # Same-day entries keep their order (ledger order); only going back in time is a mistake.
    if len(entries) < 2:
        return
    for earlier, later in pairwise(entries):
        if _day(later) < _day(earlier):
            raise InvalidBillingHistory(
                f"The {name} must be in date order: {_day(later)} comes after {_day(earlier)}.", field=name
            )


def _inserted(entries: tuple[_Dated, ...], entry: _Dated) -> tuple[_Dated, ...]:
    index = bisect_right([_day(existing) for existing in entries], _day(entry))
    inserted = list(entries)
    inserted.insert(index, entry)
    return tuple(inserted)
