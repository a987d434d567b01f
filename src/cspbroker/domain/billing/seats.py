"""The seats paid for in one billing period (or one purchase), kept as lots, newest on top.

A lot is seats charged together at one price over the same days: the period's own charge, then
one lot per increase. Lots are what makes refunds right:
- a refundable decrease takes back the newest seats first (LIFO): in new commerce each added lot
  has its own cancellation window, so the newest seats are the last still refundable;
- a refund uses the price its seats were charged at, and never exceeds what the lot was charged
  less what it already refunded (Flexprice's `PreviousCreditsIssued`), rounding included;
- seats given up without refund stay paid until the period ends ("released"): seats taken back
  later in the period reuse them before new ones are charged.

A change and its reversal on the same day net to exactly zero, whatever else happened that day.
Every move of the day is remembered: seats taken out today and put back today are charged back
exactly what they were refunded, and seats put back today and taken out again are refunded exactly
what was charged back, with the disposition (refund or release) of the first move. Seats added
today and removed today go back over the very days they were charged for, whatever the
`refundable` flag says: they are inside their own cancellation window.

Each change only appends lines, so a history that grows in date order never alters a past line.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from cspbroker.domain.billing.history import PricePoint
from cspbroker.domain.billing.lines import ChargeType
from cspbroker.domain.billing.windows import Calendar, LineWriter, Window, prorated
from cspbroker.domain.money import Money


@dataclass(slots=True, eq=False)
class _Lot:
    seats: int
    # None for seats reused from the released ones: they were paid for already.
    price: PricePoint | None
    window: Window | None
    added_on: date
    charged: Money
    refunded: Money


@dataclass(slots=True, eq=False)
class _Move:
    """Seats moved out of (or back into) `lot` today; what undoing the move must do.

    `amount` is the money that moved (a refund, or a charge back), None when none did;
    `released` says the seats went to (or came back from) the released ones.
    """

    lot: _Lot
    seats: int
    amount: Money | None
    window: Window | None
    released: bool


class SeatBook:
    """The lots of one billing period (of a whole one-time purchase) and the released seats."""

    def __init__(
        self, writer: LineWriter, calendar: Calendar, *, increase_type: ChargeType, keeps_released_seats: bool
    ) -> None:
        self._writer = writer
        self._calendar = calendar
        self._increase_type = increase_type
        self._keeps_released_seats = keeps_released_seats
        self._lots: list[_Lot] = []
        self._released = 0
        self._taken: list[_Move] = []
        self._restored: list[_Move] = []
        self._today: date | None = None

    def open(self, charge_type: ChargeType, seats: int, day: date, window: Window) -> None:
        """The charge the period (or purchase) starts with, for the seats in force on its first day."""
        price = self._writer.history.price_on(window.active.start)
        amount = self._writer.charge(charge_type, seats, price, window, day)
        self._lots.append(_Lot(seats, price, window, day, amount, self._writer.zero))

    def increase(self, seats: int, day: date) -> None:
        self._start_day(day)
        seats = self._restore(seats, day)
        zero = self._writer.zero
        if self._keeps_released_seats and seats and self._released:
            reused = min(seats, self._released)
            self._released -= reused
            seats -= reused
            self._lots.append(_Lot(reused, None, None, day, zero, zero))
        if seats:
            price = self._writer.history.price_on(day)
            window = self._calendar.charge_window(day)
            amount = self._writer.charge(self._increase_type, seats, price, window, day)
            self._lots.append(_Lot(seats, price, window, day, amount, zero))

    def decrease(self, seats: int, day: date, *, refundable: bool) -> None:
        self._start_day(day)
        while seats:
            lot = self._lots[-1]
            if self._restored and self._restored[-1].lot is lot:
                move = self._undo(self._restored, seats, day, charging=False)
            else:
                move = self._take(lot, min(seats, lot.seats), day, refundable=refundable)
            self._taken.append(move)
            lot.seats -= move.seats
            if not lot.seats:
                self._lots.pop()
            seats -= move.seats

    def cancel(self, day: date, *, billing_only: bool, full_refund: bool = False) -> None:
        """Take back every seat at once, oldest lot first, and close the book. A billing-only
        cancellation credits the rest of the period (`customerCredit`); a cancellation inside the
        window is refunded (`cancelImmediate`), in full within 24 hours of the term's start."""
        self._start_day(day)
        charge_type = ChargeType.CUSTOMER_CREDIT if billing_only else ChargeType.CANCEL_IMMEDIATE
        for lot in self._lots:
            if lot.price is None:
                continue
            window = lot.window if full_refund else self._closing_window(lot, day, billing_only=billing_only)
            if window is not None:
                self._refund(charge_type, lot, lot.seats, window, day)
        self._lots.clear()

    def _start_day(self, day: date) -> None:
        if day != self._today:
            self._today = day
            self._taken.clear()
            self._restored.clear()

    def _take(self, lot: _Lot, seats: int, day: date, *, refundable: bool) -> _Move:
        if lot.price is None:
            self._released += seats
            return _Move(lot, seats, None, None, released=True)
        if lot.added_on == day:
            # Added today, removed today: undone over exactly the days it was charged for.
            window = lot.window
        elif refundable:
            window = self._calendar.refund_window(day)
        else:
            if self._keeps_released_seats:
                self._released += seats
            return _Move(lot, seats, None, None, released=self._keeps_released_seats)
        refund = None if window is None else self._refund(ChargeType.REMOVE_QUANTITY, lot, seats, window, day)
        return _Move(lot, seats, refund, window, released=False)

    def _restore(self, seats: int, day: date) -> int:
        """Put back seats taken out today, last taken first; returns the seats still to add."""
        while seats and self._taken:
            lot = self._taken[-1].lot
            move = self._undo(self._taken, seats, day, charging=True)
            self._restored.append(move)
            if self._lots and self._lots[-1] is lot:
                lot.seats += move.seats
            else:
                lot.seats = move.seats
                self._lots.append(lot)
            seats -= move.seats
        return seats

    def _undo(self, moves: list[_Move], seats: int, day: date, *, charging: bool) -> _Move:
        """Reverse up to `seats` of the last of `moves`, moving back exactly the money it moved.

        Returns the reverse move, so that it can be reversed in turn.
        """
        move = moves[-1]
        count = min(seats, move.seats)
        amount = move.amount
        if amount is not None:
            amount = self._move_money_back(move, count, day, charging=charging)
        elif move.released:
            self._released += -count if charging else count
        move.seats -= count
        if not move.seats:
            moves.pop()
        return _Move(move.lot, count, amount, move.window, move.released)

    def _move_money_back(self, move: _Move, count: int, day: date, *, charging: bool) -> Money:
        price, window, moved = move.lot.price, move.window, move.amount
        assert price is not None and window is not None and moved is not None, "only priced seats move money"
        due = prorated(price.unit_price, count, window)
        # All the seats: exactly the amount moved (the cap may have cut it); some: never more than it.
        amount = moved if count == move.seats else min(due, moved)
        move.amount = moved - amount
        if charging:
            move.lot.charged += amount
            self._writer.write(self._increase_type, count, price, window, day, amount, capped=amount != due)
        else:
            move.lot.refunded += amount
            self._writer.write(
                ChargeType.REMOVE_QUANTITY, -count, price, window, day, -amount, capped=amount != due
            )
        return amount

    def _refund(self, charge_type: ChargeType, lot: _Lot, seats: int, window: Window, day: date) -> Money:
        assert lot.price is not None, "seats reused from the released ones are never refunded"
        due = prorated(lot.price.unit_price, seats, window)
        amount = min(due, lot.charged - lot.refunded)
        lot.refunded += amount
        self._writer.write(charge_type, -seats, lot.price, window, day, -amount, capped=amount != due)
        return amount

    def _closing_window(self, lot: _Lot, day: date, *, billing_only: bool) -> Window | None:
        """The days a cancellation gives back: from its own day to the period's end; seats added that
        day go back over the days they were charged for."""
        if billing_only:
            window = self._calendar.credit_window(day)
            if window is None:
                return None
        else:
            window = self._calendar.refund_window(day)
        return lot.window if lot.added_on == day else window
