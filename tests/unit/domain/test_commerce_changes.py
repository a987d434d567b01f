"""Auto-renew, term changes (longer only mid-term), changes scheduled for the renewal, friendly names."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from cspbroker.domain.commerce import (
    AutoRenewChange,
    AutoRenewRequired,
    BillingCycle,
    BillingCycleNotOffered,
    FriendlyNameEmpty,
    FriendlyNameTooLong,
    InvalidFriendlyName,
    NoChange,
    QuantityOutOfRange,
    ScheduledChange,
    SubscriptionCancelled,
    SubscriptionStatus,
    SubscriptionSuspended,
    SubscriptionTerms,
    Term,
    TermChange,
    TermEnded,
    TermShorterNotAllowed,
    TrialTermFixed,
    check_auto_renew,
    check_friendly_name,
    check_scheduled_change,
    check_term_change,
)

NOW = datetime(2026, 10, 12, 9, 0, tzinfo=UTC)
TERMS = SubscriptionTerms(
    quantity=20,
    status=SubscriptionStatus.ACTIVE,
    term=Term.P1Y,
    billing_cycle=BillingCycle.MONTHLY,
    commitment_end=date(2027, 9, 30),
    max_quantity=300,
)
MONTHLY_TERM = replace(TERMS, term=Term.P1M, commitment_end=date(2026, 10, 31))
TRIAL = replace(TERMS, quantity=25, is_trial=True, term=Term.P1M, commitment_end=date(2026, 10, 30))


class TestAutoRenew:
    def test_turning_it_off_says_when_the_subscription_ends(self) -> None:
        assert check_auto_renew(TERMS, False) == AutoRenewChange(
            enabled=False, clears_scheduled_change=False, ends_on=date(2027, 9, 30)
        )

    def test_turning_it_off_drops_the_scheduled_change(self) -> None:
        assert check_auto_renew(replace(TERMS, has_scheduled_change=True), False).clears_scheduled_change

    def test_turning_it_on(self) -> None:
        assert check_auto_renew(replace(TERMS, auto_renew=False), True) == AutoRenewChange(True, False, None)

    def test_already_on(self) -> None:
        with pytest.raises(NoChange, match=r"^Auto-renew is already on\.$") as refusal:
            check_auto_renew(TERMS, True)

        assert refusal.value.field == "auto_renew"

    def test_a_trial_can_turn_it_off(self) -> None:
        assert check_auto_renew(TRIAL, False).enabled is False

    def test_a_suspended_subscription_can_change_it(self) -> None:
        check_auto_renew(replace(TERMS, status=SubscriptionStatus.SUSPENDED), False)

    def test_not_on_a_cancelled_subscription(self) -> None:
        with pytest.raises(SubscriptionCancelled):
            check_auto_renew(replace(TERMS, status=SubscriptionStatus.DELETED), False)


class TestTermChange:
    def test_a_month_can_become_a_year(self) -> None:
        assert check_term_change(MONTHLY_TERM, Term.P1Y, NOW) == TermChange(Term.P1M, Term.P1Y, False)

    def test_a_year_can_become_three_years(self) -> None:
        assert check_term_change(TERMS, Term.P3Y, NOW).new_term is Term.P3Y

    def test_a_year_cannot_become_a_month_mid_term(self) -> None:
        with pytest.raises(TermShorterNotAllowed) as refusal:
            check_term_change(TERMS, Term.P1M, NOW)

        assert refusal.value.code == "term_shorter_not_allowed"
        assert refusal.value.field == "term"
        assert refusal.value.message == (
            "During a term, the term can only become longer: 1 year cannot become 1 month before it ends on "
            "30 Sep 2027. Schedule the shorter term for the renewal instead."
        )

    def test_an_immediate_term_change_clears_the_scheduled_change(self) -> None:
        change = check_term_change(replace(MONTHLY_TERM, has_scheduled_change=True), Term.P1Y, NOW)

        assert change.clears_scheduled_change

    def test_the_same_term_is_no_change(self) -> None:
        with pytest.raises(NoChange, match=r"^The term is already 1 year\.$"):
            check_term_change(TERMS, Term.P1Y, NOW)

    def test_a_trials_term_is_fixed(self) -> None:
        with pytest.raises(TrialTermFixed) as refusal:
            check_term_change(TRIAL, Term.P1Y, NOW)

        assert refusal.value.code == "trial_term_fixed"

    def test_not_while_suspended(self) -> None:
        with pytest.raises(SubscriptionSuspended, match="reactivate it before changing its term"):
            check_term_change(replace(TERMS, status=SubscriptionStatus.SUSPENDED), Term.P3Y, NOW)

    def test_not_after_the_term_ended(self) -> None:
        # The term's last day is 31 Oct; on 1 Nov what we hold predates the renewal.
        with pytest.raises(TermEnded, match=r"^The term ended on 31 Oct: refresh") as refusal:
            check_term_change(MONTHLY_TERM, Term.P1Y, datetime(2026, 11, 1, 0, 0, tzinfo=UTC))

        assert refusal.value.code == "term_ended"

    def test_allowed_on_the_terms_last_day(self) -> None:
        check_term_change(MONTHLY_TERM, Term.P1Y, datetime(2026, 10, 31, 23, 59, tzinfo=UTC))


class TestScheduledChange:
    def test_a_lower_quantity_at_renewal_is_allowed_outside_any_window(self) -> None:
        assert check_scheduled_change(TERMS, quantity=12) == ScheduledChange(
            quantity=12, term=Term.P1Y, billing_cycle=BillingCycle.MONTHLY, replaces_existing=False
        )

    def test_a_shorter_term_at_renewal_is_allowed(self) -> None:
        change = check_scheduled_change(TERMS, term=Term.P1M)

        assert (change.quantity, change.term, change.billing_cycle) == (20, Term.P1M, BillingCycle.MONTHLY)

    def test_needs_auto_renew_on(self) -> None:
        with pytest.raises(AutoRenewRequired) as refusal:
            check_scheduled_change(replace(TERMS, auto_renew=False), quantity=12)

        assert refusal.value.code == "auto_renew_required"
        assert refusal.value.message == (
            "A change for the renewal needs auto-renew on: turn it on first, or the subscription ends on "
            "30 Sep 2027."
        )

    @pytest.mark.parametrize("quantity", [0, 301])
    def test_the_quantity_stays_within_the_products_bounds(self, quantity: int) -> None:
        with pytest.raises(QuantityOutOfRange, match=f"between 1 and 300 seats, not {quantity}"):
            check_scheduled_change(TERMS, quantity=quantity)

    def test_the_term_must_offer_the_billing_cycle(self) -> None:
        annual = replace(TERMS, billing_cycle=BillingCycle.ANNUAL)

        with pytest.raises(BillingCycleNotOffered) as refusal:
            check_scheduled_change(annual, term=Term.P1M)

        assert refusal.value.code == "billing_cycle_not_offered"
        assert refusal.value.message == "A 1 month term is billed monthly, not annual."

    def test_the_offered_cycles_are_listed_in_order(self) -> None:
        with pytest.raises(
            BillingCycleNotOffered, match=r"^A 1 year term is billed monthly or annual, not triennial\.$"
        ):
            check_scheduled_change(TERMS, billing_cycle=BillingCycle.TRIENNIAL)

    def test_a_shorter_term_with_its_billing_cycle(self) -> None:
        annual = replace(TERMS, term=Term.P3Y, billing_cycle=BillingCycle.TRIENNIAL)

        change = check_scheduled_change(annual, term=Term.P1Y, billing_cycle=BillingCycle.ANNUAL)

        assert (change.term, change.billing_cycle) == (Term.P1Y, BillingCycle.ANNUAL)

    def test_nothing_different_is_no_change(self) -> None:
        with pytest.raises(NoChange) as refusal:
            check_scheduled_change(TERMS, quantity=20, term=Term.P1Y)

        assert refusal.value.message == (
            "The subscription already renews with 20 seats for 1 year, billed monthly: "
            "there is nothing to schedule."
        )

    def test_todays_values_over_a_scheduled_change_undo_it(self) -> None:
        change = check_scheduled_change(replace(TERMS, has_scheduled_change=True), quantity=20)

        assert change.replaces_existing

    def test_not_on_a_cancelled_subscription(self) -> None:
        with pytest.raises(SubscriptionCancelled):
            check_scheduled_change(replace(TERMS, status=SubscriptionStatus.DELETED), quantity=12)


class TestFriendlyName:
    def test_the_name_is_trimmed(self) -> None:
        assert check_friendly_name("  Sales team  ") == "Sales team"

    def test_100_characters_are_allowed(self) -> None:
        assert check_friendly_name("x" * 100) == "x" * 100

    def test_101_characters_are_too_many(self) -> None:
        with pytest.raises(FriendlyNameTooLong) as refusal:
            check_friendly_name(" " + "x" * 101)

        assert refusal.value.code == "friendly_name_too_long"
        assert refusal.value.message == "A name can have at most 100 characters; this one has 101."

    @pytest.mark.parametrize("name", ["", "   ", "\t\n"])
    def test_an_empty_name_is_refused(self, name: str) -> None:
        with pytest.raises(FriendlyNameEmpty) as refusal:
            check_friendly_name(name)

        assert refusal.value.code == "friendly_name_empty"
        assert refusal.value.field == "friendly_name"

    def test_line_breaks_inside_are_refused(self) -> None:
        with pytest.raises(InvalidFriendlyName) as refusal:
            check_friendly_name("Sales\nteam")

        assert refusal.value.code == "invalid_friendly_name"
