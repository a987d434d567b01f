"""Which days a charge covers, and how a charge becomes a `ChargeLine`.

A recurring subscription's changes fall inside a billing period and are prorated by days; a
one-time purchase is charged or refunded whole, on the day itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction
from functools import lru_cache

from cspbroker.domain.billing.explain import describe
from cspbroker.domain.billing.history import PricePoint, SubscriptionHistory
from cspbroker.domain.billing.lines import ChargeLine, ChargeType
from cspbroker.domain.money import Money
from cspbroker.domain.periods import Period

_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Window:
    """The billing `period` a line belongs to and the `active` days of it that the line charges."""

    period: Period
    active: Period


class PeriodCalendar:
    """The days a change covers inside a recurring billing period."""

    def __init__(self, period: Period) -> None:
        self.period = period

    def charge_window(self, day: date) -> Window:
        """An increase is charged from its own day to the period end."""
        return Window(self.period, Period(day, self.period.end))

    def refund_window(self, day: date) -> Window | None:
        """Seats kept until `day` were used that day: Microsoft refunds "the remaining paid period
        less the days" used, so the refund starts the next day. None when nothing is left."""
        start = day + _ONE_DAY
        return Window(self.period, Period(start, self.period.end)) if start < self.period.end else None

    def credit_window(self, day: date) -> Window | None:
        """A billing-only cancellation stops charges from its own day."""
        return Window(self.period, Period(day, self.period.end))


class PurchaseCalendar:
    """A one-time purchase: its "period" is the day of the purchase or the return."""

    def charge_window(self, day: date) -> Window:
        bought = Period(day, day + _ONE_DAY)
        return Window(bought, bought)

    def refund_window(self, day: date) -> Window | None:
        return self.charge_window(day)

    def credit_window(self, day: date) -> Window | None:
        # Nothing of a one-time purchase is left unused to credit when billing stops.
        return None


Calendar = PeriodCalendar | PurchaseCalendar


class LineWriter:
    """Turns charges into `ChargeLine`s, numbering the lines of one type and period in order."""

    def __init__(self, history: SubscriptionHistory) -> None:
        self.history = history
        self.lines: list[ChargeLine] = []
        self.zero = Money.zero(history.currency)
        self._period: Period | None = None
        self._sequences: dict[ChargeType, int] = {}

    def charge(
        self, charge_type: ChargeType, seats: int, price: PricePoint, window: Window, day: date
    ) -> Money:
        amount = prorated(price.unit_price, seats, window)
        self.write(charge_type, seats, price, window, day, amount)
        return amount

    def write(
        self,
        charge_type: ChargeType,
        quantity: int,
        price: PricePoint,
        window: Window,
        day: date,
        amount: Money,
        *,
        capped: bool = False,
    ) -> None:
        # Lines arise period after period (day after day for purchases), so numbering restarts with
        # each new period instead of keeping a counter for every period ever seen.
        if window.period != self._period:
            self._period = window.period
            self._sequences.clear()
        sequence = self._sequences.get(charge_type, 0)
        self._sequences[charge_type] = sequence + 1
        explanation = describe(
            charge_type,
            quantity,
            price.unit_price,
            window.period,
            window.active,
            day,
            capped_at=abs(amount) if capped else None,
        )
        self.lines.append(
            ChargeLine(
                subscription_id=self.history.subscription_id,
                product=self.history.product,
                charge_type=charge_type,
                quantity=quantity,
                unit_price=price.unit_price,
                period=window.period,
                active=window.active,
                amount=amount,
                price_source=price.source,
                explanation=explanation,
                sequence=sequence,
                effective_on=day,
            )
        )


def prorated(unit_price: Money, seats: int, window: Window) -> Money:
    """`seats` × `unit_price` × active days / period days, rounded once (never negative here)."""
    if window.active == window.period:
        return _amount(unit_price, seats, 1, 1)
    return _amount(unit_price, seats, window.active.days, window.period.days)


# A billing run charges the same seats at the same price period after period: remembering the
# amounts (a pure function of its arguments) spares most of the exact arithmetic.
@lru_cache(maxsize=1 << 16)
def _amount(unit_price: Money, seats: int, days: int, period_days: int) -> Money:
    return (unit_price * seats * Fraction(days, period_days)).rounded()
