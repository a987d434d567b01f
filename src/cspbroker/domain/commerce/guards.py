"""Status guards the rules share: what a cancelled, suspended or inactive subscription refuses.

`doing` names the action as a gerund ("changing its quantity") so every refusal reads alike.
"""

from __future__ import annotations

from cspbroker.domain.commerce.errors import (
    SubscriptionCancelled,
    SubscriptionNotActive,
    SubscriptionSuspended,
)
from cspbroker.domain.commerce.terms import SubscriptionStatus, SubscriptionTerms
from cspbroker.domain.commerce.windows import LIVE_STATUSES


def require_live(terms: SubscriptionTerms, doing: str) -> None:
    """Active or suspended; a cancelled subscription is final (Partner Center 2011)."""
    if terms.status is SubscriptionStatus.DELETED:
        raise SubscriptionCancelled(f"This subscription is cancelled: {doing} is no longer possible.")
    if terms.status not in LIVE_STATUSES:
        raise SubscriptionNotActive(
            f"This subscription is {terms.status.label}: {doing} is possible only on an active subscription."
        )


def require_active(terms: SubscriptionTerms, doing: str) -> None:
    """Active: Partner Center refuses commerce changes while suspended (2001, 800091)."""
    require_live(terms, doing)
    if terms.status is SubscriptionStatus.SUSPENDED:
        raise SubscriptionSuspended(f"This subscription is suspended: reactivate it before {doing}.")
