"""Clocks: aware UTC moments, local dates in the reseller's zone, and time travel in tests."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from cspbroker.clock import PlatformClock, platform_clock
from cspbroker.domain.clock import Clock, FrozenClock, local_date
from cspbroker.domain.errors import UnknownTimeZone

LATE_ON_31_OCTOBER = datetime(2026, 10, 31, 23, 30, tzinfo=UTC)


def test_a_frozen_clock_tells_the_moment_it_was_given() -> None:
    assert FrozenClock(LATE_ON_31_OCTOBER).now() == LATE_ON_31_OCTOBER


def test_a_frozen_clock_keeps_moments_in_utc() -> None:
    paris = datetime(2026, 11, 1, 0, 30, tzinfo=ZoneInfo("Europe/Paris"))

    now = FrozenClock(paris).now()

    assert now.tzinfo is UTC
    assert now == LATE_ON_31_OCTOBER


def test_a_naive_datetime_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        FrozenClock(datetime(2026, 10, 31, 23, 30))


def test_today_is_the_local_date_in_the_resellers_zone() -> None:
    clock = FrozenClock(LATE_ON_31_OCTOBER)

    assert clock.today("UTC") == date(2026, 10, 31)
    assert clock.today("Europe/Berlin") == date(2026, 11, 1)
    assert clock.today(ZoneInfo("America/New_York")) == date(2026, 10, 31)


def test_an_unknown_zone_is_refused() -> None:
    with pytest.raises(UnknownTimeZone) as raised:
        FrozenClock(LATE_ON_31_OCTOBER).today("Mars/Olympus_Mons")

    assert raised.value.code == "unknown_time_zone"


def test_advance_travels_forward_and_back() -> None:
    clock = FrozenClock(LATE_ON_31_OCTOBER)

    assert clock.advance(hours=1) == datetime(2026, 11, 1, 0, 30, tzinfo=UTC)
    assert clock.advance(days=-2, minutes=-30) == datetime(2026, 10, 30, 0, 0, tzinfo=UTC)
    assert clock.now() == datetime(2026, 10, 30, 0, 0, tzinfo=UTC)


def test_set_jumps_to_a_moment() -> None:
    clock = FrozenClock(LATE_ON_31_OCTOBER)

    clock.set(datetime(2027, 1, 1, tzinfo=timezone(timedelta(hours=2))))

    assert clock.now() == datetime(2026, 12, 31, 22, 0, tzinfo=UTC)


def test_set_refuses_a_naive_datetime() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        FrozenClock(LATE_ON_31_OCTOBER).set(datetime(2027, 1, 1))


def test_local_date_across_a_daylight_saving_change() -> None:
    # Europe/Paris leaves summer time at 01:00 UTC on 25 October 2026.
    assert local_date(datetime(2026, 10, 25, 22, 59, tzinfo=UTC), "Europe/Paris") == date(2026, 10, 25)
    assert local_date(datetime(2026, 10, 25, 23, 0, tzinfo=UTC), "Europe/Paris") == date(2026, 10, 26)


def test_the_system_clock_reads_the_real_time_in_utc() -> None:
    before = datetime.now(UTC)

    now = platform_clock.now()

    assert now.tzinfo is UTC
    assert before <= now <= datetime.now(UTC)
    assert isinstance(platform_clock, PlatformClock)


def test_both_clocks_are_clocks() -> None:
    clocks: list[Clock] = [PlatformClock(), FrozenClock(LATE_ON_31_OCTOBER)]

    assert all(isinstance(clock.today("UTC"), date) for clock in clocks)
