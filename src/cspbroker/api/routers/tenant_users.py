"""A tenant's users (U1, U2) and licence assignments (U3): `/tenants/{id}/users`, `…/licence-assignments`.

Provider calls run in the worker; these endpoints wait briefly for the outcome and answer 202
`{"status": "pending"}` when the worker needs longer (the change still happens).
"""

from __future__ import annotations

from datetime import datetime

from django.http import Http404, HttpRequest, HttpResponse
from ninja import Query, Router, Schema
from ninja.responses import Status

from cspbroker.api.auth import actor
from cspbroker.domain.passwords import PasswordMode
from cspbroker.domain.user_directory import ImportPreview
from cspbroker.provisioning.licences import services as licences
from cspbroker.subscriptions import tenant_licences
from cspbroker.tenants import selectors
from cspbroker.tenants.models import LicenceAssignment, Tenant, TenantUser, UserImport
from cspbroker.tenants.services import user_import, users

router = Router(tags=["tenant users and licences"])
PENDING_MESSAGE = "The worker is still on it; the change appears here shortly."


class PendingOut(Schema):
    status: str = "pending"
    message: str = PENDING_MESSAGE


class UserOut(Schema):
    id: int
    user_principal_name: str
    first_name: str
    last_name: str
    display_name: str
    usage_location: str
    is_active: bool
    licences: list[str]

    @staticmethod
    def resolve_licences(user: TenantUser) -> list[str]:
        return sorted(assignment.licence_sku_id for assignment in user.licences.all())


class UserPageOut(Schema):
    items: list[UserOut]
    total: int
    page: int
    pages: int
    page_size: int


class UserQuery(Schema):
    q: str = ""
    page: int = 1
    page_size: int = selectors.USERS_PER_PAGE


class UserIn(Schema):
    user_principal_name: str
    first_name: str = ""
    last_name: str = ""
    display_name: str = ""
    usage_location: str
    password_mode: str = PasswordMode.AUTO_GENERATE_AND_EMAIL.value
    password: str | None = None
    email_to: str | None = None


class PasswordResetIn(Schema):
    password_mode: str = PasswordMode.AUTO_GENERATE_AND_EMAIL.value
    password: str | None = None
    email_to: str | None = None


class ImportIn(Schema):
    csv: str
    notify_email: str
    file_name: str = ""


class ImportRowOut(Schema):
    line: int
    action: str
    values: dict[str, str]
    reasons: list[str]


class ImportOut(Schema):
    id: int
    status: str
    summary: str
    notify_email: str
    total: int
    processed: int
    created_count: int
    failed_count: int
    skipped_count: int
    refused_count: int
    percent: int
    seconds: float | None
    failures: list[dict[str, object]]
    message: str


class ImportPreviewOut(ImportOut):
    rows: list[ImportRowOut]


class AssignmentOut(Schema):
    id: int
    user_id: int
    user_principal_name: str
    licence_sku_id: str
    assigned_at: datetime

    @staticmethod
    def resolve_user_principal_name(assignment: LicenceAssignment) -> str:
        return assignment.user.user_principal_name


class AssignmentQuery(Schema):
    user_id: int | None = None
    licence_sku_id: str | None = None


class AssignmentIn(Schema):
    subscription_id: int
    user_ids: list[int]


class LicenceChangeOut(Schema):
    licence_sku_id: str
    changed: int
    unchanged: int
    pending: bool
    purchased: int
    assigned: int
    available: int


@router.get("/tenants/{int:tenant_id}/users", response=UserPageOut, summary="Users, searched and paged")
def list_users(request: HttpRequest, tenant_id: int, query: Query[UserQuery]) -> dict[str, object]:
    tenant = selectors.tenant_for(actor(request), tenant_id)
    page = selectors.users_page(tenant, search=query.q.strip(), page=query.page, page_size=query.page_size)
    return {
        "items": list(page.object_list),
        "total": page.paginator.count,
        "page": page.number,
        "pages": page.paginator.num_pages,
        "page_size": page.paginator.per_page,
    }


