"""What a subscription ledger entry may say, checked before anything is written (the issue's bad input).

The ledger is the one book of record: every change to a subscription, from any door, is an entry
with the time it happened (`effective_at`) and the time we learned it (`recorded_at`). Entries are
facts, so none may be dated after the moment it is recorded (a provider's clock a few minutes ahead
is tolerated); a historic sales price (C4) is a decision and may be set ahead of time. No entry may
reach back before the subscription started, nor before the oldest billing cycle still open to
corrections: older bills are settled for good. Quantities and prices are bounded so that every
number fits its column and every later read of the subscription works.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from cspbroker.domain.errors import DomainError
from cspbroker.domain.periods import BillingCycle, billing_cycle, billing_cycle_containing

# Unit prices are NUMERIC(18, 6) and charge amounts NUMERIC(24, 6): the largest quantity times the
# largest unit price (a triennial price in rupiah runs to tens of millions) stays inside both.
# Partner Center sells at most 10,000 licences of a SKU per subscription in most markets.
MAX_QUANTITY = 1_000_000
MAX_UNIT_PRICE = Decimal("999999999.999999")
PRICE_DECIMALS = 6
# A provider's clock (or our own worker's) may run a little ahead of the one that checks.
CLOCK_TOLERANCE = timedelta(minutes=5)
# A historic sales price may be planned ahead, but not beyond any term Microsoft sells.
MAX_PRICE_LEAD = timedelta(days=3 * 366)
# Bills older than this many cycles before the current one are settled: no correction reaches them.
DEFAULT_CORRECTION_CYCLES = 3


class LedgerError(DomainError):
    code = "invalid_ledger_entry"


class ChangeInTheFuture(LedgerError):
    code = "change_in_the_future"


class ChangeTooOld(LedgerError):
    code = "change_too_old"


class ChangeBeforeStart(LedgerError):
    code = "before_start"


class QuantityOutOfBounds(LedgerError):
    code = "invalid_quantity"


class PriceOutOfBounds(LedgerError):
    code = "invalid_price"


@dataclass(frozen=True, slots=True)
class Horizon:
    """Where a subscription's ledger may be written: `earliest` day (local) up to `latest` moment."""

    earliest: date
    latest: datetime
    started: date | None = None


def oldest_open_cycle(
    billing_day: int, today: date, cycles_back: int = DEFAULT_CORRECTION_CYCLES
) -> BillingCycle:
    """The oldest billing cycle a correction may still reach: `cycles_back` before today's."""
    current = billing_cycle_containing(billing_day, today)
    year, month = (int(part) for part in current.label.split("-"))
    month -= max(cycles_back, 0)
    year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    return billing_cycle(billing_day, year, month)


def check_moment(effective_at: datetime, effective_day: date, horizon: Horizon, *, what: str) -> None:
    """A fact dated `effective_at` (local day `effective_day`) must fall inside the horizon."""
    if effective_at > horizon.latest + CLOCK_TOLERANCE:
        raise ChangeInTheFuture(
            f"The {what} is dated {effective_at:%Y-%m-%d %H:%M} UTC, after now: a change is recorded once "
            "it has happened.",
            field="effective_at",
        )
    _check_day(effective_day, horizon, what=what)


def check_price_day(effective_from: date, today: date, horizon: Horizon) -> None:
    """A historic sales price applies from a day that may lie ahead, within reason."""
    if effective_from > today + MAX_PRICE_LEAD:
        raise ChangeInTheFuture(
            f"A price from {effective_from.isoformat()} lies more than three years ahead.",
            field="effective_from",
        )
    _check_day(effective_from, horizon, what="price", field="effective_from")


def _check_day(day: date, horizon: Horizon, *, what: str, field: str = "effective_at") -> None:
    if horizon.started is not None and day < horizon.started:
        raise ChangeBeforeStart(
            f"The subscription started on {horizon.started.isoformat()}: a {what} cannot apply before that.",
            field=field,
        )
    if day < horizon.earliest:
        raise ChangeTooOld(
            f"The {what} is dated {day.isoformat()}, before {horizon.earliest.isoformat()}, the start of the "
            "oldest billing cycle still open to corrections.",
            field=field,
        )


def check_quantity(quantity: object) -> int:
    if isinstance(quantity, bool) or not isinstance(quantity, int) or not 0 <= quantity <= MAX_QUANTITY:
        raise QuantityOutOfBounds(
            f"A quantity is a whole number of licences from 0 to {MAX_QUANTITY:,}, not {quantity!r}.",
            field="quantity",
        )
    return quantity


def check_unit_price(price: object, *, field: str = "unit_price") -> Decimal:
    """A unit price: a finite decimal from 0 to `MAX_UNIT_PRICE` with at most six decimals."""
    if isinstance(price, bool) or not isinstance(price, (Decimal, int)):
        raise PriceOutOfBounds(f"{price!r} is not a price.", field=field)
    value = Decimal(price)
    exponent = value.as_tuple().exponent
    if not value.is_finite() or not isinstance(exponent, int):
        raise PriceOutOfBounds(f"{price!r} is not a price.", field=field)
    if value < 0 or value > MAX_UNIT_PRICE:
        raise PriceOutOfBounds(f"A price is from 0 to {MAX_UNIT_PRICE:f}, not {value:f}.", field=field)
    if exponent < -PRICE_DECIMALS and value != value.quantize(Decimal(1).scaleb(-PRICE_DECIMALS)):
        raise PriceOutOfBounds("A price has at most six decimals.", field=field)
    return value
