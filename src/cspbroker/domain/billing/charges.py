"""The billing engine: every charge line a subscription's history calls for, up to a day.

Rules (Microsoft new commerce, as the issue states them):
- Charged in advance per billing period, anchored on the start date (periods.nth_period): `new`
  for the first period, `renew` for the first period of each later term (terms of `term_months`
  from the same anchor), `cycleCharge` for the others (an annual term billed monthly gets one
  every month). Each is for the quantity in force on the period's first day, at the price in
  force that day; changes dated on a period's first day are part of that period's charge.
- Mid-period: an increase is charged from its day to the period end (`addQuantity`); a refundable
  decrease or a cancellation is refunded from the next day, the day itself having been used
  (`removeQuantity`, `cancel`, negative). A non-refundable decrease takes effect at the next
  period. How the seats are taken back is seats.SeatBook's business.
- Suspension changes nothing: Microsoft keeps billing a suspended subscription.
- A billing-only cancellation stops charging from its own day and credits the rest of the paid
  period, all seats included: the customer no longer pays for a service managed elsewhere, and
  the credit is ours to give whatever Microsoft refunds us.
- A cancellation outside its window, or an expiry, stops charges from the next period, without
  refund. Nothing dated after the end of billing is charged.
- A trial is never charged. Converted to paid, it is billed as a `new` purchase anchored on the
  conversion day: Microsoft starts a new term and a new cancellation window then, and `convert`
  is its charge type for licence upgrades, not for trials.
- A one-time purchase is charged whole (`oneTime`) on its day; more licences are a new purchase;
  a refundable return or cancellation refunds the whole price.
Same-day changes apply in ledger order, quantity changes before status changes.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from itertools import count

from cspbroker.domain.billing.history import QuantityChange, Status, StatusChange, SubscriptionHistory
from cspbroker.domain.billing.lines import ChargeLine, ChargeType
from cspbroker.domain.billing.seats import SeatBook
from cspbroker.domain.billing.windows import LineWriter, PeriodCalendar, PurchaseCalendar, Window
from cspbroker.domain.periods import Frequency, Period, add_months_clamped, period_number


def compute_charges(
    history: SubscriptionHistory, through: date, *, since: date | None = None
) -> list[ChargeLine]:
    """Every line that arose on or before `through` (and on or after `since`), in the order they arose.

    A pure function of the history: the same history always gives the same lines, and a later
    `through` only adds lines, so storing them under a UNIQUE `ChargeLine.key` makes re-runs
    insert nothing. The cost is linear in periods plus changes.

    `since` is for billing runs: a period only carries its opening quantity from the past, so the
    periods that end before `since` are skipped (their changes are read, nothing is charged) and a
    run for one cycle costs that cycle's lines, not the whole history. The lines are exactly those
    of the full computation that arose on or after `since`.
    """
    anchor = history.billing_anchor
    if anchor is None or through < anchor:
        return []
    timeline = _Timeline(history)
    writer = LineWriter(history)
    frequency = history.billing_frequency
    if frequency is None:
        # A purchase's lots last as long as it does, so it is always computed whole (it has few lines).
        _bill_purchase(timeline, writer, anchor, through)
    else:
        first = 0 if since is None or since <= anchor else period_number(anchor, frequency, since)
        _bill_periods(history, timeline, writer, frequency, through, first)
    if since is None:
        return writer.lines
    return [line for line in writer.lines if line.effective_on >= since]


def _opening_charge_type(period_number: int, frequency: Frequency, term_months: int) -> ChargeType:
    if period_number == 0:
        return ChargeType.NEW
    if period_number * frequency.months % term_months == 0:
        return ChargeType.RENEW
    return ChargeType.CYCLE_CHARGE


def _bill_periods(
    history: SubscriptionHistory,
    timeline: _Timeline,
    writer: LineWriter,
    frequency: Frequency,
    through: date,
    first: int,
) -> None:
    anchor = history.billing_anchor
    assert anchor is not None
    for number, period in _periods(anchor, frequency, first):
        if period.start > through or timeline.fold_through(period.start):
            return
        opening = _opening_charge_type(number, frequency, history.term_months)
        if timeline.next_day(period.end, through) is None:
            # Most periods see no change: their opening charge is all there is (the fast path).
            if timeline.quantity:
                price = history.price_on(period.start)
                writer.charge(opening, timeline.quantity, price, Window(period, period), period.start)
            continue
        book = SeatBook(
            writer, PeriodCalendar(period), increase_type=ChargeType.ADD_QUANTITY, keeps_released_seats=True
        )
        if timeline.quantity:
            book.open(opening, timeline.quantity, period.start, Window(period, period))
        if _apply_changes(timeline, book, period.end, through):
            return


def _periods(anchor: date, frequency: Frequency, first: int) -> Iterator[tuple[int, Period]]:
    """The billing periods from number `first` on, each boundary computed from the anchor (never chained)."""
    start = add_months_clamped(anchor, first * frequency.months)
    for number in count(first):
        end = add_months_clamped(anchor, (number + 1) * frequency.months)
        yield number, Period(start, end)
        start = end


def _bill_purchase(timeline: _Timeline, writer: LineWriter, anchor: date, through: date) -> None:
    if timeline.fold_through(anchor):
        return
    calendar = PurchaseCalendar()
    # Licences returned without a refund are gone: buying more later is a new purchase.
    book = SeatBook(writer, calendar, increase_type=ChargeType.ONE_TIME, keeps_released_seats=False)
    if timeline.quantity:
        book.open(ChargeType.ONE_TIME, timeline.quantity, anchor, calendar.charge_window(anchor))
    _apply_changes(timeline, book, None, through)


def _apply_changes(timeline: _Timeline, book: SeatBook, until: date | None, through: date) -> bool:
    """Apply each day's changes before `until` and up to `through`; True once billing has ended."""
    while (day := timeline.next_day(until, through)) is not None:
        for previous, change in timeline.quantity_changes_on(day):
            if change.quantity > previous:
                book.increase(change.quantity - previous, day)
            elif change.quantity < previous:
                book.decrease(previous - change.quantity, day, refundable=change.refundable)
        for status_change in timeline.status_changes_on(day):
            if status_change.status.ends_billing:
                _end_billing(book, status_change)
                return True
    return False


