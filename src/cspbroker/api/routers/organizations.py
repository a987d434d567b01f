from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.responses import Status

from cspbroker.accounts import selectors, services
from cspbroker.accounts.models import Organization
from cspbroker.api.auth import actor
from cspbroker.api.schemas import OrganizationIn, OrganizationOut, OrganizationPatch
from cspbroker.domain.errors import DomainError
from cspbroker.domain.parties import OrganizationKind

router = Router(tags=["organizations"])


class OrganizationFilter(Schema):
    kind: str | None = None


@router.get("", response=list[OrganizationOut], summary="Resellers and customers you may see")
def list_organizations(request: HttpRequest, filters: Query[OrganizationFilter]) -> list[Organization]:
    return list(selectors.organizations_for(actor(request), kind=filters.kind))


@router.get("/{organization_id}", response=OrganizationOut)
def get_organization(request: HttpRequest, organization_id: int) -> Organization:
    return selectors.organization_for(actor(request), organization_id)


@router.post("", response={201: OrganizationOut}, summary="Add a reseller or a customer under a parent")
def create_organization(request: HttpRequest, body: OrganizationIn) -> Status[Organization]:
    who = actor(request)
    selectors.organization_for(who, body.parent_id)  # 404 for a parent you cannot see
    try:
        kind = OrganizationKind(body.kind)
    except ValueError as error:
        raise DomainError("kind must be reseller or customer.", field="kind", code="invalid_input") from error
    fields = body.dict(exclude={"kind", "parent_id"})
    return Status(201, services.create_organization(kind=kind, parent_id=body.parent_id, actor=who, **fields))


@router.patch("/{organization_id}", response=OrganizationOut)
def update_organization(request: HttpRequest, organization_id: int, body: OrganizationPatch) -> Organization:
    who = actor(request)
    organization = selectors.organization_for(who, organization_id)
    return services.update_organization(
        organization_id=organization.pk, actor=who, **body.dict(exclude_unset=True)
    )
