"""The window guard (X3): every day, staff hear about the cancellation windows closing within 24 hours.

One email per subscription and day (`window-closing:<subscription>:<day>`), so a second run on the
same day — a retry, a restarted scheduler — sends nothing more. Windows are the provider's own dates
(`cancellationAllowedUntilDate`, each lot's `allowedUntilDateTime`), judged at the platform's clock.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import transaction
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from cspbroker.accounts.models import Membership
from cspbroker.clock import platform_clock
from cspbroker.domain import commerce
from cspbroker.domain.clock import Clock
from cspbroker.domain.parties import Role
from cspbroker.notifications.services import queue_email
from cspbroker.subscriptions.models import Subscription, SubscriptionStatus
from cspbroker.subscriptions.terms import terms_of

log = logging.getLogger(__name__)
HORIZON = timedelta(hours=24)
STAFF_ROLES = (Role.OPERATOR_ADMIN, Role.RESELLER_ADMIN, Role.RESELLER_STAFF)


def _staff_emails(ancestry: list[int]) -> list[str]:
    emails = Membership.objects.filter(organization_id__in=ancestry[:-1], role__in=STAFF_ROLES).values_list(
        "user__email", flat=True
    )
    return sorted(set(emails))


def warn_closing_windows(*, clock: Clock) -> int:
    """Queue the day's warnings; returns how many subscriptions were reported (new or not)."""
    now = clock.now()
    candidates = (
        Subscription.objects.filter(status__in=[SubscriptionStatus.ACTIVE, SubscriptionStatus.SUSPENDED])
        .exclude(refundable_lots=[], cancellation_allowed_until__isnull=True)
        .select_related("tenant__customer", "offer__availability__sku")
        .order_by("pk")
    )
    reported = 0
    for subscription in candidates.iterator(chunk_size=500):
        closing = commerce.closing_within(terms_of(subscription), now, HORIZON)
        customer = subscription.tenant.customer
        recipients = _staff_emails(customer.ancestry)
        if not closing or not recipients:
            continue
        product = subscription.friendly_name or subscription.offer.availability.sku.title
        items = [
            {
                "customer_name": customer.legal_name,
                "product_name": product,
                "quantity": window.quantity if window.quantity is not None else subscription.quantity,
                "closes_at": window.closes_at.strftime("%Y-%m-%d %H:%M UTC"),
                "kind": str(window.kind),
                "text": window.text,
            }
            for window in closing
        ]
        with transaction.atomic():
            queue_email(
                template_key="window_closing",
                to=recipients,
                context={"items": items},
                idempotency_key=f"window-closing:{subscription.pk}:{now.date().isoformat()}",
                organization_id=customer.pk,
                clock=clock,
            )
        reported += 1
    return reported


@db_periodic_task(crontab(minute="0", hour="6"))
def window_guard() -> int:
    """Daily at 06:00 (UTC): warn staff about windows closing within 24 hours."""
    count = warn_closing_windows(clock=platform_clock)
    log.info("window guard: %s subscription(s) with a window closing within 24 hours", count)
    return count
