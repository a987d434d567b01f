"""Time as a dependency: the domain asks a `Clock`, it never reads the system time itself.

Moments are timezone-aware UTC. Billing days are local dates in the reseller's time zone, so
`today(tz)` takes the zone: at 23:30 UTC on 31 October it is already 1 November in Berlin.
Tests use `FrozenClock` and travel in time with `advance` and `set`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cspbroker.domain.errors import UnknownTimeZone


class Clock(Protocol):
    def now(self) -> datetime:
        """The current moment, timezone-aware, in UTC."""
        ...

    def today(self, tz: str | ZoneInfo) -> date:
        """The current date in the time zone `tz` (an IANA name such as "Europe/Paris")."""
        ...


def time_zone(tz: str | ZoneInfo) -> ZoneInfo:
    """The zone for an IANA name, or `UnknownTimeZone`."""
    if isinstance(tz, ZoneInfo):
        return tz
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise UnknownTimeZone(f"{tz!r} is not a known time zone.", field="time_zone") from None


def local_date(moment: datetime, tz: str | ZoneInfo) -> date:
    """The calendar date of an aware `moment` in the zone `tz`."""
    return moment.astimezone(time_zone(tz)).date()


def require_aware(moment: datetime) -> datetime:
    """`moment` in UTC; a naive datetime is refused because its zone would be a guess."""
    if not isinstance(moment, datetime) or moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"A clock needs a timezone-aware datetime, not {moment!r}.")
    return moment.astimezone(UTC)


class FrozenClock:
    """A clock that only moves when told to, for tests and for replaying a past day."""

    def __init__(self, at: datetime) -> None:
        self._now = require_aware(at)

    def now(self) -> datetime:
        return self._now

    def today(self, tz: str | ZoneInfo) -> date:
        return local_date(self._now, tz)

    def advance(self, **interval: float) -> datetime:
        """Move by `timedelta(**interval)` (negative values go back) and return the new moment."""
        self._now += timedelta(**interval)
        return self._now

    def set(self, at: datetime) -> datetime:
        self._now = require_aware(at)
        return self._now

    def __repr__(self) -> str:
        return f"FrozenClock({self._now.isoformat()})"
