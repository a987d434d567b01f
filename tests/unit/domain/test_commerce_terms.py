"""Commerce value types: tolerant statuses, terms ordered by length, billing cycles, lots, terms."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from cspbroker.domain.commerce import (
    BillingCycle,
    InvalidQuantity,
    SeatLot,
    SubscriptionStatus,
    SubscriptionTerms,
    Term,
)
from cspbroker.domain.errors import InvalidFrequency
from cspbroker.domain.periods import Frequency

NOON = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)
TERMS = SubscriptionTerms(
    quantity=10,
    status=SubscriptionStatus.ACTIVE,
    term=Term.P1Y,
    billing_cycle=BillingCycle.MONTHLY,
    commitment_end=date(2027, 9, 30),
)


class TestSubscriptionStatus:
    @pytest.mark.parametrize(
        ("wire", "status"),
        [
            ("active", SubscriptionStatus.ACTIVE),
            ("Suspended", SubscriptionStatus.SUSPENDED),
            ("deleted", SubscriptionStatus.DELETED),
            ("Cancelled", SubscriptionStatus.DELETED),
            ("canceled", SubscriptionStatus.DELETED),
            ("CustomerCancellation", SubscriptionStatus.DELETED),
            ("EXPIRED", SubscriptionStatus.EXPIRED),
            ("pending", SubscriptionStatus.PENDING),
            ("Disabled", SubscriptionStatus.DISABLED),
        ],
    )
    def test_provider_spellings_are_understood(self, wire: str, status: SubscriptionStatus) -> None:
        assert SubscriptionStatus(wire) is status

    @pytest.mark.parametrize("wire", ["none", "Converted", "somethingNew", ""])
    def test_values_nobody_told_us_about_become_unknown(self, wire: str) -> None:
        assert SubscriptionStatus(wire) is SubscriptionStatus.UNKNOWN

    def test_deleted_reads_cancelled_to_people(self) -> None:
        assert SubscriptionStatus.DELETED.label == "cancelled"
        assert SubscriptionStatus.EXPIRED.label == "expired"


class TestTerm:
    def test_terms_sort_by_length_not_alphabetically(self) -> None:
        assert sorted([Term.P3Y, Term.P1Y, Term.P1M]) == [Term.P1M, Term.P1Y, Term.P3Y]
        assert Term.P1M < Term.P1Y < Term.P3Y
        assert Term.P3Y >= Term.P3Y > Term.P1Y

    @pytest.mark.parametrize(("term", "months"), [(Term.P1M, 1), (Term.P1Y, 12), (Term.P3Y, 36)])
    def test_months(self, term: Term, months: int) -> None:
        assert term.months == months

    @pytest.mark.parametrize(
        ("wire", "term"), [("P1Y", Term.P1Y), ("p1m", Term.P1M), ("P12M", Term.P1Y), ("P36M", Term.P3Y)]
    )
    def test_parse_accepts_equivalent_durations(self, wire: str, term: Term) -> None:
        assert Term.parse(wire) is term

    @pytest.mark.parametrize("wire", ["P2Y", "P30D", "yearly"])
    def test_parse_refuses_terms_microsoft_does_not_sell(self, wire: str) -> None:
        with pytest.raises(InvalidFrequency):
            Term.parse(wire)

    def test_billing_cycles_offered_per_term(self) -> None:
        assert Term.P1M.billing_cycles == {BillingCycle.MONTHLY}
        assert Term.P1Y.billing_cycles == {BillingCycle.MONTHLY, BillingCycle.ANNUAL}
        assert Term.P3Y.billing_cycles == {BillingCycle.MONTHLY, BillingCycle.ANNUAL, BillingCycle.TRIENNIAL}


class TestBillingCycle:
    @pytest.mark.parametrize(
        ("wire", "cycle"),
        [
            ("Annual", BillingCycle.ANNUAL),
            ("oneTime", BillingCycle.ONE_TIME),
            ("one_time", BillingCycle.ONE_TIME),
        ],
    )
    def test_provider_spellings(self, wire: str, cycle: BillingCycle) -> None:
        assert BillingCycle(wire) is cycle

    def test_an_unknown_cycle_is_refused(self) -> None:
        with pytest.raises(ValueError, match="fortnightly"):
            BillingCycle("fortnightly")

    def test_recurring_cycles_map_to_billing_frequencies(self) -> None:
        assert BillingCycle.TRIENNIAL.frequency is Frequency.TRIENNIAL
        assert BillingCycle.ONE_TIME.frequency is None
        assert BillingCycle.NONE.frequency is None


class TestSeatLot:
    def test_moments_are_kept_in_utc(self) -> None:
        lot = SeatLot(5, datetime(2026, 10, 8, 14, 0, tzinfo=timezone(timedelta(hours=2))))

        assert lot.allowed_until == datetime(2026, 10, 8, 12, 0, tzinfo=UTC)

    def test_open_strictly_before_allowed_until(self) -> None:
        lot = SeatLot(5, NOON)

        assert lot.is_open(NOON - timedelta(microseconds=1))
        assert not lot.is_open(NOON)

    def test_an_empty_lot_is_never_open(self) -> None:
        assert not SeatLot(0, NOON).is_open(NOON - timedelta(days=1))

    @pytest.mark.parametrize("quantity", [-1, 2.5, True])
    def test_a_lot_holds_a_whole_number_of_seats(self, quantity: object) -> None:
        with pytest.raises(InvalidQuantity):
            SeatLot(quantity, NOON)  # type: ignore[arg-type]

    def test_a_naive_moment_is_refused(self) -> None:
        with pytest.raises(ValueError, match="timezone-aware"):
            SeatLot(5, datetime(2026, 10, 8, 12, 0))


class TestSubscriptionTerms:
    def test_lots_given_as_a_list_are_kept_as_a_tuple(self) -> None:
        terms = replace(TERMS, refundable_lots=[SeatLot(5, NOON)])  # type: ignore[arg-type]

        assert terms.refundable_lots == (SeatLot(5, NOON),)

    def test_a_maximum_below_the_minimum_is_refused(self) -> None:
        with pytest.raises(InvalidQuantity, match="maximum quantity 2 is below the minimum 5") as refusal:
            replace(TERMS, min_quantity=5, max_quantity=2)

        assert refusal.value.field == "max_quantity"

    def test_a_negative_quantity_is_refused(self) -> None:
        with pytest.raises(InvalidQuantity):
            replace(TERMS, quantity=-1)

    def test_is_cancelled_only_when_deleted(self) -> None:
        assert replace(TERMS, status=SubscriptionStatus.DELETED).is_cancelled
        assert not TERMS.is_cancelled
