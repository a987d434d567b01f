"""Cancel (inside the provider's window only), cancel the billing only, suspend and reactivate."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from cspbroker.domain.commerce import (
    AlreadyCancelled,
    AlreadySuspended,
    BillingCycle,
    CancelOutsideWindow,
    NotCancellable,
    NotSuspended,
    SeatLot,
    SubscriptionCancelled,
    SubscriptionNotActive,
    SubscriptionStatus,
    SubscriptionTerms,
    Term,
    TrialNotCancellable,
    TrialNotSuspendable,
    check_billing_only_cancel,
    check_cancel,
    check_reactivate,
    check_suspend,
)
from cspbroker.domain.errors import DomainError

DAY_0 = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)


def day(n: float) -> datetime:
    return DAY_0 + timedelta(days=n)


TERMS = SubscriptionTerms(
    quantity=10,
    status=SubscriptionStatus.ACTIVE,
    term=Term.P1Y,
    billing_cycle=BillingCycle.MONTHLY,
    commitment_end=date(2027, 9, 30),
    cancellation_allowed_until=day(7),
    refundable_lots=(SeatLot(10, day(7)),),
)
TRIAL = replace(
    TERMS, quantity=25, is_trial=True, term=Term.P1M, commitment_end=date(2026, 10, 30),
    cancellation_allowed_until=None, refundable_lots=(),
)  # fmt: skip
SUSPENDED = replace(TERMS, status=SubscriptionStatus.SUSPENDED)
CANCELLED = replace(TERMS, status=SubscriptionStatus.DELETED)
EXPIRED = replace(TERMS, status=SubscriptionStatus.EXPIRED)


def refusal_of(check: object, *args: object) -> DomainError:
    with pytest.raises(DomainError) as refusal:
        check(*args)  # type: ignore[operator]
    return refusal.value


class TestCancel:
    def test_allowed_on_day_3(self) -> None:
        check_cancel(TERMS, day(3))

    def test_allowed_until_the_last_moment_of_the_window(self) -> None:
        check_cancel(TERMS, day(7))

    def test_refused_on_day_8(self) -> None:
        refusal = refusal_of(check_cancel, TERMS, day(8))

        assert isinstance(refusal, CancelOutsideWindow)
        assert refusal.code == "cancel_outside_window"
        assert refusal.message == (
            "The cancellation window closed on 8 Oct 09:00 UTC: the whole term is billed, until "
            "30 Sep 2027. Turn auto-renew off so that it ends then."
        )

    def test_refused_a_microsecond_after_the_window(self) -> None:
        assert (
            refusal_of(check_cancel, TERMS, day(7) + timedelta(microseconds=1)).code
            == "cancel_outside_window"
        )

    def test_the_window_is_the_providers_not_seven_days(self) -> None:
        # A window that law or a renewal made 14 days long is honoured as given.
        check_cancel(replace(TERMS, cancellation_allowed_until=day(14)), day(13))

    def test_a_suspended_subscription_can_be_cancelled_inside_the_window(self) -> None:
        check_cancel(SUSPENDED, day(3))

    def test_a_trial_cannot_be_cancelled(self) -> None:
        refusal = refusal_of(check_cancel, TRIAL, day(3))

        assert isinstance(refusal, TrialNotCancellable)
        assert refusal.code == "trial_not_cancellable"
        assert refusal.message == (
            "A trial cannot be cancelled: turn auto-renew off and it ends without charge on 30 Oct."
        )

    def test_already_cancelled(self) -> None:
        refusal = refusal_of(check_cancel, CANCELLED, day(3))

        assert isinstance(refusal, AlreadyCancelled)
        assert refusal.message == "This subscription is already cancelled."

    def test_no_window_from_the_provider_means_not_cancellable(self) -> None:
        refusal = refusal_of(check_cancel, replace(TERMS, cancellation_allowed_until=None), day(3))

        assert isinstance(refusal, NotCancellable)
        assert refusal.code == "not_cancellable"
        assert refusal.message == (
            "The provider does not allow this subscription to be cancelled. Turn auto-renew off so that "
            "it ends on 30 Sep 2027."
        )

    def test_an_expired_subscription_cannot_be_cancelled(self) -> None:
        assert refusal_of(check_cancel, EXPIRED, day(3)).code == "subscription_not_active"


class TestBillingOnlyCancel:
    @pytest.mark.parametrize("terms", [TERMS, SUSPENDED, TRIAL], ids=["active", "suspended", "trial"])
    def test_allowed_for_a_live_subscription(self, terms: SubscriptionTerms) -> None:
        check_billing_only_cancel(terms)

    def test_allowed_long_after_the_cancellation_window(self) -> None:
        # It stops our billing and leaves the provider alone: no window applies.
        check_billing_only_cancel(replace(TERMS, cancellation_allowed_until=None))

    def test_already_cancelled(self) -> None:
        assert refusal_of(check_billing_only_cancel, CANCELLED).code == "already_cancelled"

    def test_an_expired_subscription_bills_nothing_to_stop(self) -> None:
        refusal = refusal_of(check_billing_only_cancel, EXPIRED)

        assert isinstance(refusal, SubscriptionNotActive)
        assert refusal.message == (
            "This subscription is expired: cancelling its billing is possible only on an active subscription."
        )


class TestSuspend:
    def test_active_can_be_suspended(self) -> None:
        check_suspend(TERMS)

    def test_already_suspended(self) -> None:
        refusal = refusal_of(check_suspend, SUSPENDED)

        assert isinstance(refusal, AlreadySuspended)
        assert refusal.code == "already_suspended"

    def test_a_trial_cannot_be_suspended(self) -> None:
        refusal = refusal_of(check_suspend, TRIAL)

        assert isinstance(refusal, TrialNotSuspendable)
        assert refusal.code == "trial_not_suspendable"
        assert refusal.message == "A trial cannot be suspended: turn auto-renew off so that it ends instead."

    def test_cancelled(self) -> None:
        refusal = refusal_of(check_suspend, CANCELLED)

        assert isinstance(refusal, SubscriptionCancelled)
        assert refusal.message == "This subscription is cancelled: suspending it is no longer possible."

    @pytest.mark.parametrize("status", [SubscriptionStatus.PENDING, SubscriptionStatus.DISABLED])
    def test_only_active_can_be_suspended(self, status: SubscriptionStatus) -> None:
        assert refusal_of(check_suspend, replace(TERMS, status=status)).code == "subscription_not_active"


class TestReactivate:
    def test_suspended_can_be_reactivated(self) -> None:
        check_reactivate(SUSPENDED)

    @pytest.mark.parametrize("status", [SubscriptionStatus.ACTIVE, SubscriptionStatus.EXPIRED])
    def test_only_suspended_can_be_reactivated(self, status: SubscriptionStatus) -> None:
        refusal = refusal_of(check_reactivate, replace(TERMS, status=status))

        assert isinstance(refusal, NotSuspended)
        assert refusal.code == "not_suspended"
        assert (
            refusal.message
            == f"Only a suspended subscription can be reactivated; this one is {status.value}."
        )

    def test_cancellation_is_final(self) -> None:
        refusal = refusal_of(check_reactivate, CANCELLED)

        assert refusal.code == "subscription_cancelled"
        assert (
            refusal.message
            == "A cancelled subscription cannot be reactivated: buy a new subscription instead."
        )
