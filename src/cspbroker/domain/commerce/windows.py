"""Windows: how long a subscription can still be cancelled, and which seats can still be removed.

Every window comes from the provider: `cancellationAllowedUntilDate` for the subscription, and one
`refundableQuantity.details[].allowedUntilDateTime` per lot of seats. Only the preview of a purchase
that has not happened yet (`next_lots_after_increase`) assumes a length, `DEFAULT_WINDOW`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from cspbroker.domain.clock import require_aware
from cspbroker.domain.commerce.errors import InvalidQuantity
from cspbroker.domain.commerce.terms import SeatLot, SubscriptionStatus, SubscriptionTerms
from cspbroker.domain.commerce.text import duration_text, moment_text, seats

# Microsoft's current policy: 7 calendar days (168 hours) after a purchase or renewal, except where
# law requires otherwise. Used only to model a purchase for a preview; rules read the provider's dates.
DEFAULT_WINDOW = timedelta(days=7)
LIVE_STATUSES = frozenset({SubscriptionStatus.ACTIVE, SubscriptionStatus.SUSPENDED})


def open_lots(terms: SubscriptionTerms, now: datetime) -> tuple[SeatLot, ...]:
    """The lots whose seats can still be removed, newest first: the order they are removed in.

    A lot's window starts when its seats were bought, so the lot that closes last is the newest.
    """
    now = require_aware(now)
    lots = [lot for lot in terms.refundable_lots if lot.is_open(now)]
    return tuple(sorted(lots, key=lambda lot: lot.allowed_until, reverse=True))


def refundable_quantity(terms: SubscriptionTerms, now: datetime) -> int:
    """Seats inside their window now: the sum of the open lots (never more than the quantity)."""
    return min(sum(lot.quantity for lot in open_lots(terms, now)), terms.quantity)


def removable_quantity(terms: SubscriptionTerms, now: datetime) -> int:
    """Seats a decrease can take away now: refundable, and never below the product's minimum."""
    return max(0, min(refundable_quantity(terms, now), terms.quantity - terms.min_quantity))


def take_newest_first(
    lots: tuple[SeatLot, ...], quantity: int
) -> tuple[tuple[SeatLot, ...], tuple[SeatLot, ...]]:
    """Split `lots` (newest first) into the seats a decrease of `quantity` takes and the rest.

    Newest first (last in, first out): a decrease undoes the most recent purchase, which is what a
    reseller means by "take back the seats I just added"; those seats were used for the fewest days,
    so their prorated refund is the largest; and it is how our Partner Center sandbox removes seats,
    so the preview matches the `refundableQuantity` it returns. The cost: the seats left removable
    are the older ones, whose windows close first. The provider stays the authority; after a change
    the platform reads its lots again.
    """
    taken: list[SeatLot] = []
    kept: list[SeatLot] = []
    left = quantity
    for lot in lots:
        take = min(left, lot.quantity)
        left -= take
        if take:
            taken.append(SeatLot(take, lot.allowed_until, lot.added_at))
        if lot.quantity - take:
            kept.append(SeatLot(lot.quantity - take, lot.allowed_until, lot.added_at))
    return tuple(taken), tuple(kept)


@dataclass(frozen=True, slots=True)
class LotWindow:
    quantity: int
    allowed_until: datetime
    time_left: timedelta


