"""Properties of the seat windows for any lots and any moment.

Lots are drawn as (seats, minutes from now until the window closes): negative minutes are windows
that have closed. A few primitive draws per example keep the 1,000-example CI profile quick.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from cspbroker.domain.commerce import (
    PARTNER_CENTER_CAPABILITIES,
    BillingCycle,
    OrderType,
    SeatLot,
    SubscriptionStatus,
    SubscriptionTerms,
    Term,
    available_actions,
    check_quantity_change,
    closing_within,
    open_lots,
    refundable_quantity,
    removable_quantity,
    window_status,
)
from cspbroker.domain.errors import DomainError

NOW = datetime(2026, 10, 12, 9, 0, tzinfo=UTC)
TWO_WEEKS = 14 * 24 * 60

lot_specs = st.lists(st.tuples(st.integers(0, 40), st.integers(-TWO_WEEKS, TWO_WEEKS)), max_size=6)


def terms_for(specs: list[tuple[int, int]], extra_seats: int, min_quantity: int = 1) -> SubscriptionTerms:
    lots = tuple(SeatLot(quantity, NOW + timedelta(minutes=minutes)) for quantity, minutes in specs)
    return SubscriptionTerms(
        quantity=max(min_quantity, sum(lot.quantity for lot in lots) + extra_seats),
        status=SubscriptionStatus.ACTIVE,
        term=Term.P1Y,
        billing_cycle=BillingCycle.MONTHLY,
        commitment_end=date(2027, 9, 30),
        cancellation_allowed_until=NOW + timedelta(days=1),
        refundable_lots=lots,
        min_quantity=min_quantity,
    )


def open_sum(terms: SubscriptionTerms) -> int:
    return sum(lot.quantity for lot in terms.refundable_lots if lot.allowed_until > NOW)


@given(lot_specs, st.integers(-10, 20), st.integers(0, 3))
def test_removable_never_exceeds_the_open_lots(
    specs: list[tuple[int, int]], extra: int, minimum: int
) -> None:
    terms = terms_for(specs, extra, minimum)

    assert refundable_quantity(terms, NOW) == min(open_sum(terms), terms.quantity)
    assert 0 <= removable_quantity(terms, NOW) <= refundable_quantity(terms, NOW) <= open_sum(terms)


@given(lot_specs, st.integers(0, 20), st.integers(0, 3), st.data())
def test_a_decrease_is_allowed_exactly_up_to_the_removable_quantity(
    specs: list[tuple[int, int]], extra: int, minimum: int, data: st.DataObject
) -> None:
    terms = terms_for(specs, extra, minimum)
    new_quantity = data.draw(st.integers(0, terms.quantity - 1)) if terms.quantity else 0
    removing = terms.quantity - new_quantity
    if removing <= 0:
        return

    try:
        change = check_quantity_change(terms, new_quantity, NOW)
    except DomainError:
        assert removing > removable_quantity(terms, NOW)
        return

    assert removing <= removable_quantity(terms, NOW) <= open_sum(terms)
    assert sum(lot.quantity for lot in change.lots_consumed) == removing
    taken, kept = Counter[datetime](), Counter[datetime]()
    for lot in change.lots_consumed:
        taken[lot.allowed_until] += lot.quantity
    for lot in change.lots_remaining:
        kept[lot.allowed_until] += lot.quantity
    before = Counter[datetime]()
    for lot in open_lots(terms, NOW):
        before[lot.allowed_until] += lot.quantity
    assert taken + kept == before
    # Newest first: no seat is taken from a lot while a newer lot keeps seats.
    for older in taken:
        assert all(not kept[newer] for newer in kept if newer > older)


@given(lot_specs, st.integers(0, 20), st.integers(-TWO_WEEKS, TWO_WEEKS))
def test_the_guard_shows_exactly_the_open_lots(
    specs: list[tuple[int, int]], extra: int, horizon: int
) -> None:
    terms = terms_for(specs, extra)

    status = window_status(terms, NOW)
    closing = closing_within(terms, NOW, timedelta(minutes=horizon))

    assert status.refundable_quantity == open_sum(terms)
    assert all(lot.time_left > timedelta(0) for lot in status.lots)
    assert all(timedelta(0) <= window.time_left <= timedelta(minutes=horizon) for window in closing)


@given(lot_specs, st.integers(0, 20))
def test_the_remove_button_is_on_exactly_when_a_seat_can_go(specs: list[tuple[int, int]], extra: int) -> None:
    terms = terms_for(specs, extra)

    removal = available_actions(terms, PARTNER_CENTER_CAPABILITIES, NOW)[OrderType.REMOVE_QUANTITY]

    assert removal.allowed == (removable_quantity(terms, NOW) >= 1)
