"""User import from a CSV directory file (U2): preview, then hand the import to the worker.

The preview judges each row (create / skip / refuse, with reasons) without calling the provider and
keeps only the rows to create. Starting it queues the import for the worker (`jobs.user_import`),
which creates the users and emails their passwords to the address given here.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from cspbroker.accounts.access import Actor
from cspbroker.domain.errors import DomainError
from cspbroker.domain.user_directory import ImportPreview, parse_user_csv
from cspbroker.tenants import tasks
from cspbroker.tenants.common import tenant_for_change
from cspbroker.tenants.models import ImportStatus, TenantUser, UserImport

MAX_FILE_CHARACTERS = 5_000_000

MAX_ROWS = 20_000


class InvalidImport(DomainError):
    code = "invalid_import"


def _check_email(address: str) -> str:
    value = (address or "").strip()
    if not value:
        raise InvalidImport("Enter the email address the new passwords are sent to.", field="notify_email")
    try:
        validate_email(value)
    except ValidationError:
        raise InvalidImport(f"{value} is not an email address.", field="notify_email") from None
    return value


def preview_import(
    *, actor: Actor, tenant_id: int, text: str, notify_email: str, file_name: str = ""
) -> tuple[UserImport, ImportPreview]:
    """Judge every row of the file; the import is kept (not started) with the rows it would create."""
    tenant = tenant_for_change(actor, tenant_id)
    address = _check_email(notify_email)
    if len(text) > MAX_FILE_CHARACTERS:
        raise InvalidImport("The file is too large: at most 5 MB.", field="file")
    existing = set(TenantUser.objects.filter(tenant=tenant).values_list("user_principal_name", flat=True))
    preview = parse_user_csv(text, tenant_domains={tenant.domain}, existing_upns=existing)
    if len(preview.rows) > MAX_ROWS:
        raise InvalidImport(
            f"The file has {len(preview.rows)} rows; at most {MAX_ROWS} at a time.", field="file"
        )
    record = UserImport.objects.create(
        tenant=tenant,
        requested_by=actor.ref,
        notify_email=address,
        file_name=file_name[:255],
        rows=[{"line": row.line_number, "values": row.values} for row in preview.to_create],
        summary=preview.summary,
        skipped_count=len(preview.skipped),
        refused_count=len(preview.refused),
        total=len(preview.to_create),
    )
    return record, preview


def start_import(*, actor: Actor, tenant_id: int, import_id: int) -> UserImport:
    tenant = tenant_for_change(actor, tenant_id)
    with transaction.atomic():
        record = UserImport.objects.select_for_update().filter(tenant=tenant, pk=import_id).first()
        if record is None:
            raise InvalidImport("There is no such import for this tenant.", field="import", code="not_found")
        if record.status != ImportStatus.PREVIEWED:
            raise InvalidImport(
                f"This import is already {record.get_status_display().lower()}.", field="import"
            )
        if not record.total:
            raise InvalidImport("The file has no new user to create.", field="file")
        record.status = ImportStatus.QUEUED
        record.save(update_fields=["status"])
        transaction.on_commit(lambda: tasks.run_import_task(record.pk), robust=True)
    return record
