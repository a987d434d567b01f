"""Which days a charge covers, and how a charge becomes a `ChargeLine`.

A recurring subscription's changes fall inside a billing period and are prorated by days, as
Microsoft's new-commerce billing scenarios do: from the day of the change itself to the period's
end, both included, over the "charge cycle days" — the days of the calendar month in which the
period started (365 or 366 for an annual period). A one-time purchase is charged or refunded whole,
on the day itself.
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
from cspbroker.domain.periods import Period, charge_cycle_days

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
        """Microsoft refunds from the day of the decrease or cancellation itself to the period's end
        (its cancellation example: bought 15 Jul, cancelled 17 Jul, "29 unused days" to 14 Aug)."""
        return Window(self.period, Period(day, self.period.end))

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
        self._unit_cost: Money | None = None

    def charge(
        self, charge_type: ChargeType, seats: int, price: PricePoint, window: Window, day: date
    ) -> Money:
        amount = prorated(price.unit_price, seats, window)
        self.write(charge_type, seats, price, window, day, amount)
        return amount

    def cost(self, unit_cost: Money | None, quantity: int, window: Window) -> Money | None:
        """Our cost of the same seats and days at the cost locked for the term (staff only)."""
        if unit_cost is None:
            return None
        amount = prorated(unit_cost, abs(quantity), window)
        return -amount if quantity < 0 else amount

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
            self._unit_cost = self.history.cost_on(window.period.start)
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
                unit_cost=self._unit_cost,
                cost=self.cost(self._unit_cost, quantity, window),
            )
        )


def prorated(unit_price: Money, seats: int, window: Window) -> Money:
    """`seats` × `unit_price` × active days / charge cycle days, rounded once (never negative here);
    the whole period costs the whole price."""
    if window.active == window.period:
        return _amount(unit_price, seats, 1, 1)
    return _amount(unit_price, seats, window.active.days, charge_cycle_days(window.period))


# A billing run charges the same seats at the same price period after period: remembering the
# amounts (a pure function of its arguments) spares most of the exact arithmetic.
@lru_cache(maxsize=1 << 16)
def _amount(unit_price: Money, seats: int, days: int, period_days: int) -> Money:
    return (unit_price * seats * Fraction(days, period_days)).rounded()
