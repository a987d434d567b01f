"""The one place in the platform that reads the real clock.

Everything else receives a `cspbroker.domain.clock.Clock`: services take `clock=system_clock` from
their entry points, and tests pass a `FrozenClock` instead.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from cspbroker.domain.clock import Clock, local_date


class SystemClock:
    """The wall clock, in UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def today(self, tz: str | ZoneInfo) -> date:
        return local_date(self.now(), tz)


system_clock: Clock = SystemClock()