@router.get("/tenants/{int:tenant_id}/users/export", summary="The users as a CSV directory file")
def export_users(request: HttpRequest, tenant_id: int) -> HttpResponse:
    tenant = selectors.tenant_for(actor(request), tenant_id)
    response = HttpResponse(selectors.export_csv(tenant), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{tenant.domain}-users.csv"'
    return response


@router.post(
    "/tenants/{int:tenant_id}/users",
    response={201: UserOut, 202: PendingOut},
    summary="Create a user; password_mode: auto_generate_and_email, specify_and_email or specify_no_email",
)
def create_user(request: HttpRequest, tenant_id: int, body: UserIn) -> Status[TenantUser | PendingOut]:
    who = actor(request)
    tenant = selectors.tenant_for(who, tenant_id)
    user = users.create_user(actor=who, tenant_id=tenant.pk, **body.dict())
    if user is None:
        return Status(202, PendingOut())
    return Status(201, selectors.user_of(tenant, user.pk))


@router.get("/tenants/{int:tenant_id}/users/{int:user_id}", response=UserOut)
def get_user(request: HttpRequest, tenant_id: int, user_id: int) -> TenantUser:
    return selectors.user_of(selectors.tenant_for(actor(request), tenant_id), user_id)


@router.delete("/tenants/{int:tenant_id}/users/{int:user_id}", response={204: None, 202: PendingOut})
def delete_user(request: HttpRequest, tenant_id: int, user_id: int) -> Status[PendingOut | None]:
    who = actor(request)
    user = selectors.user_of(selectors.tenant_for(who, tenant_id), user_id)
    done = users.delete_user(actor=who, tenant_id=user.tenant_id, user_id=user.pk)
    return Status(204, None) if done else Status(202, PendingOut())


@router.post(
    "/tenants/{int:tenant_id}/users/{int:user_id}/reset-password", response={204: None, 202: PendingOut}
)
def reset_password(
    request: HttpRequest, tenant_id: int, user_id: int, body: PasswordResetIn
) -> Status[PendingOut | None]:
    who = actor(request)
    user = selectors.user_of(selectors.tenant_for(who, tenant_id), user_id)
    done = users.reset_password(actor=who, tenant_id=user.tenant_id, user_id=user.pk, **body.dict())
    return Status(204, None) if done else Status(202, PendingOut())


def _import_out(record: UserImport, preview: ImportPreview | None = None) -> ImportOut:
    fields = {name: getattr(record, name) for name in ImportOut.model_fields if name != "id"}
    if preview is None:
        return ImportOut(id=record.pk, **fields)
    rows = [
        ImportRowOut(line=row.line_number, action=str(row.action), values=row.values, reasons=row.reasons)
        for row in preview.rows
    ]
    return ImportPreviewOut(id=record.pk, rows=rows, **fields)


@router.post(
    "/tenants/{int:tenant_id}/users/imports",
    response={201: ImportPreviewOut},
    summary="Preview a CSV import (userPrincipalName, firstName, lastName, displayName, usageLocation)",
)
def preview_import(request: HttpRequest, tenant_id: int, body: ImportIn) -> Status[ImportOut]:
    who = actor(request)
    tenant = selectors.tenant_for(who, tenant_id)
    record, preview = user_import.preview_import(
        actor=who,
        tenant_id=tenant.pk,
        text=body.csv,
        notify_email=body.notify_email,
        file_name=body.file_name,
    )
    return Status(201, _import_out(record, preview))


@router.post("/tenants/{int:tenant_id}/users/imports/{int:import_id}/start", response={202: ImportOut})
def start_import(request: HttpRequest, tenant_id: int, import_id: int) -> Status[ImportOut]:
    who = actor(request)
    tenant = selectors.tenant_for(who, tenant_id)
    record = selectors.user_import_for(tenant, import_id)
    user_import.start_import(actor=who, tenant_id=tenant.pk, import_id=record.pk)
    return Status(202, _import_out(selectors.user_import_for(tenant, record.pk)))


@router.get(
    "/tenants/{int:tenant_id}/users/imports/{int:import_id}", response=ImportOut, summary="Import progress"
)
def get_import(request: HttpRequest, tenant_id: int, import_id: int) -> ImportOut:
    tenant = selectors.tenant_for(actor(request), tenant_id)
    return _import_out(selectors.user_import_for(tenant, import_id))


@router.get("/tenants/{int:tenant_id}/licence-assignments", response=list[AssignmentOut])
def list_assignments(
    request: HttpRequest, tenant_id: int, query: Query[AssignmentQuery]
) -> list[LicenceAssignment]:
    tenant = selectors.tenant_for(actor(request), tenant_id)
    return list(selectors.assignments_of(tenant, user_id=query.user_id, licence_sku_id=query.licence_sku_id))


def _change_out(tenant: Tenant, change: licences.LicenceChange) -> LicenceChangeOut:
    seats = tenant_licences.seats(tenant, change.licence_sku_id)
    return LicenceChangeOut(
        **change.__dict__, purchased=seats.purchased, assigned=seats.assigned, available=seats.available
    )


@router.post(
    "/tenants/{int:tenant_id}/licence-assignments",
    response={201: LicenceChangeOut, 202: LicenceChangeOut},
    summary="Assign a subscription's licence to one or more users (refused beyond the purchased seats)",
)
def assign(request: HttpRequest, tenant_id: int, body: AssignmentIn) -> Status[LicenceChangeOut]:
    who = actor(request)
    tenant = selectors.tenant_for(who, tenant_id)
    change = licences.assign_licences(
        actor=who, tenant_id=tenant.pk, subscription_id=body.subscription_id, user_ids=body.user_ids
    )
    return Status(202 if change.pending else 201, _change_out(tenant, change))


@router.post(
    "/tenants/{int:tenant_id}/licence-assignments/remove",
    response={200: LicenceChangeOut, 202: LicenceChangeOut},
    summary="Remove a subscription's licence from one or more users",
)
def remove(request: HttpRequest, tenant_id: int, body: AssignmentIn) -> Status[LicenceChangeOut]:
    who = actor(request)
    tenant = selectors.tenant_for(who, tenant_id)
    change = licences.remove_licences(
        actor=who, tenant_id=tenant.pk, subscription_id=body.subscription_id, user_ids=body.user_ids
    )
    return Status(202 if change.pending else 200, _change_out(tenant, change))


@router.delete(
    "/tenants/{int:tenant_id}/licence-assignments/{int:assignment_id}", response={204: None, 202: PendingOut}
)
def delete_assignment(request: HttpRequest, tenant_id: int, assignment_id: int) -> Status[PendingOut | None]:
    who = actor(request)
    tenant = selectors.tenant_for(who, tenant_id)
    assignment = selectors.assignments_of(tenant).filter(pk=assignment_id).first()
    if assignment is None:
        raise Http404("No such licence assignment.")
    change = licences.remove_licences(
        actor=who,
        tenant_id=tenant.pk,
        user_ids=[assignment.user_id],
        licence_sku_id=assignment.licence_sku_id,
    )
    return Status(202, PendingOut()) if change.pending else Status(204, None)