def _end_billing(book: SeatBook, change: StatusChange) -> None:
    if change.status is Status.BILLING_CANCELLED:
        book.cancel(change.effective_on, billing_only=True)
    elif change.status is Status.CANCELLED and change.refundable:
        book.cancel(change.effective_on, billing_only=False)


class _Timeline:
    """A single forward pass over the ledger and the status changes: each entry is read once."""

    def __init__(self, history: SubscriptionHistory) -> None:
        self._ledger = history.quantity_ledger
        self._statuses = history.status_changes
        self._next_change = 0
        self._next_status = 0
        self.quantity = 0

    def fold_through(self, day: date) -> bool:
        """Take in every entry up to `day` without charging; True if billing ended by then."""
        for _ in self.quantity_changes_on(day):
            pass
        ended = False
        for change in self.status_changes_on(day):
            ended = ended or change.status.ends_billing
        return ended

    def next_day(self, until: date | None, through: date) -> date | None:
        """The next day with an entry, if it comes before `until` and not after `through`."""
        days = []
        if self._next_change < len(self._ledger):
            days.append(self._ledger[self._next_change].effective_on)
        if self._next_status < len(self._statuses):
            days.append(self._statuses[self._next_status].effective_on)
        if not days:
            return None
        day = min(days)
        return day if day <= through and (until is None or day < until) else None

    def quantity_changes_on(self, day: date) -> Iterator[tuple[int, QuantityChange]]:
        """The ledger entries up to `day`, each with the quantity it replaces."""
        while self._next_change < len(self._ledger) and self._ledger[self._next_change].effective_on <= day:
            change = self._ledger[self._next_change]
            self._next_change += 1
            previous, self.quantity = self.quantity, change.quantity
            yield previous, change

    def status_changes_on(self, day: date) -> Iterator[StatusChange]:
        while (
            self._next_status < len(self._statuses) and self._statuses[self._next_status].effective_on <= day
        ):
            self._next_status += 1
            yield self._statuses[self._next_status - 1]
