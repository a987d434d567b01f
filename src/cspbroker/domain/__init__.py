"""The pure domain: business rules in the standard library only, no I/O and no clock reads."""

from cspbroker.domain.clock import Clock, FrozenClock
from cspbroker.domain.errors import (
    CurrencyMismatch,
    DomainError,
    InvalidAllocation,
    InvalidAmount,
    InvalidBillingDay,
    InvalidFrequency,
    InvalidPeriod,
    UnknownCurrency,
    UnknownTimeZone,
)
from cspbroker.domain.money import ExactMoney, Money, allocate, allocate_evenly, round_to_minor
from cspbroker.domain.periods import (
    BillingCycle,
    Frequency,
    Period,
    add_months_clamped,
    billing_cycle,
    billing_cycle_containing,
    billing_cycles_between,
    nth_period,
    period_containing,
    periods_overlapping,
)
from cspbroker.domain.proration import Charge, prorate, prorate_parts

__all__ = [
    "BillingCycle",
    "Charge",
    "Clock",
    "CurrencyMismatch",
    "DomainError",
    "ExactMoney",
    "Frequency",
    "FrozenClock",
    "InvalidAllocation",
    "InvalidAmount",
    "InvalidBillingDay",
    "InvalidFrequency",
    "InvalidPeriod",
    "Money",
    "Period",
    "UnknownCurrency",
    "UnknownTimeZone",
    "add_months_clamped",
    "allocate",
    "allocate_evenly",
    "billing_cycle",
    "billing_cycle_containing",
    "billing_cycles_between",
    "nth_period",
    "period_containing",
    "periods_overlapping",
    "prorate",
    "prorate_parts",
    "round_to_minor",
]
