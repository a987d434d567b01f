"""What every tenant use case shares: its errors, who may act, which connection, and the worker hand-off."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from typing import Any

from django.db.models import QuerySet
from huey.exceptions import HueyException, TaskException

from cspbroker.accounts.access import Actor, may
from cspbroker.accounts.models import Organization
from cspbroker.accounts.services import PermissionDenied
from cspbroker.connections.clients import DEFAULT_ATTEMPTS, partner_center
from cspbroker.connections.models import Connection, ProviderKind
from cspbroker.domain.errors import DomainError
from cspbroker.domain.parties import Action, OrganizationKind
from cspbroker.providers.errors import ProviderError, ProviderRejected, ProviderUnavailable
from cspbroker.providers.ports import PartnerCenterClientPort
from cspbroker.tenants.models import Tenant, TenantStatus

log = logging.getLogger("cspbroker.tenants")

# How long a page or an API call waits for the worker to finish a user or licence operation before it
# answers "in progress"; the worker carries on either way.
WORKER_WAIT_SECONDS = 30.0
# A person waiting for an answer on a page: one retry, not the worker's patient schedule.
INTERACTIVE_ATTEMPTS = 2


class TenantExists(DomainError):
    code = "tenant_exists"


class NoConnection(DomainError):
    code = "no_connection"


class TenantNotReady(DomainError):
    code = "tenant_not_ready"


class NotACustomer(DomainError):
    code = "not_a_customer"


class ProviderRefused(DomainError):
    """The provider said no; `provider_code` is its own code (e.g. 60012)."""

    code = "provider_rejected"

    def __init__(self, message: str, *, provider_code: str = "", field: str | None = None) -> None:
        super().__init__(message, field=field)
        self.provider_code = provider_code

    def __reduce__(self) -> tuple[Any, ...]:
        return (_refused, (self.message, self.provider_code, self.field))


def _refused(message: str, provider_code: str, field: str | None) -> ProviderRefused:
    return ProviderRefused(message, provider_code=provider_code, field=field)


class ProviderDown(DomainError):
    code = "provider_unavailable"


def require(actor: Actor, action: Action, organization: Organization, doing: str) -> None:
    if not may(actor, action, organization):
        raise PermissionDenied(f"You may not {doing} for {organization.legal_name}.")


def require_customer(organization: Organization) -> None:
    if organization.kind != OrganizationKind.CUSTOMER.value:
        raise NotACustomer(
            f"{organization.legal_name} is a {organization.kind}; only customers have tenants.",
            field="customer",
        )


def partner_center_connections(customer: Organization) -> QuerySet[Connection]:
    """The active Partner Center connections of the customer's reseller and of the operator."""
    return Connection.objects.filter(
        organization_id__in=customer.ancestry[:-1], kind=ProviderKind.PARTNER_CENTER.value, is_active=True
    )


def connection_for_customer(customer: Organization, connection_id: int | None = None) -> Connection:
    """The connection a customer's tenant lives on: the one asked for, else the nearest up the tree.

    A reseller with its own Partner Center account uses it; otherwise the operator's serves.
    """
    candidates = list(partner_center_connections(customer))
    if connection_id is not None:
        chosen = next((c for c in candidates if c.pk == connection_id), None)
        if chosen is None:
            raise NoConnection(
                "That connection is not an active Partner Center connection of this customer's reseller "
                "or of the operator.",
                field="connection_id",
            )
        return chosen
    if not candidates:
        raise NoConnection(
            "There is no active Partner Center connection for this customer: the reseller or the operator "
            "must add one under Connections first.",
            field="connection_id",
        )
    depth = {organization_id: index for index, organization_id in enumerate(customer.ancestry)}
    return max(candidates, key=lambda c: (depth.get(c.organization_id, -1), -c.pk))


