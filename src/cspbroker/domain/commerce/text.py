"""How commerce messages write seats, moments and durations, the same way in every sentence.

Windows are set by the provider in UTC, so moments are shown in UTC and say so. The year is left out
when it is the current one ("21 Oct 14:00 UTC") and written when it is not ("3 Jan 2027").
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

# Not calendar.month_abbr: that follows the process locale, and messages must not change with it.
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def seats(quantity: int) -> str:
    return f"{quantity} seat" if quantity == 1 else f"{quantity} seats"


def day_text(day: date, now: datetime | None = None) -> str:
    """ "30 Sep", or "30 Sep 2027" when the year is not the current one (or `now` is not known)."""
    text = f"{day.day} {_MONTHS[day.month - 1]}"
    return text if now is not None and day.year == now.year else f"{text} {day.year}"


def moment_text(moment: datetime, now: datetime) -> str:
    """ "21 Oct 14:00 UTC" (both already in UTC)."""
    return f"{day_text(moment.date(), now)} {moment:%H:%M} UTC"


def duration_text(delta: timedelta) -> str:
    """ "2 days 4 hours", "5 hours 30 minutes", "12 minutes": the two largest units, cut down.

    Time left is rounded down, never up: a countdown must not promise minutes that are not there.
    """
    minutes = int(delta.total_seconds()) // 60
    if minutes < 1:
        return "less than a minute"
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return _units((days, "day"), (hours, "hour"))
    if hours:
        return _units((hours, "hour"), (minutes, "minute"))
    return _units((minutes, "minute"))


def _units(*parts: tuple[int, str]) -> str:
    return " ".join(f"{count} {unit}{'' if count == 1 else 's'}" for count, unit in parts if count)
