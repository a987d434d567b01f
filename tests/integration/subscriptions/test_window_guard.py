"""The window guard (X3): a daily job tells staff about windows closing within 24 hours, once a day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from huey.contrib.djhuey import HUEY

from cspbroker.domain.clock import FrozenClock
from cspbroker.notifications.models import OutboundEmail
from cspbroker.subscriptions import tasks
from cspbroker.subscriptions.models import Subscription
from tests.integration.subscriptions.shop import RESELLER, committed

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 10, 6, 0, tzinfo=UTC)


def with_windows(shop, *, cancel_in: timedelta | None, lots: list[tuple[int, timedelta]]) -> Subscription:
    sub = shop.buy(5)
    sub.cancellation_allowed_until = None if cancel_in is None else NOW + cancel_in
    sub.refundable_lots = [{"quantity": q, "allowed_until": (NOW + left).isoformat()} for q, left in lots]
    sub.save()
    return sub


def test_staff_get_one_email_per_subscription_and_day(shop):
    sub = with_windows(shop, cancel_in=timedelta(hours=20), lots=[(5, timedelta(hours=20))])
    with_windows(shop, cancel_in=timedelta(days=5), lots=[(2, timedelta(days=5))])  # not yet
    with committed():
        assert tasks.warn_closing_windows(clock=FrozenClock(NOW)) == 1
        assert tasks.warn_closing_windows(clock=FrozenClock(NOW + timedelta(hours=2))) == 1
    [email] = OutboundEmail.objects.filter(template_key="window_closing")
    assert email.idempotency_key == f"window-closing:{sub.pk}:2026-03-10"
    assert RESELLER in email.to and "admin@adventureworks.example" not in email.to
    assert email.subject == "2 cancellation windows closing within 24 hours"


def test_closed_or_far_windows_and_cancelled_subscriptions_are_not_reported(shop):
    with_windows(shop, cancel_in=timedelta(hours=-1), lots=[])
    cancelled = with_windows(shop, cancel_in=timedelta(hours=3), lots=[(5, timedelta(hours=3))])
    Subscription.objects.filter(pk=cancelled.pk).update(status="cancelled")
    assert tasks.warn_closing_windows(clock=FrozenClock(NOW)) == 0
    assert not OutboundEmail.objects.filter(template_key="window_closing").exists()


def test_the_guard_is_a_daily_periodic_job():
    periodic = [task for task in HUEY._registry._periodic_tasks if task.__name__ == "window_guard"]
    assert len(periodic) == 1
    assert periodic[0]().validate_datetime(datetime(2026, 3, 10, 6, 0))
    assert not periodic[0]().validate_datetime(datetime(2026, 3, 10, 7, 0))
