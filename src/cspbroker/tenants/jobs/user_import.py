"""A user import in the worker (U2): create every new user, report progress, email the passwords.

The users are created with a bounded number of provider calls in flight and written in batches;
progress goes on the import row for the page to poll; one email at the end lists the new accounts
and their generated passwords. Each row has its own stable request id, so a provider retry never
creates a user twice. Passwords exist only in the worker's memory and the email.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction

from cspbroker.clock import platform_clock
from cspbroker.domain.clock import Clock
from cspbroker.domain.passwords import generate_password
from cspbroker.providers.errors import ProviderError
from cspbroker.providers.partnercenter.users import CustomerUser, NewUser
from cspbroker.providers.ports import UsersAndLicencesPort
from cspbroker.tenants import common, emails
from cspbroker.tenants.models import ImportStatus, Tenant, TenantUser, UserImport

CONCURRENCY = 8  # provider calls in flight at once

_BATCH = 200  # users written per insert

_PROGRESS_SECONDS = 1.0

_NAMESPACE = uuid.UUID("6c3b8a52-1c4e-4c41-9d7a-3c0f6f1d2b8e")


@dataclass
class _Progress:
    record_id: int
    tenant: Tenant
    created: list[TenantUser] = field(default_factory=list)
    credentials: list[dict[str, str]] = field(default_factory=list)
    failures: list[dict[str, Any]] = field(default_factory=list)
    processed: int = 0
    written: int = 0
    last_report: float = 0.0

    def flush(self, *, final: bool = False) -> None:
        pending = self.created[self.written :]
        if pending:
            TenantUser.objects.bulk_create(pending, batch_size=_BATCH, ignore_conflicts=True)
            self.written = len(self.created)
        if final or pending or time.monotonic() - self.last_report > _PROGRESS_SECONDS:
            UserImport.objects.filter(pk=self.record_id).update(
                processed=self.processed,
                created_count=len(self.created),
                failed_count=len(self.failures),
                failures=self.failures[:1000],
            )
            self.last_report = time.monotonic()


def _claim(import_id: int, now: datetime) -> UserImport | None:
    with transaction.atomic():
        record = UserImport.objects.select_for_update().filter(pk=import_id).first()
        if record is None or record.status != ImportStatus.QUEUED:
            return None
        record.status = ImportStatus.RUNNING
        record.started_at = now
        record.save(update_fields=["status", "started_at"])
    return UserImport.objects.select_related("tenant__connection", "tenant__customer__parent").get(
        pk=import_id
    )


def _create_one(
    client: UsersAndLicencesPort, tenant: Tenant, import_id: int, row: dict[str, Any]
) -> tuple[CustomerUser | None, str, str]:
    """(the created user or None, its password, the reason it failed)."""
    values = row["values"]
    upn = values["userPrincipalName"]
    full_name = f"{values['firstName']} {values['lastName']}".strip() or values["displayName"]
    password = generate_password(account_name=upn, full_name=full_name)
    new_user = NewUser(
        user_principal_name=upn,
        first_name=values["firstName"],
        last_name=values["lastName"],
        display_name=values["displayName"],
        usage_location=values["usageLocation"],
        password=password,
    )
    request_id = uuid.uuid5(_NAMESPACE, f"{import_id}:{row['line']}")
    try:
        return (
            client.create_user(tenant.provider_tenant_id, new_user, request_id=str(request_id)),
            password,
            "",
        )
    except ProviderError as error:
        return None, "", common.provider_text(error)


def _results(
    client: UsersAndLicencesPort, record: UserImport
) -> Iterator[tuple[dict[str, Any], CustomerUser | None, str, str]]:
    with ThreadPoolExecutor(max_workers=CONCURRENCY, thread_name_prefix="user-import") as pool:
        futures: dict[Future[tuple[CustomerUser | None, str, str]], dict[str, Any]] = {
            pool.submit(_create_one, client, record.tenant, record.pk, row): row for row in record.rows
        }
        for future in as_completed(futures):
            yield futures[future], *future.result()


def run_import(import_id: int, *, clock: Clock = platform_clock) -> common.Outcome:
    """Worker: create the import's users, report progress, then send the one credentials email."""
    record = _claim(import_id, clock.now())
    if record is None:
        return {"ok": True, "skipped": True}
    tenant = record.tenant
    progress = _Progress(record.pk, tenant)
    now = clock.now()
    try:
        with common.provider(tenant.connection) as client:
            for row, remote, password, reason in _results(client, record):
                progress.processed += 1
                values = row["values"]
                if remote is None:
                    upn = values["userPrincipalName"]
                    progress.failures.append(
                        {"line": row["line"], "user_principal_name": upn, "reason": reason}
                    )
                else:
                    progress.created.append(_local_user(tenant, remote, values, now))
                    progress.credentials.append(
                        {"user_name": remote.user_principal_name, "password": password}
                    )
                if len(progress.created) - progress.written >= _BATCH or progress.processed % 100 == 0:
                    progress.flush()
    except Exception as error:  # the import row must say what happened, whatever it was
        common.log.exception("user import %s stopped", record.pk)
        _finish(record, progress, ImportStatus.FAILED, f"The import stopped: {type(error).__name__}.", clock)
        return {"ok": False, "code": "import_failed", "message": str(error)}
    _finish(record, progress, ImportStatus.COMPLETED, _summary(progress), clock)
    return {"ok": True, "created": len(progress.created), "failed": len(progress.failures)}


def _local_user(tenant: Tenant, remote: CustomerUser, values: dict[str, str], now: datetime) -> TenantUser:
    return TenantUser(
        tenant=tenant,
        provider_user_id=remote.id,
        user_principal_name=remote.user_principal_name or values["userPrincipalName"],
        first_name=values["firstName"][:100],
        last_name=values["lastName"][:100],
        display_name=values["displayName"][:255],
        usage_location=values["usageLocation"],
        last_synced_at=now,
    )


def _summary(progress: _Progress) -> str:
    created, failed = len(progress.created), len(progress.failures)
    text = f"{created} user{'s' if created != 1 else ''} created"
    if failed:
        text += f", {failed} refused by Partner Center"
    if created:
        text += "; the passwords were emailed"
    return text + "."


def _finish(record: UserImport, progress: _Progress, status: str, message: str, clock: Clock) -> None:
    with transaction.atomic():
        progress.flush(final=True)
        if progress.credentials:
            emails.import_credentials(record, progress.credentials)
        UserImport.objects.filter(pk=record.pk).update(
            status=status, finished_at=clock.now(), message=message[:1000]
        )
    progress.credentials.clear()
