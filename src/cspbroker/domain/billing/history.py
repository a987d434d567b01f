"""What billing is computed from: a subscription's quantity ledger, status changes and sale prices.

Every date here is an `effective_on`: the day the change was made, in the reseller's time zone.
Charges are a pure function of this history (Kill Bill, Lago, zulip's LicenseLedger): nothing is
ever edited by hand, so recomputing never disagrees with what was billed before.
"""

from __future__ import annotations

import dataclasses
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from itertools import pairwise
from typing import TypeVar

from cspbroker.domain.billing.errors import InvalidBillingHistory, MissingPrice
from cspbroker.domain.money import Money, currency_code
from cspbroker.domain.periods import Frequency


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

    `refundable` says whether a cancellation was made inside the cancellation window.
    """

    effective_on: date
    status: Status
    refundable: bool = False

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "status", Status(self.status))
        except ValueError:
            raise InvalidBillingHistory(
                f"{self.status!r} is not a subscription status.", field="status"
            ) from None


@dataclass(frozen=True, slots=True)
class PricePoint:
    """The sale price per unit and per billing period from `effective_from` on, and where it came from.

    The price is per billing period: a monthly price for monthly billing, an annual one for annual
    billing. Past a subscription's own price history the caller passes the price list's resolution
    here too, with its source, so that every charge line names the price it used.
    """

    effective_from: date
    unit_price: Money
    source: str


Change = QuantityChange | StatusChange | PricePoint
_Dated = TypeVar("_Dated", QuantityChange, StatusChange, PricePoint)


@dataclass(frozen=True, slots=True)
class SubscriptionHistory:
    """Everything billing needs to know about one subscription.

    `billing_frequency` None means a one-time purchase (perpetual software). A trial
    (`is_trial`) is never charged for its trial days; once converted it is billed as a new
    purchase anchored on `converted_from_trial_on`.
    """

    subscription_id: int
    product: str
    currency: str
    start: date
    billing_frequency: Frequency | None
    term_months: int
    is_trial: bool
    quantity_ledger: tuple[QuantityChange, ...]
    status_changes: tuple[StatusChange, ...] = ()
    prices: tuple[PricePoint, ...] = ()
    converted_from_trial_on: date | None = None
    _price_days: tuple[date, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "currency", currency_code(self.currency))
        object.__setattr__(self, "quantity_ledger", tuple(self.quantity_ledger))
        object.__setattr__(self, "status_changes", tuple(self.status_changes))
        object.__setattr__(self, "prices", tuple(self.prices))
        self._check_terms()
        _check_in_order(self.quantity_ledger, "quantity_ledger")
        _check_in_order(self.status_changes, "status_changes")
        _check_in_order(self.prices, "prices")
        for change in self.quantity_ledger:
            if (
                isinstance(change.quantity, bool)
                or not isinstance(change.quantity, int)
                or change.quantity < 0
            ):
                raise InvalidBillingHistory(
                    f"A quantity is a whole number of licences, not {change.quantity!r}.",
                    field="quantity_ledger",
                )
        for price in self.prices:
            if price.unit_price.currency != self.currency or price.unit_price.is_negative:
                raise InvalidBillingHistory(
                    f"The price {price.unit_price} from {price.effective_from} must be zero or more "
                    f"in {self.currency}.",
                    field="prices",
                )
        object.__setattr__(self, "_price_days", tuple(price.effective_from for price in self.prices))

    def _check_terms(self) -> None:
        frequency = self.billing_frequency
        if frequency is not None and (self.term_months < 1 or self.term_months % frequency.months):
            raise InvalidBillingHistory(
                f"A {self.term_months}-month term cannot be billed {frequency.value}.", field="term_months"
            )
        converted = self.converted_from_trial_on
        if converted is not None and (not self.is_trial or converted < self.start):
            raise InvalidBillingHistory(
                "Only a trial converts to paid, on or after the day it started.",
                field="converted_from_trial_on",
            )

    @property
    def billing_anchor(self) -> date | None:
        """The day billing periods and terms are counted from; None while it is an unconverted trial."""
        if not self.is_trial:
            return self.start
        return self.converted_from_trial_on

    def price_on(self, day: date) -> PricePoint:
        """The price in force on `day`: the latest from that day or before (a later entry wins a tie)."""
        index = bisect_right(self._price_days, day)
        if index == 0:
            raise MissingPrice(
                f"Subscription {self.subscription_id} ({self.product}) has no sale price on {day}.",
                field="prices",
            )
        return self.prices[index - 1]

    def quantity_on(self, day: date) -> int:
        """The quantity in force at the end of `day` (zero before the first entry)."""
        index = bisect_right([change.effective_on for change in self.quantity_ledger], day)
        return self.quantity_ledger[index - 1].quantity if index else 0

    def billing_ended_by(self, day: date) -> bool:
        """Whether a cancellation or expiry dated `day` or earlier has ended billing."""
        return any(change.status.ends_billing for change in self.status_changes if change.effective_on <= day)

    def with_change(self, change: Change) -> SubscriptionHistory:
        """This history with `change` added after every entry of the same day (ledger order)."""
        if isinstance(change, QuantityChange):
            return dataclasses.replace(self, quantity_ledger=_inserted(self.quantity_ledger, change))
        if isinstance(change, StatusChange):
            return dataclasses.replace(self, status_changes=_inserted(self.status_changes, change))
        return dataclasses.replace(self, prices=_inserted(self.prices, change))


def _day(entry: QuantityChange | StatusChange | PricePoint) -> date:
    return entry.effective_from if isinstance(entry, PricePoint) else entry.effective_on


def _check_in_order(entries: Sequence[QuantityChange | StatusChange | PricePoint], name: str) -> None:
    # Same-day entries keep their order (ledger order); only going back in time is a mistake.
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
