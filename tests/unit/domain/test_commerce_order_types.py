"""Which order types each provider supports, and the availability of every action in one call."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from cspbroker.domain.commerce import (
    DISTRIBUTOR_CAPABILITIES,
    PARTNER_CENTER_CAPABILITIES,
    ActionAvailability,
    BillingCycle,
    OrderType,
    OrderTypeUnsupported,
    ProviderCapabilities,
    SeatLot,
    SubscriptionStatus,
    SubscriptionTerms,
    Term,
    available_actions,
    check_supported,
)

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
    max_quantity=300,
)
ALLOWED = ActionAvailability(True)


def codes(actions: dict[OrderType, ActionAvailability]) -> dict[OrderType, str | None]:
    return {order_type: availability.code for order_type, availability in actions.items()}


class TestCapabilities:
    def test_the_distributor_refuses_package_migration_with_the_seeds_reason(self) -> None:
        with pytest.raises(OrderTypeUnsupported) as refusal:
            check_supported(DISTRIBUTOR_CAPABILITIES, OrderType.MID_CYCLE_PACKAGE_MIGRATION)

        assert refusal.value.code == "order_type_unsupported"
        assert refusal.value.field == "order_type"
        assert (
            refusal.value.message == "Mid-cycle package migrations are not supported by the Rhipe platform."
        )

    def test_the_distributors_cancellation_only_cancels_the_billing(self) -> None:
        reason = DISTRIBUTOR_CAPABILITIES.reason(OrderType.CANCEL)

        assert reason is not None
        assert reason.startswith(
            "The cancellation only cancels the billing; the service stays at the distributor."
        )
        assert DISTRIBUTOR_CAPABILITIES.cancellation_is_billing_only
        check_supported(DISTRIBUTOR_CAPABILITIES, OrderType.BILLING_ONLY_CANCEL)

    def test_the_distributor_supports_what_its_api_can_do(self) -> None:
        assert DISTRIBUTOR_CAPABILITIES.supported == {
            OrderType.NEW,
            OrderType.ADD_QUANTITY,
            OrderType.REMOVE_QUANTITY,
            OrderType.SUSPEND,
            OrderType.REACTIVATE,
            OrderType.BILLING_ONLY_CANCEL,
            OrderType.ADD_ON,
        }

    def test_partner_center_supports_all_but_package_migration(self) -> None:
        assert PARTNER_CENTER_CAPABILITIES.supported == set(OrderType) - {
            OrderType.MID_CYCLE_PACKAGE_MIGRATION
        }
        assert not PARTNER_CENTER_CAPABILITIES.cancellation_is_billing_only
        assert PARTNER_CENTER_CAPABILITIES.reason(OrderType.MID_CYCLE_PACKAGE_MIGRATION) == (
            "Partner Center has no package migration: upgrade the subscription to move its seats to another "
            "product, or schedule the product for the renewal."
        )

    def test_a_supported_order_type_has_no_reason(self) -> None:
        assert PARTNER_CENTER_CAPABILITIES.reason(OrderType.CANCEL) is None
        check_supported(PARTNER_CENTER_CAPABILITIES, OrderType.CANCEL)

    def test_an_unsupported_order_type_without_a_reason_gets_one(self) -> None:
        esd = ProviderCapabilities(frozenset({OrderType.NEW}), provider="Microsoft ESD")

        assert esd.reason(OrderType.SUSPEND) == "Microsoft ESD does not support suspending."

    def test_a_reason_for_a_supported_order_type_is_a_mistake(self) -> None:
        with pytest.raises(ValueError, match="cancel"):
            ProviderCapabilities(frozenset(OrderType), {OrderType.CANCEL: "no"})

    def test_reasons_cannot_be_changed_afterwards(self) -> None:
        with pytest.raises(TypeError):
            DISTRIBUTOR_CAPABILITIES.reasons[OrderType.CANCEL] = "changed"  # type: ignore[index]


class TestAvailableActions:
    def test_every_order_type_is_answered(self) -> None:
        assert list(available_actions(TERMS, PARTNER_CENTER_CAPABILITIES, day(3))) == list(OrderType)

    def test_partner_center_on_day_12(self) -> None:
        actions = available_actions(TERMS, PARTNER_CENTER_CAPABILITIES, day(12))

        assert codes(actions) == {
            OrderType.NEW: None,
            OrderType.ADD_QUANTITY: None,
            OrderType.REMOVE_QUANTITY: None,  # the 5 seats added on day 10 are still in their window
            OrderType.SUSPEND: None,
            OrderType.REACTIVATE: "not_suspended",
            OrderType.CANCEL: "cancel_outside_window",
            OrderType.BILLING_ONLY_CANCEL: None,
            OrderType.ADD_ON: None,
            OrderType.UPGRADE: None,
            OrderType.TERM_CHANGE: None,
            OrderType.SCHEDULED_CHANGE: None,
            OrderType.AUTO_RENEW: None,
            OrderType.FRIENDLY_NAME: None,
            OrderType.MID_CYCLE_PACKAGE_MIGRATION: "order_type_unsupported",
        }
        assert actions[OrderType.ADD_QUANTITY] == ALLOWED
        assert actions[OrderType.CANCEL].reason == (
            "The cancellation window closed on 8 Oct 09:00 UTC: the whole term is billed, until 30 Sep 2027. "
            "Turn auto-renew off so that it ends then."
        )

    def test_no_seat_removable_on_day_18(self) -> None:
        removal = available_actions(TERMS, PARTNER_CENTER_CAPABILITIES, day(18))[OrderType.REMOVE_QUANTITY]

        assert not removal.allowed
        assert removal.code == "decrease_outside_window"
        assert removal.reason is not None and removal.reason.startswith("No seats can be removed now")

    def test_the_distributor_disables_package_migration_with_its_reason(self) -> None:
        actions = available_actions(TERMS, DISTRIBUTOR_CAPABILITIES, day(3))

        assert actions[OrderType.MID_CYCLE_PACKAGE_MIGRATION] == ActionAvailability(
            False,
            "Mid-cycle package migrations are not supported by the Rhipe platform.",
            "order_type_unsupported",
        )
        assert actions[OrderType.CANCEL].code == "order_type_unsupported"
        assert actions[OrderType.BILLING_ONLY_CANCEL] == ALLOWED

    def test_the_providers_refusal_comes_before_the_subscriptions(self) -> None:
        cancelled = replace(TERMS, status=SubscriptionStatus.DELETED)

        actions = available_actions(cancelled, DISTRIBUTOR_CAPABILITIES, day(3))

        assert actions[OrderType.MID_CYCLE_PACKAGE_MIGRATION].code == "order_type_unsupported"
        assert actions[OrderType.SUSPEND].code == "subscription_cancelled"

    def test_a_trial(self) -> None:
        trial = replace(
            TERMS,
            quantity=25,
            is_trial=True,
            term=Term.P1M,
            cancellation_allowed_until=None,
            refundable_lots=(),
        )

        actions = codes(available_actions(trial, PARTNER_CENTER_CAPABILITIES, day(3)))

        assert actions[OrderType.ADD_QUANTITY] == "trial_quantity_fixed"
        assert actions[OrderType.REMOVE_QUANTITY] == "trial_quantity_fixed"
        assert actions[OrderType.SUSPEND] == "trial_not_suspendable"
        assert actions[OrderType.CANCEL] == "trial_not_cancellable"
        assert actions[OrderType.TERM_CHANGE] == "trial_term_fixed"
        assert actions[OrderType.AUTO_RENEW] is None

    def test_a_suspended_subscription(self) -> None:
        suspended = replace(TERMS, status=SubscriptionStatus.SUSPENDED)

        actions = codes(available_actions(suspended, PARTNER_CENTER_CAPABILITIES, day(3)))

        assert actions[OrderType.ADD_QUANTITY] == "subscription_suspended"
        assert actions[OrderType.REMOVE_QUANTITY] == "subscription_suspended"
        assert actions[OrderType.SUSPEND] == "already_suspended"
        assert actions[OrderType.REACTIVATE] is None
        assert actions[OrderType.CANCEL] is None

    def test_a_cancelled_subscription_allows_only_a_new_purchase(self) -> None:
        cancelled = replace(TERMS, status=SubscriptionStatus.DELETED)

        actions = available_actions(cancelled, PARTNER_CENTER_CAPABILITIES, day(3))

        assert [order_type for order_type, availability in actions.items() if availability.allowed] == [
            OrderType.NEW
        ]

    def test_at_the_maximum_no_seat_can_be_added(self) -> None:
        full = replace(TERMS, quantity=300)

        adding = available_actions(full, PARTNER_CENTER_CAPABILITIES, day(3))[OrderType.ADD_QUANTITY]

        assert adding == ActionAvailability(
            False,
            "The subscription already has the most seats the product allows, 300 seats.",
            "quantity_out_of_range",
        )

    def test_at_the_minimum_no_seat_can_be_removed(self) -> None:
        single = replace(TERMS, quantity=1, refundable_lots=(SeatLot(1, day(7)),))

        removing = available_actions(single, PARTNER_CENTER_CAPABILITIES, day(3))[OrderType.REMOVE_QUANTITY]

        assert removing.code == "quantity_out_of_range"
        assert removing.reason == "The subscription already has the fewest seats the product allows, 1 seat."

    def test_the_longest_term_cannot_grow(self) -> None:
        triennial = replace(TERMS, term=Term.P3Y)

        term_change = available_actions(triennial, PARTNER_CENTER_CAPABILITIES, day(3))[OrderType.TERM_CHANGE]

        assert (term_change.code, term_change.reason) == ("no_change", "The term is already 3 years.")

    def test_scheduling_needs_auto_renew(self) -> None:
        manual = replace(TERMS, auto_renew=False)

        assert available_actions(manual, PARTNER_CENTER_CAPABILITIES, day(3))[
            OrderType.SCHEDULED_CHANGE
        ].code == ("auto_renew_required")
