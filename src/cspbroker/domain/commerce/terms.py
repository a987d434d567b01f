"""What the rules know about a subscription: the provider's own fields, as value types.

`SubscriptionTerms` is built from a Partner Center subscription (§2.6 of the reference): quantity,
`status`, `isTrial`, `termDuration`, `billingCycle`, `autoRenewEnabled`,
`cancellationAllowedUntilDate`, `refundableQuantity.details[]`, `commitmentEndDate` and whether
`scheduledNextTermInstructions` is set. The rules read their windows from these fields and never
assume a length of their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from cspbroker.domain.clock import require_aware
from cspbroker.domain.commerce.errors import InvalidQuantity
from cspbroker.domain.errors import InvalidFrequency
from cspbroker.domain.periods import Frequency, term_months


class SubscriptionStatus(StrEnum):
    """A subscription's status; any value a provider sends is accepted (issue PowerShell#403).

    Partner Center says `deleted` for a cancelled subscription; Crayon and the distributor say
    `Cancelled` or `CustomerCancellation`. Values we do not know, and Partner Center's `none`,
    become `UNKNOWN`, which no rule treats as active.
    """

    ACTIVE = "active"
    SUSPENDED = "suspended"
    DELETED = "deleted"
    EXPIRED = "expired"
    PENDING = "pending"
    DISABLED = "disabled"
    UNKNOWN = "unknown"

    @classmethod
    def _missing_(cls, value: object) -> SubscriptionStatus:
        text = value.strip().lower().replace("_", "").replace(" ", "") if isinstance(value, str) else ""
        return _STATUS_ALIASES.get(text) or next((s for s in cls if s.value == text), cls.UNKNOWN)

    @property
    def label(self) -> str:
        """The word a reseller uses: "cancelled" rather than Partner Center's "deleted"."""
        return "cancelled" if self is SubscriptionStatus.DELETED else self.value


_STATUS_ALIASES = {
    "cancelled": SubscriptionStatus.DELETED,
    "canceled": SubscriptionStatus.DELETED,
    "customercancellation": SubscriptionStatus.DELETED,
}


class Term(StrEnum):
    """A commitment term, ordered by length (P1M < P1Y < P3Y), not alphabetically."""

    P1M = "P1M"
    P1Y = "P1Y"
    P3Y = "P3Y"

    @classmethod
    def parse(cls, duration: str) -> Term:
        """Partner Center's `termDuration`: "P1Y", "p1y" and "P12M" are all one year."""
        months = term_months(duration)
        for term in cls:
            if term.months == months:
                return term
        raise InvalidFrequency(f"{duration!r} is not a term Microsoft sells (P1M, P1Y or P3Y).", field="term")

    @property
    def months(self) -> int:
        return term_months(self.value)

    @property
    def label(self) -> str:
        return {"P1M": "1 month", "P1Y": "1 year", "P3Y": "3 years"}[self.value]

    @property
    def billing_cycles(self) -> frozenset[BillingCycle]:
        """The billing cycles Microsoft offers with this term (reference §3, term/billing combos)."""
        return _CYCLES_BY_TERM[self]

    def __lt__(self, other: str) -> bool:
        return self.months < other.months if isinstance(other, Term) else NotImplemented

    def __le__(self, other: str) -> bool:
        return self.months <= other.months if isinstance(other, Term) else NotImplemented

    def __gt__(self, other: str) -> bool:
        return self.months > other.months if isinstance(other, Term) else NotImplemented

    def __ge__(self, other: str) -> bool:
        return self.months >= other.months if isinstance(other, Term) else NotImplemented


class BillingCycle(StrEnum):
    """Partner Center's `billingCycle`; "oneTime", "OneTime" and "one_time" are the same value."""

    MONTHLY = "monthly"
    ANNUAL = "annual"
    TRIENNIAL = "triennial"
    ONE_TIME = "one_time"
    NONE = "none"

    @classmethod
    def _missing_(cls, value: object) -> BillingCycle | None:
        if not isinstance(value, str):
            return None
        text = value.strip().lower().replace("-", "").replace("_", "")
        return next((cycle for cycle in cls if cycle.value.replace("_", "") == text), None)

    @property
    def frequency(self) -> Frequency | None:
        """The recurring frequency billing uses, or None for one-time and unbilled subscriptions."""
        recurring = (BillingCycle.MONTHLY, BillingCycle.ANNUAL, BillingCycle.TRIENNIAL)
        return Frequency(self.value) if self in recurring else None


_CYCLES_BY_TERM = {
    Term.P1M: frozenset({BillingCycle.MONTHLY}),
    Term.P1Y: frozenset({BillingCycle.MONTHLY, BillingCycle.ANNUAL}),
    Term.P3Y: frozenset({BillingCycle.MONTHLY, BillingCycle.ANNUAL, BillingCycle.TRIENNIAL}),
}


@dataclass(frozen=True, slots=True)
class SeatLot:
    """Seats bought together that can be removed, for a refund, until `allowed_until`.

    Mirrors one `refundableQuantity.details[]` entry. `added_at` is known only when the platform
    made the purchase itself (the provider does not say); messages name the day when it is there.
    """

    quantity: int
    allowed_until: datetime
    added_at: datetime | None = None

    def __post_init__(self) -> None:
        if isinstance(self.quantity, bool) or not isinstance(self.quantity, int) or self.quantity < 0:
            raise InvalidQuantity(f"A lot holds a whole number of seats, not {self.quantity!r}.")
        object.__setattr__(self, "allowed_until", require_aware(self.allowed_until))
        if self.added_at is not None:
            object.__setattr__(self, "added_at", require_aware(self.added_at))

    def is_open(self, now: datetime) -> bool:
        """Whether these seats can still be removed: strictly before `allowed_until`."""
        return self.quantity > 0 and now < self.allowed_until


@dataclass(frozen=True, slots=True, kw_only=True)
class SubscriptionTerms:
    """A subscription as the commerce rules see it, taken from the provider's fields."""

    quantity: int
    status: SubscriptionStatus
    term: Term
    billing_cycle: BillingCycle
    commitment_end: date  # inclusive: the term's last day
    is_trial: bool = False
    auto_renew: bool = True
    cancellation_allowed_until: datetime | None = None  # None: the provider allows no cancellation
    refundable_lots: tuple[SeatLot, ...] = ()
    has_scheduled_change: bool = False
    min_quantity: int = 1
    max_quantity: int | None = None  # None: the product sets no maximum we know of

    def __post_init__(self) -> None:
        for name in ("quantity", "min_quantity"):
            _require_count(getattr(self, name), name)
        if self.max_quantity is not None:
            _require_count(self.max_quantity, "max_quantity")
            if self.max_quantity < self.min_quantity:
                raise InvalidQuantity(
                    f"The maximum quantity {self.max_quantity} is below the minimum {self.min_quantity}.",
                    field="max_quantity",
                )
        if self.cancellation_allowed_until is not None:
            object.__setattr__(
                self, "cancellation_allowed_until", require_aware(self.cancellation_allowed_until)
            )
        object.__setattr__(self, "refundable_lots", tuple(self.refundable_lots))

    @property
    def is_cancelled(self) -> bool:
        return self.status is SubscriptionStatus.DELETED


def _require_count(value: object, name: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidQuantity(
            f"The {name.replace('_', ' ')} must be a whole number, not {value!r}.", field=name
        )
