"""The one place in the platform that reads the real clock: `platform_clock`.

Everything else receives a `cspbroker.domain.clock.Clock`: entry points pass `platform_clock`, tests
pass a `FrozenClock`, and model fields default to `now` (this clock, never `timezone.now`).

The platform clock is the system clock (UTC) plus an optional offset. A demo or an end-to-end test
moves the provider sandbox's clock forward (`POST /_sandbox/clock`); the platform must then judge
windows, renewals and bills at the same moment, or it would allow a decrease the sandbox refuses.
The offset (seconds, may be negative) comes from the file named by `CSPB_CLOCK_OFFSET_FILE` (re-read
on every call, so a running server follows it), else from `CSPB_CLOCK_OFFSET_SECONDS`. Production
sets neither, and the platform clock is then the system clock itself.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from cspbroker.domain.clock import Clock, local_date

OFFSET_FILE_ENV = "CSPB_CLOCK_OFFSET_FILE"
OFFSET_SECONDS_ENV = "CSPB_CLOCK_OFFSET_SECONDS"


def offset() -> timedelta:
    """The platform clock's offset from the system clock (zero unless a demo or a test sets one)."""
    path = os.environ.get(OFFSET_FILE_ENV)
    text = ""
    if path:
        try:
            text = Path(path).read_text().strip()
        except OSError:
            text = ""
    text = text or os.environ.get(OFFSET_SECONDS_ENV, "").strip()
    try:
        return timedelta(seconds=float(text)) if text else timedelta(0)
    except ValueError:
        return timedelta(0)


class PlatformClock:
    """The wall clock in UTC, shifted by `offset()`."""

    def now(self) -> datetime:
        return datetime.now(UTC) + offset()

    def today(self, tz: str | ZoneInfo) -> date:
        return local_date(self.now(), tz)


platform_clock: Clock = PlatformClock()


def now() -> datetime:
    """The platform clock's moment: the default of every timestamp column."""
    return platform_clock.now()
