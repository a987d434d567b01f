"""The one mapping from a provider's subscription onto the local row: what the provider returned wins.

Used after provisioning, by tenant linking (import) and by the sync job, so that all three read the
provider's fields the same way.
"""

from __future__ import annotations

from typing import Any

from cspbroker.providers.partnercenter.common import SubscriptionStatus as ProviderStatus
from cspbroker.providers.partnercenter.subscriptions import Subscription as ProviderSubscription
from cspbroker.subscriptions.models import Subscription, SubscriptionStatus

_STATUS = {
    ProviderStatus.ACTIVE: SubscriptionStatus.ACTIVE,
    ProviderStatus.SUSPENDED: SubscriptionStatus.SUSPENDED,
    ProviderStatus.DELETED: SubscriptionStatus.CANCELLED,
    ProviderStatus.EXPIRED: SubscriptionStatus.EXPIRED,
    ProviderStatus.PENDING: SubscriptionStatus.PENDING,
    ProviderStatus.DISABLED: SubscriptionStatus.DISABLED,
}


def local_status(remote: ProviderSubscription) -> str:
    return str(_STATUS.get(remote.status, SubscriptionStatus.UNKNOWN))


def provider_fields(remote: ProviderSubscription) -> dict[str, Any]:
    """The local fields a provider subscription determines."""
    lots = remote.refundable_quantity.lots if remote.refundable_quantity else ()
    start = remote.effective_start_date or remote.creation_date
    return {
        "provider_subscription_id": remote.id,
        "provider_order_id": remote.order_id or "",
        "friendly_name": (remote.friendly_name or "")[:100],
        "quantity": remote.quantity,
        "status": local_status(remote),
        "status_raw": remote.status_raw[:40],
        "is_trial": remote.is_trial,
        "term": remote.term_duration or "",
        "billing_cycle": remote.billing_cycle_raw or str(remote.billing_cycle.value),
        "auto_renew": remote.auto_renew_enabled,
        "start_date": start.date() if start else None,
        "commitment_end_date": remote.commitment_end_date,
        "cancellation_allowed_until": remote.cancellation_allowed_until,
        "refundable_lots": [
            {
                "quantity": lot.quantity,
                "allowed_until": lot.allowed_until.isoformat() if lot.allowed_until else None,
            }
            for lot in lots
        ],
        "scheduled_change": dict(remote.raw.get("scheduledNextTermInstructions") or {}) or None,
        "etag": remote.etag or "",
    }


def apply(local: Subscription, remote: ProviderSubscription) -> dict[str, tuple[Any, Any]]:
    """Copy the provider's view onto `local` (not saved); returns the fields that changed, old → new."""
    changed: dict[str, tuple[Any, Any]] = {}
    for name, value in provider_fields(remote).items():
        old = getattr(local, name)
        if old != value:
            changed[name] = (old, value)
            setattr(local, name, value)
    return changed
