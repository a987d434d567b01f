"""The window guard (X3): time left to cancel and to reduce, warnings before a window closes, and the
preview of the lots after a purchase (X6)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from cspbroker.domain.commerce import (
    DEFAULT_WINDOW,
    BillingCycle,
    ClosingWindow,
    InvalidQuantity,
    LotWindow,
    SeatLot,
    SubscriptionStatus,
    SubscriptionTerms,
    Term,
    WindowKind,
    closing_within,
    next_lots_after_increase,
    window_status,
)
from cspbroker.domain.commerce.text import duration_text

DAY_0 = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)


def day(n: float) -> datetime:
    return DAY_0 + timedelta(days=n)


TERMS = SubscriptionTerms(
    quantity=15,
    status=SubscriptionStatus.ACTIVE,
    term=Term.P1Y,
    billing_cycle=BillingCycle.MONTHLY,
    commitment_end=date(2027, 9, 30),
    cancellation_allowed_until=day(7),
    refundable_lots=(SeatLot(10, day(7)), SeatLot(5, day(17))),
)


class TestWindowStatus:
    def test_the_guards_text(self) -> None:
        # Given a window that closes on 21 Oct 14:00 UTC, seen on 19 Oct 10:00
        closes = datetime(2026, 10, 21, 14, 0, tzinfo=UTC)
        terms = replace(
            TERMS, quantity=5, cancellation_allowed_until=closes, refundable_lots=(SeatLot(5, closes),)
        )

        status = window_status(terms, datetime(2026, 10, 19, 10, 0, tzinfo=UTC))

        assert status.text == "2 days 4 hours left to cancel; 5 seats reducible until 21 Oct 14:00 UTC"

    def test_time_left_per_window(self) -> None:
        status = window_status(TERMS, day(5))

        assert status.can_cancel
        assert status.cancel_time_left == timedelta(days=2)
        assert status.lots == (
            LotWindow(10, day(7), timedelta(days=2)),
            LotWindow(5, day(17), timedelta(days=12)),
        )
        assert status.refundable_quantity == 15

    def test_after_the_cancellation_window(self) -> None:
        status = window_status(TERMS, day(12))

        assert not status.can_cancel
        assert status.cancel_time_left is None
        assert (
            status.text
            == "Cancellation window closed on 8 Oct 09:00 UTC; 5 seats reducible until 18 Oct 09:00 UTC"
        )

    def test_after_every_window(self) -> None:
        assert (
            window_status(TERMS, day(18)).text
            == "Cancellation window closed on 8 Oct 09:00 UTC; no seats reducible"
        )

    def test_a_subscription_the_provider_does_not_let_cancel(self) -> None:
        terms = replace(TERMS, cancellation_allowed_until=None)

        assert (
            window_status(terms, day(12)).text == "Not cancellable; 5 seats reducible until 18 Oct 09:00 UTC"
        )

    def test_a_trial_has_no_time_to_cancel(self) -> None:
        trial = replace(TERMS, is_trial=True)

        assert window_status(trial, day(3)).cancel_time_left is None

    def test_a_cancelled_subscription_has_no_window(self) -> None:
        status = window_status(replace(TERMS, status=SubscriptionStatus.DELETED), day(3))

        assert (status.cancel_time_left, status.lots) == (None, ())
        assert status.text == "The subscription is cancelled: no window is open."

    def test_the_year_is_written_when_it_is_not_this_one(self) -> None:
        closes = datetime(2027, 1, 3, 9, 0, tzinfo=UTC)
        terms = replace(TERMS, cancellation_allowed_until=closes, refundable_lots=(SeatLot(15, closes),))

        text = window_status(terms, datetime(2026, 12, 30, 9, 0, tzinfo=UTC)).text

        assert text == "4 days left to cancel; 15 seats reducible until 3 Jan 2027 09:00 UTC"


class TestDurationText:
    @pytest.mark.parametrize(
        ("delta", "text"),
        [
            (timedelta(0), "less than a minute"),
            (timedelta(seconds=59), "less than a minute"),
            (timedelta(minutes=1), "1 minute"),
            (timedelta(minutes=61), "1 hour 1 minute"),
            (timedelta(hours=2), "2 hours"),
            (timedelta(days=1), "1 day"),
            (timedelta(days=1, hours=1, minutes=59), "1 day 1 hour"),
            (timedelta(days=2, hours=4), "2 days 4 hours"),
            (timedelta(hours=23, minutes=59, seconds=59), "23 hours 59 minutes"),
        ],
    )
    def test_the_two_largest_units_rounded_down(self, delta: timedelta, text: str) -> None:
        assert duration_text(delta) == text


class TestClosingWithin:
    def test_both_windows_closing_tomorrow_morning_are_warned_about(self) -> None:
        now = day(6) + timedelta(hours=3)  # 7 Oct 12:00, 21 hours before the first windows close

        assert closing_within(TERMS, now) == [
            ClosingWindow(
                WindowKind.CANCEL, day(7), timedelta(hours=21), None,
                "The window to cancel closes in 21 hours, on 8 Oct 09:00 UTC.",
            ),
            ClosingWindow(
                WindowKind.REDUCE, day(7), timedelta(hours=21), 10,
                "The window to remove 10 seats closes in 21 hours, on 8 Oct 09:00 UTC.",
            ),
        ]  # fmt: skip

    def test_nothing_closes_within_a_day_on_day_3(self) -> None:
        assert closing_within(TERMS, day(3)) == []

    def test_the_horizon_is_a_parameter(self) -> None:
        closing = closing_within(TERMS, day(3), horizon=timedelta(days=14))

        assert [(window.kind, window.quantity, window.closes_at) for window in closing] == [
            (WindowKind.CANCEL, None, day(7)),
            (WindowKind.REDUCE, 10, day(7)),
            (WindowKind.REDUCE, 5, day(17)),
        ]

    def test_a_closed_window_is_not_warned_about(self) -> None:
        closing = closing_within(TERMS, day(16) + timedelta(hours=12))

        assert [window.text for window in closing] == [
            "The window to remove 5 seats closes in 12 hours, on 18 Oct 09:00 UTC."
        ]

    def test_a_cancelled_subscription_warns_of_nothing(self) -> None:
        assert (
            closing_within(replace(TERMS, status=SubscriptionStatus.DELETED), day(6) + timedelta(hours=12))
            == []
        )


class TestNextLotsAfterIncrease:
    def test_a_purchase_adds_a_lot_with_microsofts_window(self) -> None:
        terms = replace(TERMS, quantity=10, refundable_lots=(SeatLot(10, day(7)),))

        lots = next_lots_after_increase(terms, 5, day(10))

        assert timedelta(days=7) == DEFAULT_WINDOW
        assert lots == (SeatLot(5, day(17), added_at=day(10)),)

    def test_lots_still_open_are_kept_oldest_first(self) -> None:
        terms = replace(TERMS, quantity=10, refundable_lots=(SeatLot(10, day(7)),))

        lots = next_lots_after_increase(terms, 5, day(2))

        assert lots == (SeatLot(10, day(7)), SeatLot(5, day(9), added_at=day(2)))

    def test_the_window_can_be_given(self) -> None:
        terms = replace(TERMS, refundable_lots=())

        assert next_lots_after_increase(terms, 1, day(0), window=timedelta(hours=72)) == (
            SeatLot(1, day(3), added_at=day(0)),
        )

    @pytest.mark.parametrize("added", [0, -3])
    def test_at_least_one_seat_is_added(self, added: int) -> None:
        with pytest.raises(InvalidQuantity):
            next_lots_after_increase(TERMS, added, day(0))