@dataclass(frozen=True, slots=True)
class WindowStatus:
    """What is still possible now, and for how long (feature X3)."""

    now: datetime
    status: SubscriptionStatus
    cancellation_allowed_until: datetime | None
    cancel_time_left: timedelta | None  # None: cannot be cancelled now (closed, trial, or never)
    lots: tuple[LotWindow, ...]  # the open lots, soonest closing first

    @property
    def can_cancel(self) -> bool:
        return self.cancel_time_left is not None

    @property
    def refundable_quantity(self) -> int:
        return sum(lot.quantity for lot in self.lots)

    @property
    def text(self) -> str:
        """ "2 days 4 hours left to cancel; 5 seats reducible until 21 Oct 14:00 UTC"."""
        if self.status not in LIVE_STATUSES:
            return f"The subscription is {self.status.label}: no window is open."
        if self.cancel_time_left is not None:
            parts = [f"{duration_text(self.cancel_time_left)} left to cancel"]
        elif self.cancellation_allowed_until is None:
            parts = ["not cancellable"]
        else:
            parts = [
                f"cancellation window closed on {moment_text(self.cancellation_allowed_until, self.now)}"
            ]
        parts += [
            f"{seats(lot.quantity)} reducible until {moment_text(lot.allowed_until, self.now)}"
            for lot in self.lots
        ]
        if not self.lots:
            parts.append("no seats reducible")
        text = "; ".join(parts)
        return text[0].upper() + text[1:]


def window_status(terms: SubscriptionTerms, now: datetime) -> WindowStatus:
    """The time left to cancel and, per lot, to remove seats. A cancelled subscription has none."""
    now = require_aware(now)
    live = terms.status in LIVE_STATUSES
    until = terms.cancellation_allowed_until
    can_cancel = live and not terms.is_trial and until is not None and now <= until
    lots = sorted(open_lots(terms, now), key=lambda lot: lot.allowed_until) if live else []
    return WindowStatus(
        now=now,
        status=terms.status,
        cancellation_allowed_until=until,
        cancel_time_left=until - now if can_cancel and until is not None else None,
        lots=tuple(LotWindow(lot.quantity, lot.allowed_until, lot.allowed_until - now) for lot in lots),
    )


class WindowKind(StrEnum):
    CANCEL = "cancel"
    REDUCE = "reduce"


@dataclass(frozen=True, slots=True)
class ClosingWindow:
    """A window that closes soon, for the daily warning to staff."""

    kind: WindowKind
    closes_at: datetime
    time_left: timedelta
    quantity: int | None  # the seats that can no longer be removed once it closes; None to cancel
    text: str


def closing_within(
    terms: SubscriptionTerms, now: datetime, horizon: timedelta = timedelta(hours=24)
) -> list[ClosingWindow]:
    """The windows still open now that close within `horizon`, soonest first."""
    status = window_status(terms, now)
    closing: list[ClosingWindow] = []
    left = status.cancel_time_left
    if left is not None and left <= horizon and status.cancellation_allowed_until is not None:
        at = status.cancellation_allowed_until
        text = f"The window to cancel closes in {duration_text(left)}, on {moment_text(at, status.now)}."
        closing.append(ClosingWindow(WindowKind.CANCEL, at, left, None, text))
    for lot in status.lots:
        if lot.time_left <= horizon:
            text = (
                f"The window to remove {seats(lot.quantity)} closes in {duration_text(lot.time_left)}, "
                f"on {moment_text(lot.allowed_until, status.now)}."
            )
            closing.append(
                ClosingWindow(WindowKind.REDUCE, lot.allowed_until, lot.time_left, lot.quantity, text)
            )
    return sorted(closing, key=lambda window: window.closes_at)


def next_lots_after_increase(
    terms: SubscriptionTerms, added: int, purchased_at: datetime, window: timedelta = DEFAULT_WINDOW
) -> tuple[SeatLot, ...]:
    """The lots the provider will report after `added` seats are bought at `purchased_at`.

    A model for previews: the lots still open then, plus a new lot whose window is `window` long
    (Microsoft's policy today). Oldest first, the way `refundableQuantity.details` lists them.
    """
    if isinstance(added, bool) or not isinstance(added, int) or added < 1:
        raise InvalidQuantity(
            f"Seats to add must be a whole number of at least 1, not {added!r}.", field="quantity"
        )
    if window <= timedelta(0):
        raise ValueError(f"A window must be longer than zero, not {window}.")
    purchased_at = require_aware(purchased_at)
    kept = sorted(open_lots(terms, purchased_at), key=lambda lot: lot.allowed_until)
    return (*kept, SeatLot(added, purchased_at + window, added_at=purchased_at))
