"""A subscription's term and billing cycles, computed from its anchor date (never chained).

A term starts `termOffsetMonths` after the anchor and lasts the term's months (a trial: 30 days).
Cycle k of the term starts `k × cycle months` later; every date is `add_months(anchor, n)`, clamped
to month ends, so a subscription bought on Jan 31 bills on Feb 28, Mar 31, Apr 30, ...
New-commerce end dates are inclusive: `commitmentEndDate` = the day before the next term starts.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from .timeutil import CANCELLATION_WINDOW, CYCLE_MONTHS, TERM_MONTHS, TRIAL_DAYS, add_months, midnight, parse


def anchor(sub: dict[str, Any]) -> date:
    return date.fromisoformat(sub["anchorDate"])


def term_bounds(sub: dict[str, Any]) -> tuple[date, date]:
    """(first day, first day after) of the current term."""
    start_anchor = anchor(sub)
    if sub.get("isTrial"):
        return start_anchor, start_anchor + timedelta(days=TRIAL_DAYS)
    offset = int(sub["termOffsetMonths"])
    return add_months(start_anchor, offset), add_months(
        start_anchor, offset + TERM_MONTHS[sub["termDuration"]]
    )


def cycle_bounds(sub: dict[str, Any], index: int) -> tuple[date, date] | None:
    """(first day, first day after) of billing cycle `index` of the current term, or None past its end."""
    months = CYCLE_MONTHS.get(sub["billingCycle"])
    if months is None or sub.get("isTrial"):
        return None
    _, term_end = term_bounds(sub)
    offset = int(sub["termOffsetMonths"])
    start = add_months(anchor(sub), offset + index * months)
    if start >= term_end:
        return None
    return start, min(add_months(anchor(sub), offset + (index + 1) * months), term_end)


def current_cycle(sub: dict[str, Any], day: date) -> tuple[date, date] | None:
    index = 0
    while (bounds := cycle_bounds(sub, index)) is not None:
        if bounds[0] <= day < bounds[1]:
            return bounds
        index += 1
    return None


def first_cycle_after(sub: dict[str, Any], day: date) -> int:
    """Index of the first cycle of the current term starting after `day`."""
    index = 0
    while (bounds := cycle_bounds(sub, index)) is not None and bounds[0] <= day:
        index += 1
    return index


def next_event(sub: dict[str, Any]) -> datetime | None:
    """When the clock next changes this subscription: a cycle start (a charge) or the term's end."""
    if sub["status"] in ("deleted", "expired"):
        return None
    bounds = cycle_bounds(sub, int(sub["nextCycle"]))
    if bounds is not None:
        return midnight(bounds[0])
    return midnight(term_bounds(sub)[1])


def window_end(sub: dict[str, Any]) -> datetime | None:
    """End of the cancellation window (7 days after purchase or renewal); trials have none."""
    if sub.get("isTrial"):
        return None
    return parse(sub["termStartedAt"]) + CANCELLATION_WINDOW


def refundable_lots(sub: dict[str, Any], now: datetime) -> list[dict[str, Any]]:
    return [lot for lot in sub.get("lots", []) if parse(lot["until"]) >= now and int(lot["quantity"]) > 0]
