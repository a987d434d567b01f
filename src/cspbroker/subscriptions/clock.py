"""The clock the subscription pages, the API and the window guard read: the system clock, shifted.

A demo or an end-to-end test moves the provider sandbox's clock forward (`POST /_sandbox/clock`);
the platform must then judge windows at the same moment, or it would allow a decrease the sandbox
refuses. The offset (seconds, may be negative) comes from the file named by `CSPB_CLOCK_OFFSET_FILE`
(re-read on every call, so a running server follows it), else from `CSPB_CLOCK_OFFSET_SECONDS`.
Without either, this is the system clock. Production sets neither.
"""

from __future__ import annotations

import os
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from cspbroker.clock import system_clock
from cspbroker.domain.clock import Clock, local_date

OFFSET_FILE_ENV = "CSPB_CLOCK_OFFSET_FILE"
OFFSET_SECONDS_ENV = "CSPB_CLOCK_OFFSET_SECONDS"


def offset() -> timedelta:
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


class OffsetClock:
    """The system clock plus `offset()`; an offset of zero is the system clock itself."""

    def __init__(self, base: Clock = system_clock) -> None:
        self._base = base

    def now(self) -> datetime:
        return self._base.now() + offset()

    def today(self, tz: str | ZoneInfo) -> date:
        return local_date(self.now(), tz)


_PLATFORM_CLOCK = OffsetClock()


def platform_clock() -> Clock:
    return _PLATFORM_CLOCK