def check_free(customer: Organization, connection: Connection, domain: str) -> None:
    """One tenant per customer and connection, and a domain belongs to one customer (T2 and T3)."""
    existing = Tenant.objects.filter(customer=customer, connection=connection).first()
    if existing is not None:
        hint = " Retry it from its page instead." if existing.status == TenantStatus.FAILED else ""
        raise TenantExists(
            f"{customer.legal_name} already has the tenant {existing.domain} "
            f"({existing.get_status_display().lower()}) on {connection.name}.{hint}",
            field="tenant_name",
        )
    if domain and Tenant.objects.filter(connection=connection, domain__iexact=domain).exists():
        raise TenantExists(f"{domain} already belongs to another customer here.", field="tenant_name")


@contextmanager
def provider(connection: Connection, *, interactive: bool = False) -> Iterator[PartnerCenterClientPort]:
    """The connection's Partner Center client for the block, closed after it."""
    if connection.kind != ProviderKind.PARTNER_CENTER:
        raise NoConnection(f"{connection.name} is not a Partner Center connection.", field="connection_id")
    attempts = INTERACTIVE_ATTEMPTS if interactive else DEFAULT_ATTEMPTS
    with closing(partner_center(connection, max_attempts=attempts)) as client:
        yield client


def require_active(tenant: Tenant) -> None:
    if tenant.status != TenantStatus.ACTIVE or not tenant.provider_tenant_id:
        raise TenantNotReady(
            f"The tenant {tenant.domain} is not active yet ({tenant.get_status_display().lower()}).",
            field="tenant",
        )


def tenant_for_change(actor: Actor, tenant_id: int) -> Tenant:
    """The active tenant whose users and licences `actor` may change (requests of U1–U3)."""
    tenant = Tenant.objects.select_related("customer__parent", "connection").get(pk=tenant_id)
    require(actor, Action.CHANGE, tenant.customer, "manage the users and licences of this tenant")
    require_active(tenant)
    return tenant


def provider_text(error: ProviderError) -> str:
    """The provider's own words, for people: its description, else the whole message."""
    if isinstance(error, ProviderRejected):
        return (error.description or error.message or "the request was refused")[:900]
    return (error.message or "the provider could not be reached")[:900]


def as_domain_error(error: ProviderError, *, doing: str, field: str | None = None) -> DomainError:
    if isinstance(error, ProviderUnavailable):
        return ProviderDown(
            f"Partner Center could not be reached to {doing}; try again in a moment. ({provider_text(error)})"
        )
    assert isinstance(error, ProviderRejected)
    code = error.code or str(error.status or "")
    return ProviderRefused(
        f"Partner Center refused to {doing}: {provider_text(error)} (code {code}).",
        provider_code=code,
        field=field,
    )


# --- The hand-off to the worker -------------------------------------------------------------------

Outcome = dict[str, Any]


def run_in_worker(task: Callable[..., Any], *args: Any, wait: float = WORKER_WAIT_SECONDS) -> Outcome | None:
    """Enqueue `task` and wait up to `wait` seconds for its outcome; None while it is still running.

    Provider calls happen in the worker only (retries with backoff, a stable request id); the page
    still answers at once in the usual case. Tasks return outcomes rather than raising, so a
    refusal reaches the person with the provider's words.
    """
    result = task(*args)
    try:
        outcome = result.get(blocking=True, timeout=wait)
    except TaskException as error:
        log.error("tenant task %s failed: %s", getattr(task, "name", task), error.metadata.get("error"))
        raise DomainError(
            "The operation failed unexpectedly in the worker; it was logged.", code="worker_error"
        ) from None
    except HueyException:
        return None
    return outcome if isinstance(outcome, dict) else None


def failure(error: DomainError) -> Outcome:
    """An outcome that carries a domain error back from the worker."""
    outcome: Outcome = {"ok": False, "code": error.code, "message": error.message, "field": error.field}
    if isinstance(error, ProviderRefused):
        outcome["provider_code"] = error.provider_code
    return outcome


def raise_failure(outcome: Outcome) -> None:
    """Raise the domain error an outcome carries; nothing when it succeeded."""
    if outcome.get("ok"):
        return
    code = str(outcome.get("code") or "provider_rejected")
    message = str(outcome.get("message") or "The operation failed.")
    field = outcome.get("field")
    if code == ProviderRefused.code:
        raise ProviderRefused(message, provider_code=str(outcome.get("provider_code") or ""), field=field)
    raise DomainError(message, field=field, code=code)
