"""Bills close by themselves (B1): every cycle that ended is billed without anyone pressing a button.

The seed's words: changes are "added to the billing report at the end of the billing cycle". Each
hour the schedule runs, for every organisation that bills customers (each reseller, and the operator
for its direct customers), the cycle that ended last in that organisation's time zone. The run is
idempotent and skips unchanged customers, so running it every hour costs a few queries; it also picks
up what was recorded late since, and settles it on the bill (draft) of that cycle. The staff button,
the API and `cspbroker billing run` stay for reruns of any cycle.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from cspbroker.accounts.models import Organization
from cspbroker.billing.jobs.run import RunSummary, run_billing
from cspbroker.billing.jobs.run_records import record_scheduled_run
from cspbroker.domain.clock import Clock
from cspbroker.domain.parties import OrganizationKind
from cspbroker.domain.periods import BillingCycle, billing_cycle_containing

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Closed:
    organization_id: int
    cycle: str
    summary: RunSummary


def last_ended_cycle(organization: Organization, clock: Clock) -> BillingCycle:
    """The cycle of `organization`'s billing day that ended most recently (billing days are UTC)."""
    today = clock.today(organization.billing_time_zone)
    current = billing_cycle_containing(organization.billing_day, today)
    return billing_cycle_containing(organization.billing_day, current.period.start - timedelta(days=1))


def close_ended_cycles(*, clock: Clock) -> list[Closed]:
    """Bill the last ended cycle of every organisation with customers; returns what each run did."""
    billing_orgs = Organization.objects.filter(
        pk__in=Organization.objects.filter(kind=OrganizationKind.CUSTOMER.value).values("parent_id")
    ).order_by("pk")
    closed = []
    for organization in billing_orgs:
        cycle = last_ended_cycle(organization, clock)
        summary = run_billing(cycle=cycle.label, reseller_id=organization.pk, clock=clock)
        closed.append(Closed(organization.pk, cycle.label, summary))
        if summary.lines_created or summary.lines_deleted or summary.adjustments:
            # The runs list shows what the schedule did; an hour with nothing to do leaves no trace.
            record_scheduled_run(
                cycle=cycle.label, reseller_id=organization.pk, summary=summary.as_dict(), clock=clock
            )
        log.info("closed %s for %s: %s", cycle.label, organization.legal_name, summary.as_dict())
    return closed
