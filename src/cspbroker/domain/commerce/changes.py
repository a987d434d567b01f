"""Auto-renew, term, changes scheduled for the renewal, and the friendly name."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

from cspbroker.domain.clock import require_aware
from cspbroker.domain.commerce.errors import (
    AutoRenewRequired,
    BillingCycleNotOffered,
    FriendlyNameEmpty,
    FriendlyNameTooLong,
    InvalidFriendlyName,
    NoChange,
    TermEnded,
    TermShorterNotAllowed,
    TrialTermFixed,
)
from cspbroker.domain.commerce.guards import require_active, require_live
from cspbroker.domain.commerce.quantity import require_whole_quantity, require_within_bounds
from cspbroker.domain.commerce.terms import BillingCycle, SubscriptionTerms, Term
from cspbroker.domain.commerce.text import day_text, seats

FRIENDLY_NAME_MAX_LENGTH = 100


@dataclass(frozen=True, slots=True)
class AutoRenewChange:
    enabled: bool
    clears_scheduled_change: bool  # a change for the renewal needs auto-renew on
    ends_on: date | None  # with auto-renew off, the subscription ends after this day


def check_auto_renew(terms: SubscriptionTerms, enabled: bool) -> AutoRenewChange:
    """Turn auto-renew on or off; allowed on trials too (off: the trial ends instead of converting)."""
    require_live(terms, "turning auto-renew on or off")
    if enabled == terms.auto_renew:
        raise NoChange(f"Auto-renew is already {'on' if enabled else 'off'}.", field="auto_renew")
    return AutoRenewChange(
        enabled=enabled,
        clears_scheduled_change=not enabled and terms.has_scheduled_change,
        ends_on=None if enabled else terms.commitment_end,
    )


@dataclass(frozen=True, slots=True)
class TermChange:
    previous_term: Term
    new_term: Term
    clears_scheduled_change: bool  # an immediate change deletes the next-term instructions


def check_term_change(terms: SubscriptionTerms, new_term: Term, now: datetime) -> TermChange:
    """Mid-term, a term can only become longer (P1M → P1Y → P3Y); shorter waits for the renewal."""
    now = require_aware(now)
    require_active(terms, "changing its term")
    if terms.is_trial:
        raise TrialTermFixed(
            "A trial's term is fixed: schedule the paid term for the end of the trial instead.", field="term"
        )
    if new_term == terms.term:
        raise NoChange(f"The term is already {terms.term.label}.", field="term")
    end = day_text(terms.commitment_end, now)
    if now.date() > terms.commitment_end:
        raise TermEnded(f"The term ended on {end}: refresh the subscription from the provider first.")
    if new_term < terms.term:
        raise TermShorterNotAllowed(
            f"During a term, the term can only become longer: {terms.term.label} cannot become "
            f"{new_term.label} before it ends on {end}. Schedule the shorter term for the renewal instead.",
            field="term",
        )
    _require_offered(new_term, terms.billing_cycle)
    return TermChange(terms.term, new_term, terms.has_scheduled_change)


@dataclass(frozen=True, slots=True)
class ScheduledChange:
    """What the subscription renews into (`scheduledNextTermInstructions`)."""

    quantity: int
    term: Term
    billing_cycle: BillingCycle
    replaces_existing: bool


def check_scheduled_change(
    terms: SubscriptionTerms,
    quantity: int | None = None,
    term: Term | None = None,
    billing_cycle: BillingCycle | None = None,
) -> ScheduledChange:
    """A change for the renewal: needs auto-renew on (else 800093); any term, any quantity in bounds."""
    require_schedulable(terms)
    if quantity is not None:
        require_whole_quantity(quantity)
        require_within_bounds(terms, quantity)
    change = ScheduledChange(
        quantity=terms.quantity if quantity is None else quantity,
        term=term or terms.term,
        billing_cycle=billing_cycle or terms.billing_cycle,
        replaces_existing=terms.has_scheduled_change,
    )
    _require_offered(change.term, change.billing_cycle)
    unchanged = (change.quantity, change.term, change.billing_cycle) == (
        terms.quantity,
        terms.term,
        terms.billing_cycle,
    )
    # Scheduling today's values over an existing scheduled change is how a reseller undoes it.
    if unchanged and not terms.has_scheduled_change:
        raise NoChange(
            f"The subscription already renews with {seats(change.quantity)} for {change.term.label}, "
            f"billed {change.billing_cycle.value}: there is nothing to schedule."
        )
    return change


def require_schedulable(terms: SubscriptionTerms) -> None:
    """Whether anything can be scheduled for the renewal at all."""
    require_live(terms, "scheduling a change for the renewal")
    if not terms.auto_renew:
        raise AutoRenewRequired(
            "A change for the renewal needs auto-renew on: turn it on first, or the subscription ends "
            f"on {day_text(terms.commitment_end)}.",
            field="auto_renew",
        )


def check_friendly_name(name: str) -> str:
    """The name trimmed: 1 to 100 characters, no line breaks or control characters."""
    if not isinstance(name, str):
        raise InvalidFriendlyName(f"A name is text, not {name!r}.", field="friendly_name")
    trimmed = name.strip()
    if not trimmed:
        raise FriendlyNameEmpty("Enter a name for the subscription.", field="friendly_name")
    if len(trimmed) > FRIENDLY_NAME_MAX_LENGTH:
        raise FriendlyNameTooLong(
            f"A name can have at most {FRIENDLY_NAME_MAX_LENGTH} characters; this one has {len(trimmed)}.",
            field="friendly_name",
        )
    if any(unicodedata.category(character) == "Cc" for character in trimmed):
        raise InvalidFriendlyName(
            "A name cannot contain line breaks or control characters.", field="friendly_name"
        )
    return trimmed


def _require_offered(term: Term, billing_cycle: BillingCycle) -> None:
    if billing_cycle not in term.billing_cycles:
        names = [cycle.value for cycle in BillingCycle if cycle in term.billing_cycles]
        offered = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"
        raise BillingCycleNotOffered(
            f"A {term.label} term is billed {offered}, not {billing_cycle.value}.", field="billing_cycle"
        )
