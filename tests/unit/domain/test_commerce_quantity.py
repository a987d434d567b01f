"""Quantity changes: increases any time, decreases only by seats whose own window is still open.

The story used throughout: 10 seats bought on day 0 (1 Oct, 09:00 UTC) with a 7-day window, and 5
more added on day 10 with their own 7-day window. The provider's lots carry the windows; the rules
never assume their length.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from cspbroker.domain.commerce import (
    BillingCycle,
    DecreaseOutsideWindow,
    InvalidQuantity,
    NoChange,
    QuantityOutOfRange,
    SeatLot,
    SubscriptionCancelled,
    SubscriptionNotActive,
    SubscriptionStatus,
    SubscriptionSuspended,
    SubscriptionTerms,
    Term,
    TrialQuantityFixed,
    check_quantity_change,
    refundable_quantity,
    removable_quantity,
)

DAY_0 = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)


def day(n: float) -> datetime:
    return DAY_0 + timedelta(days=n)


FIRST_LOT = SeatLot(10, day(7), added_at=day(0))
ADDED_LOT = SeatLot(5, day(17), added_at=day(10))
TERMS = SubscriptionTerms(
    quantity=15,
    status=SubscriptionStatus.ACTIVE,
    term=Term.P1Y,
    billing_cycle=BillingCycle.MONTHLY,
    commitment_end=date(2027, 9, 30),
    cancellation_allowed_until=day(7),
    refundable_lots=(FIRST_LOT, ADDED_LOT),
    max_quantity=300,
)


class TestSeatsThatCanStillBeRemoved:
    def test_on_day_12_only_the_5_added_seats_are_removable(self) -> None:
        assert refundable_quantity(TERMS, day(12)) == 5

    def test_on_day_18_no_seat_is_removable(self) -> None:
        assert refundable_quantity(TERMS, day(18)) == 0

    def test_a_lot_closes_at_its_allowed_until(self) -> None:
        assert refundable_quantity(TERMS, day(17) - timedelta(seconds=1)) == 5
        assert refundable_quantity(TERMS, day(17)) == 0

    def test_never_more_than_the_quantity_even_if_the_provider_says_so(self) -> None:
        terms = replace(TERMS, quantity=3)

        assert refundable_quantity(terms, day(12)) == 3

    def test_removable_keeps_the_products_minimum(self) -> None:
        terms = replace(TERMS, quantity=15, min_quantity=12)

        assert removable_quantity(terms, day(12)) == 3


class TestDecrease:
    def test_removing_the_5_added_seats_on_day_12_is_allowed(self) -> None:
        change = check_quantity_change(TERMS, 10, day(12))

        assert (change.previous_quantity, change.new_quantity, change.delta) == (15, 10, -5)
        assert change.lots_consumed == (ADDED_LOT,)
        assert change.lots_remaining == ()

    def test_removing_6_on_day_12_is_refused_naming_the_5(self) -> None:
        with pytest.raises(DecreaseOutsideWindow) as refusal:
            check_quantity_change(TERMS, 9, day(12))

        assert refusal.value.code == "decrease_outside_window"
        assert refusal.value.field == "quantity"
        assert refusal.value.message == (
            "Only 5 seats can still be removed, not 6: the window for the 10 seats added on 1 Oct closed "
            "on 8 Oct 09:00 UTC (5 seats reducible until 18 Oct 09:00 UTC)."
        )

    def test_the_message_does_without_lots_the_provider_no_longer_lists(self) -> None:
        # Partner Center drops closed lots from refundableQuantity and does not say when seats were added.
        terms = replace(TERMS, refundable_lots=(SeatLot(5, day(17)),))

        with pytest.raises(DecreaseOutsideWindow) as refusal:
            check_quantity_change(terms, 9, day(12))

        assert refusal.value.message == (
            "Only 5 seats can still be removed, not 6: seats can be removed only within the window after "
            "they were bought or renewed (5 seats reducible until 18 Oct 09:00 UTC)."
        )

    def test_on_day_18_no_seat_can_be_removed(self) -> None:
        with pytest.raises(DecreaseOutsideWindow) as refusal:
            check_quantity_change(TERMS, 14, day(18))

        assert refusal.value.message == (
            "No seats can be removed now: the window for the 5 seats added on 11 Oct closed on "
            "18 Oct 09:00 UTC. Schedule a lower quantity for the renewal at the end of the term "
            "(30 Sep 2027) instead."
        )

    def test_the_newest_lot_is_consumed_first(self) -> None:
        # Given 10 seats bought on day 0 and 5 more on day 2, both windows still open on day 3
        older, newer = SeatLot(10, day(7)), SeatLot(5, day(9))
        terms = replace(TERMS, refundable_lots=(older, newer))

        # When 7 seats are removed
        change = check_quantity_change(terms, 8, day(3))

        # Then the 5 newest go first, then 2 of the older lot
        assert change.lots_consumed == (SeatLot(5, day(9)), SeatLot(2, day(7)))
        assert change.lots_remaining == (SeatLot(8, day(7)),)

    def test_newest_is_decided_by_the_window_not_the_providers_order(self) -> None:
        terms = replace(TERMS, refundable_lots=(SeatLot(5, day(9)), SeatLot(10, day(7))))

        change = check_quantity_change(terms, 12, day(3))

        assert change.lots_consumed == (SeatLot(3, day(9)),)
        assert change.lots_remaining == (SeatLot(2, day(9)), SeatLot(10, day(7)))

    def test_below_the_minimum_is_refused_before_the_window(self) -> None:
        with pytest.raises(QuantityOutOfRange, match="between 1 and 300 seats, not 0"):
            check_quantity_change(TERMS, 0, day(3))


class TestIncrease:
    def test_allowed_long_after_every_window_closed(self) -> None:
        change = check_quantity_change(TERMS, 20, day(200))

        assert change.is_increase
        assert change.delta == 5
        assert change.lots_consumed == ()

    def test_above_the_maximum_is_refused(self) -> None:
        with pytest.raises(QuantityOutOfRange) as refusal:
            check_quantity_change(TERMS, 301, day(3))

        assert refusal.value.code == "quantity_out_of_range"
        assert refusal.value.message == "The quantity must be between 1 and 300 seats, not 301."

    def test_without_a_known_maximum_only_the_minimum_applies(self) -> None:
        terms = replace(TERMS, max_quantity=None, min_quantity=2)

        assert check_quantity_change(terms, 100_000, day(3)).new_quantity == 100_000
        with pytest.raises(QuantityOutOfRange, match=r"^The quantity must be at least 2 seats, not 1\.$"):
            check_quantity_change(terms, 1, day(3))


class TestScheduledChange:
    @pytest.mark.parametrize("new_quantity", [20, 10])
    def test_an_immediate_change_clears_the_scheduled_change(self, new_quantity: int) -> None:
        terms = replace(TERMS, has_scheduled_change=True)

        change = check_quantity_change(terms, new_quantity, day(12))

        assert change.clears_scheduled_change
        assert change.warning == "This change deletes the change scheduled for the renewal."

    def test_nothing_to_clear_without_a_scheduled_change(self) -> None:
        change = check_quantity_change(TERMS, 20, day(12))

        assert not change.clears_scheduled_change
        assert change.warning is None


class TestRefusedWhateverTheNumbers:
    def test_suspended_subscription_cannot_change_quantity(self) -> None:
        terms = replace(TERMS, status=SubscriptionStatus.SUSPENDED)

        for new_quantity in (20, 10):
            with pytest.raises(SubscriptionSuspended) as refusal:
                check_quantity_change(terms, new_quantity, day(3))
            assert refusal.value.code == "subscription_suspended"
            assert refusal.value.message == (
                "This subscription is suspended: reactivate it before changing its quantity."
            )

    def test_cancelled_subscription_cannot_change_quantity(self) -> None:
        with pytest.raises(SubscriptionCancelled) as refusal:
            check_quantity_change(replace(TERMS, status=SubscriptionStatus.DELETED), 20, day(3))

        assert refusal.value.code == "subscription_cancelled"
        assert (
            refusal.value.message
            == "This subscription is cancelled: changing its quantity is no longer possible."
        )

    @pytest.mark.parametrize(
        "status", [SubscriptionStatus.EXPIRED, SubscriptionStatus.PENDING, SubscriptionStatus.UNKNOWN]
    )
    def test_inactive_subscription_cannot_change_quantity(self, status: SubscriptionStatus) -> None:
        with pytest.raises(SubscriptionNotActive) as refusal:
            check_quantity_change(replace(TERMS, status=status), 20, day(3))

        assert refusal.value.code == "subscription_not_active"
        assert refusal.value.message == (
            f"This subscription is {status.value}: "
            "changing its quantity is possible only on an active subscription."
        )

    def test_a_trials_quantity_is_fixed(self) -> None:
        trial = replace(
            TERMS, quantity=25, is_trial=True, refundable_lots=(), cancellation_allowed_until=None
        )

        with pytest.raises(TrialQuantityFixed) as refusal:
            check_quantity_change(trial, 30, day(3))

        assert refusal.value.code == "trial_quantity_fixed"
        assert refusal.value.message == (
            "A trial's quantity is fixed at 25 seats: "
            "convert it to a paid subscription to change the number of seats."
        )

    def test_the_same_quantity_is_no_change(self) -> None:
        with pytest.raises(NoChange) as refusal:
            check_quantity_change(TERMS, 15, day(3))

        assert refusal.value.code == "no_change"
        assert refusal.value.message == "The subscription already has 15 seats."

    @pytest.mark.parametrize("new_quantity", [12.0, "12", True, None])
    def test_a_quantity_must_be_a_whole_number(self, new_quantity: object) -> None:
        with pytest.raises(InvalidQuantity) as refusal:
            check_quantity_change(TERMS, new_quantity, day(3))  # type: ignore[arg-type]

        assert refusal.value.code == "invalid_quantity"

    def test_now_must_be_aware(self) -> None:
        with pytest.raises(ValueError, match="timezone-aware"):
            check_quantity_change(TERMS, 20, datetime(2026, 10, 3))
