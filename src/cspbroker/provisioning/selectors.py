"""Reads of orders and approvals for the pages and the API — always through `accounts.access`.

Staff see the orders of every customer below them; a customer sees its own; another
organisation's order is a 404. Approvals are the orders waiting for a decision that the actor may
make, each with the warnings an approver should read first (S4).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q, QuerySet

from cspbroker.accounts.access import Actor, get_scoped_or_404, may, scoped, visible_organizations
from cspbroker.accounts.models import Organization
from cspbroker.domain import commerce
from cspbroker.domain.commerce.text import duration_text, moment_text
from cspbroker.domain.parties import Action, OrganizationKind
from cspbroker.provisioning.approvals import policy_for
from cspbroker.provisioning.models import ApprovalPolicy, Order, OrderState, ProviderOperation
from cspbroker.subscriptions.models import Subscription
from cspbroker.subscriptions.terms import terms_of

IN_PROGRESS = (OrderState.AWAITING_APPROVAL, OrderState.APPROVED, OrderState.PROVISIONING)
WINDOW_HORIZON = timedelta(hours=24)


def approval_warn_after() -> timedelta:
    """How long a request may wait before the approver is told it is getting old (default 3 days)."""
    return timedelta(days=int(getattr(settings, "CSPB_APPROVAL_WARN_DAYS", 3)))


@dataclass(frozen=True)
class OrderFilter:
    customer_id: int | None = None
    state: str = ""
    kind: str = ""
    subscription_id: int | None = None


def _base(actor: Actor) -> QuerySet[Order]:
    rows = Order.objects.select_related(
        "customer", "tenant", "offer__availability__sku", "subscription__offer__availability__sku"
    )
    return scoped(actor, rows, "customer")


def orders_for(actor: Actor, filters: OrderFilter | None = None) -> QuerySet[Order]:
    rows = _base(actor)
    filters = filters or OrderFilter()
    if filters.customer_id:
        rows = rows.filter(customer_id=filters.customer_id)
    if filters.state:
        rows = rows.filter(state=filters.state)
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    if filters.subscription_id:
        rows = rows.filter(subscription_id=filters.subscription_id)
    return rows.order_by("-created_at", "-id")


def order_for(actor: Actor, order_id: int) -> Order:
    """One order `actor` may see; another customer's is a 404."""
    return get_scoped_or_404(actor, _base(actor), "customer", pk=order_id)


def orders_of_subscription(actor: Actor, subscription: Subscription, limit: int = 50) -> list[Order]:
    return list(orders_for(actor, OrderFilter(subscription_id=subscription.pk))[:limit])


def operations_of(order: Order) -> list[ProviderOperation]:
    return list(order.operations.order_by("id"))


def in_progress_for(subscription: Subscription) -> list[Order]:
    """Orders on the subscription not settled yet: the page says a change is on its way."""
    return list(Order.objects.filter(subscription=subscription, state__in=IN_PROGRESS).order_by("id"))


# --- approvals (S4) ---------------------------------------------------------------------------


@dataclass
class Approval:
    order: Order
    warnings: list[str] = field(default_factory=list)
    own_request: bool = False  # nobody approves their own request: the buttons are off


def approvals_for(actor: Actor, now: datetime, *, include_decided: bool = False) -> list[Approval]:
    """Orders waiting for a decision `actor` may take (staff of the customer's reseller or operator)."""
    if not actor.is_staff:
        return []
    waiting = Q(state=OrderState.AWAITING_APPROVAL)
    if include_decided:
        waiting |= Q(decided_at__isnull=False)
    rows = scoped(actor, _base(actor), "customer", Action.CHANGE).filter(waiting)
    rows = rows.select_related("subscription__tenant__customer", "subscription__offer__availability__sku")
    return [
        Approval(order, approval_warnings(order, now), order.requested_by_user_id == actor.user_id)
        for order in rows.order_by("created_at", "id")[:500]
    ]


def approval_warnings(order: Order, now: datetime) -> list[str]:
    """What an approver should know first: the request is old, or a window closes before a decision."""
    warnings = []
    waited = now - order.created_at
    if waited >= approval_warn_after():
        warnings.append(
            f"This request has waited {duration_text(waited)}: check with the customer that it still holds."
        )
    if order.subscription is None or order.state != OrderState.AWAITING_APPROVAL:
        return warnings
    terms = terms_of(order.subscription)
    until = terms.cancellation_allowed_until
    if until is not None and order.created_at <= until < now:
        warnings.append(
            f"The cancellation window closed on {moment_text(until, now)} while this request waited: "
            "the subscription can no longer be cancelled or reduced until its renewal."
        )
    for window in commerce.closing_within(terms, now, WINDOW_HORIZON):
        warnings.append(f"{window.text} Decide before then, or the customer loses that option.")
    return warnings


# --- approval policies --------------------------------------------------------------------------


@dataclass
class PolicyView:
    organization: Organization
    own: ApprovalPolicy | None  # None: inherited from the reseller's default (or off)
    effective: ApprovalPolicy | None
    may_edit: bool


def policy_organizations(actor: Actor) -> QuerySet[Organization]:
    """Customers and resellers whose approval settings `actor` may see (staff only)."""
    if not actor.is_staff:
        return Organization.objects.none()
    return (
        visible_organizations(actor, Action.CHANGE)
        .exclude(kind=OrganizationKind.OPERATOR.value)
        .order_by("path", "legal_name")
    )


def may_edit_policy(actor: Actor, organization: Organization) -> bool:
    """Staff decide for customers below them (change); a reseller's default needs administer."""
    if not actor.is_staff:
        return False
    action = Action.CHANGE if organization.kind == OrganizationKind.CUSTOMER.value else Action.ADMINISTER
    return may(actor, action, organization)


def policies_for(actor: Actor) -> list[PolicyView]:
    organizations = list(policy_organizations(actor))
    policies = {
        p.organization_id: p
        for p in ApprovalPolicy.objects.filter(organization__in=[o.pk for o in organizations])
    }
    views = []
    for organization in organizations:
        own = policies.get(organization.pk)
        inherited = next((policies[a] for a in reversed(organization.ancestry[:-1]) if a in policies), None)
        views.append(PolicyView(organization, own, own or inherited, may_edit_policy(actor, organization)))
    return views


def policy_view(actor: Actor, organization_id: int) -> PolicyView:
    organization = get_scoped_or_404(actor, policy_organizations(actor), "self", pk=organization_id)
    own = ApprovalPolicy.objects.filter(organization=organization).first()
    effective = own or _inherited(organization)
    return PolicyView(organization, own, effective, may_edit_policy(actor, organization))


def _inherited(organization: Organization) -> ApprovalPolicy | None:
    probe = Order(customer=organization)
    return policy_for(probe)
