"""The billing engine: every charge line a subscription's history calls for, up to a day.

Rules (Microsoft new commerce, from its billing scenarios; docs/BILLING.md has the worked examples):
- Charged in advance per billing period of each term, periods counted from the anchor
  (`Term.period`, never chained): the term's opening type for its first period — `new` for a
  purchase, `renew` for a renewal, `convert` for a trial converted to paid — and `cycleCharge` for
  the others (an annual term billed monthly gets one every month). Each is for the quantity in force
  on the period's first day, at the price in force that day (the term's locked price, or a later
  historic sales price); changes dated on a period's first day are part of that period's charge.
  Billing stops where the last term ends: a renewal is a new term in the history, never assumed.
- Mid-period: an increase is charged from its own day to the period's end (`addQuantity`); a
  refundable decrease or a cancellation is refunded from its own day to the period's end
  (`removeQuantity`, `cancelImmediate`, negative), both days included, over the charge cycle days
  (periods.charge_cycle_days). A cancellation within 24 hours of the term's start is refunded in full.
  A non-refundable decrease takes effect at the next period. How the seats are taken back is
  seats.SeatBook's business.
- Suspension changes nothing: Microsoft keeps billing a suspended subscription.
- A billing-only cancellation stops charging from its own day and credits the rest of the paid
  period, all seats included (`customerCredit`): the customer no longer pays for a service managed
  elsewhere, and the credit is ours to give whatever Microsoft refunds us.
- A cancellation outside its window, or an expiry, stops charges from the next period, without
  refund. Nothing dated after the end of billing is charged.
- A trial term is never charged; its conversion to paid is a new term from the conversion day.
- A one-time purchase is charged whole (`new`) on its day; more licences are a new purchase;
  a refundable return or cancellation refunds the whole price.
Same-day changes apply in ledger order, quantity changes before status changes.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from cspbroker.domain.billing.history import QuantityChange, Status, StatusChange, SubscriptionHistory
from cspbroker.domain.billing.lines import ChargeLine, ChargeType
from cspbroker.domain.billing.seats import SeatBook
from cspbroker.domain.billing.windows import LineWriter, PeriodCalendar, PurchaseCalendar, Window
from cspbroker.domain.periods import Period


def compute_charges(
    history: SubscriptionHistory, through: date, *, since: date | None = None
) -> list[ChargeLine]:
    """Every line that arose on or before `through` (and on or after `since`), in the order they arose.

    A pure function of the history: the same history always gives the same lines, and a later
    `through` only adds lines, so storing them under a UNIQUE `ChargeLine.key` makes re-runs
    insert nothing. The cost is linear in terms plus periods plus changes.

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
    if history.is_one_time:
        # A purchase's lots last as long as it does, so it is always computed whole (it has few lines).
        _bill_purchase(timeline, writer, anchor, through)
    else:
        _bill_periods(timeline, writer, _periods(history, since), through)
    if since is None:
        return writer.lines
    return [line for line in writer.lines if line.effective_on >= since]


def _periods(history: SubscriptionHistory, since: date | None) -> Iterator[tuple[ChargeType, Period]]:
    """Each paid term's billing periods in order, with the charge type it opens with; periods that end
    before `since` are left out without walking through them."""
    for term in history.terms:
        end = term.end
        if (
            term.is_trial
            or term.frequency is None
            or (since is not None and end is not None and end <= since)
        ):
            continue
        first = 0 if since is None else term.first_period_after(since)
        for number in range(first, term.period_count):
            yield (term.opening if number == 0 else ChargeType.CYCLE_CHARGE), term.period(number)


def _bill_periods(
    timeline: _Timeline, writer: LineWriter, periods: Iterator[tuple[ChargeType, Period]], through: date
) -> None:
    history = writer.history
    for opening, period in periods:
        if period.start > through or timeline.fold_through(period.start):
            return
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


def _bill_purchase(timeline: _Timeline, writer: LineWriter, anchor: date, through: date) -> None:
    if timeline.fold_through(anchor):
        return
    calendar = PurchaseCalendar()
    # Licences returned without a refund are gone: buying more later is a new purchase.
    book = SeatBook(writer, calendar, increase_type=ChargeType.NEW, keeps_released_seats=False)
    if timeline.quantity:
        book.open(ChargeType.NEW, timeline.quantity, anchor, calendar.charge_window(anchor))
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
        book.cancel(change.effective_on, billing_only=False, full_refund=change.full_refund)


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
