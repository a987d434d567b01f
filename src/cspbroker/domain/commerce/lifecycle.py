"""Cancel, cancel the billing only, suspend, reactivate."""

from __future__ import annotations

from datetime import datetime

from cspbroker.domain.clock import require_aware
from cspbroker.domain.commerce.errors import (
    AlreadyCancelled,
    AlreadySuspended,
    CancelOutsideWindow,
    NotCancellable,
    NotSuspended,
    SubscriptionCancelled,
    TrialNotCancellable,
    TrialNotSuspendable,
)
from cspbroker.domain.commerce.guards import require_active, require_live
from cspbroker.domain.commerce.terms import SubscriptionStatus, SubscriptionTerms
from cspbroker.domain.commerce.text import day_text, moment_text


def check_cancel(terms: SubscriptionTerms, now: datetime) -> None:
    """Cancel at the provider: only until `cancellation_allowed_until`, inclusive (else 900117)."""
    now = require_aware(now)
    if terms.is_cancelled:
        raise AlreadyCancelled("This subscription is already cancelled.")
    if terms.is_trial:
        raise TrialNotCancellable(
            "A trial cannot be cancelled: turn auto-renew off and it ends without charge "
            f"on {day_text(terms.commitment_end, now)}."
        )
    require_live(terms, "cancelling it")
    until = terms.cancellation_allowed_until
    end = day_text(terms.commitment_end, now)
    if until is None:
        raise NotCancellable(
            f"The provider does not allow this subscription to be cancelled. Turn auto-renew off so that "
            f"it ends on {end}."
        )
    if now > until:
        raise CancelOutsideWindow(
            f"The cancellation window closed on {moment_text(until, now)}: the whole term is billed, "
            f"until {end}. Turn auto-renew off so that it ends then."
        )


def check_billing_only_cancel(terms: SubscriptionTerms) -> None:
    """Stop billing here without touching the provider (seed 000): any active or suspended one.

    For a service managed elsewhere, or a distributor whose cancellation only cancels the billing.
    """
    if terms.is_cancelled:
        raise AlreadyCancelled("This subscription is already cancelled.")
    require_live(terms, "cancelling its billing")


def check_suspend(terms: SubscriptionTerms) -> None:
    """Active → suspended. Microsoft keeps billing a suspended subscription until its term ends."""
    if terms.is_trial and not terms.is_cancelled:
        raise TrialNotSuspendable("A trial cannot be suspended: turn auto-renew off so that it ends instead.")
    if terms.status is SubscriptionStatus.SUSPENDED:
        raise AlreadySuspended("This subscription is already suspended.")
    require_active(terms, "suspending it")


def check_reactivate(terms: SubscriptionTerms) -> None:
    """Suspended → active. A cancelled subscription is final at the provider."""
    if terms.is_cancelled:
        raise SubscriptionCancelled(
            "A cancelled subscription cannot be reactivated: buy a new subscription instead."
        )
    if terms.status is not SubscriptionStatus.SUSPENDED:
        raise NotSuspended(
            f"Only a suspended subscription can be reactivated; this one is {terms.status.label}."
        )
