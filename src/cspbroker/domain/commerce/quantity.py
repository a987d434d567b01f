"""Changing the number of seats: increases any time, decreases only by seats still in their window."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cspbroker.domain.clock import require_aware
from cspbroker.domain.commerce.errors import (
    DecreaseOutsideWindow,
    InvalidQuantity,
    NoChange,
    QuantityOutOfRange,
    TrialQuantityFixed,
)
from cspbroker.domain.commerce.guards import require_active
from cspbroker.domain.commerce.terms import SeatLot, SubscriptionTerms
from cspbroker.domain.commerce.text import day_text, moment_text, seats
from cspbroker.domain.commerce.windows import open_lots, take_newest_first

SCHEDULED_CHANGE_CLEARED = "This change deletes the change scheduled for the renewal."


@dataclass(frozen=True, slots=True)
class QuantityChange:
    """An allowed change, with what it does besides the quantity."""

    previous_quantity: int
    new_quantity: int
    # Microsoft deletes the next-term instructions on any immediate change: the page warns first.
    clears_scheduled_change: bool
    lots_consumed: tuple[SeatLot, ...] = ()  # for a decrease: the seats removed, newest lot first
    # The lots still open afterwards, newest first (an increase's new lot: next_lots_after_increase).
    lots_remaining: tuple[SeatLot, ...] = ()

    @property
    def delta(self) -> int:
        return self.new_quantity - self.previous_quantity

    @property
    def is_increase(self) -> bool:
        return self.delta > 0

    @property
    def warning(self) -> str | None:
        return SCHEDULED_CHANGE_CLEARED if self.clears_scheduled_change else None


def require_quantity_changeable(terms: SubscriptionTerms) -> None:
    """The status and trial rules, before any number is looked at."""
    require_active(terms, "changing its quantity")
    if terms.is_trial:
        raise TrialQuantityFixed(
            f"A trial's quantity is fixed at {seats(terms.quantity)}: "
            "convert it to a paid subscription to change the number of seats.",
            field="quantity",
        )


def check_quantity_change(terms: SubscriptionTerms, new_quantity: int, now: datetime) -> QuantityChange:
    """Whether the quantity can become `new_quantity` now; raises the reason it cannot."""
    now = require_aware(now)
    require_whole_quantity(new_quantity)
    require_quantity_changeable(terms)
    if new_quantity == terms.quantity:
        raise NoChange(f"The subscription already has {seats(terms.quantity)}.", field="quantity")
    require_within_bounds(terms, new_quantity)
    lots = open_lots(terms, now)
    if new_quantity > terms.quantity:
        return QuantityChange(terms.quantity, new_quantity, terms.has_scheduled_change, (), lots)
    removing = terms.quantity - new_quantity
    refundable = min(sum(lot.quantity for lot in lots), terms.quantity)
    if removing > refundable:
        raise DecreaseOutsideWindow(_decrease_refused(terms, removing, refundable, now), field="quantity")
    consumed, remaining = take_newest_first(lots, removing)
    return QuantityChange(terms.quantity, new_quantity, terms.has_scheduled_change, consumed, remaining)


def require_whole_quantity(quantity: object) -> None:
    if isinstance(quantity, bool) or not isinstance(quantity, int):
        raise InvalidQuantity(f"A quantity is a whole number of seats, not {quantity!r}.", field="quantity")


def require_within_bounds(terms: SubscriptionTerms, quantity: int) -> None:
    """The product's minimum and maximum (Partner Center 2002)."""
    low, high = terms.min_quantity, terms.max_quantity
    if low <= quantity and (high is None or quantity <= high):
        return
    allowed = f"at least {seats(low)}" if high is None else f"between {low} and {seats(high)}"
    raise QuantityOutOfRange(f"The quantity must be {allowed}, not {quantity}.", field="quantity")


def _decrease_refused(terms: SubscriptionTerms, removing: int, refundable: int, now: datetime) -> str:
    closed = [lot for lot in terms.refundable_lots if lot.quantity and not lot.is_open(now)]
    if closed:
        last = max(closed, key=lambda lot: lot.allowed_until)
        added = f" added on {day_text(last.added_at.date(), now)}" if last.added_at else ""
        the = "the " if last.added_at else ""
        closed_at = moment_text(last.allowed_until, now)
        reason = f"the window for {the}{seats(last.quantity)}{added} closed on {closed_at}"
    else:
        reason = "seats can be removed only within the window after they were bought or renewed"
    if refundable == 0:
        renewal = day_text(terms.commitment_end, now)
        return (
            f"No seats can be removed now: {reason}. "
            f"Schedule a lower quantity for the renewal at the end of the term ({renewal}) instead."
        )
    still_open = "; ".join(
        f"{seats(lot.quantity)} reducible until {moment_text(lot.allowed_until, now)}"
        for lot in sorted(open_lots(terms, now), key=lambda lot: lot.allowed_until)
    )
    return f"Only {seats(refundable)} can still be removed, not {removing}: {reason} ({still_open})."
