"""A large CSV import against the Partner Center sandbox running as its own process, timed.

    CSPB_IMPORT_ROWS=10000 pytest tests/integration/tenants/test_import_scale.py -s

prints the figures for 10,000 users (the suite runs it with a few hundred).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from cspbroker.accounts.access import SYSTEM
from cspbroker.connections import services as connections
from cspbroker.sync import services as sync
from cspbroker.tenants.jobs.user_import import CONCURRENCY
from cspbroker.tenants.models import Tenant, TenantUser, UserImport
from cspbroker.tenants.services import user_import
from tests.integration.tenants.conftest import NORTHWIND_DOMAIN
from tests.sandbox_servers import free_port

pytestmark = pytest.mark.slow
ROWS = int(os.environ.get("CSPB_IMPORT_ROWS", "300"))


@dataclass
class ExternalSandbox:
    url: str
    tenant_id: str
    client_id: str
    client_secret: str


@pytest.fixture
def external_sandbox(tmp_path: Path) -> Iterator[ExternalSandbox]:
    port = free_port()
    credentials = {
        "CSPB_SANDBOX_CLIENT_ID": str(uuid.uuid4()),
        "CSPB_SANDBOX_CLIENT_SECRET": "scale-" + uuid.uuid4().hex,
        "CSPB_SANDBOX_TENANT_ID": str(uuid.uuid4()),
    }
    command = [sys.executable, "-m", "cspbroker", "sandbox", "serve", "--pc-port", str(port)]
    command += ["--distributor-port", str(free_port()), "--esd-port", str(free_port())]
    command += ["--state-dir", str(tmp_path / "sandbox")]
    log = open(tmp_path / "sandbox.log", "wb")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        command, env={**os.environ, **credentials}, stdout=log, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{url}/", timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError((tmp_path / "sandbox.log").read_text()) from None
                time.sleep(0.2)
        yield ExternalSandbox(
            url,
            credentials["CSPB_SANDBOX_TENANT_ID"],
            credentials["CSPB_SANDBOX_CLIENT_ID"],
            credentials["CSPB_SANDBOX_CLIENT_SECRET"],
        )
    finally:
        process.terminate()
        process.wait(timeout=15)
        log.close()


def test_a_large_import_completes_and_reports(
    demo, external_sandbox, mailoutbox, django_capture_on_commit_callbacks
):
    connection = connections.create_connection(
        actor=SYSTEM,
        organization_id=demo.organizations["operator"].pk,
        kind="partner_center",
        name="Partner Center (sandbox process)",
        base_url=external_sandbox.url,
        token_url=external_sandbox.url + "/{tenant}/oauth2/token",
        tenant_id=external_sandbox.tenant_id,
        client_id=external_sandbox.client_id,
        client_secret=external_sandbox.client_secret,
    )
    with django_capture_on_commit_callbacks(execute=True):
        sync.link_tenant(
            actor=SYSTEM, customer_id=demo.organizations["northwind"].pk, reference=NORTHWIND_DOMAIN
        )
    tenant = Tenant.objects.get(connection=connection)
    assert tenant.status == "active"
    csv = "userPrincipalName,firstName,lastName,displayName,usageLocation\r\n" + "".join(
        f"user{i:05d}@{NORTHWIND_DOMAIN},Test,Person {i},Test Person {i},US\r\n" for i in range(ROWS)
    )
    started = time.monotonic()
    record, preview = user_import.preview_import(
        actor=SYSTEM, tenant_id=tenant.pk, text=csv, notify_email="it@northwind.example"
    )
    previewed = time.monotonic() - started
    assert len(preview.to_create) == ROWS
    with django_capture_on_commit_callbacks(execute=True):
        user_import.start_import(actor=SYSTEM, tenant_id=tenant.pk, import_id=record.pk)
    record = UserImport.objects.get(pk=record.pk)
    total = time.monotonic() - started
    print(
        f"\nuser import of {ROWS} rows: preview {previewed:.1f} s, import {record.seconds} s "
        f"({ROWS / max(record.seconds or 1, 0.001):.0f} users/s, {CONCURRENCY} calls in flight), "
        f"total {total:.1f} s"
    )
    assert (record.status, record.created_count, record.failed_count) == ("completed", ROWS, 0)
    assert TenantUser.objects.filter(tenant=tenant).count() == ROWS + 6
    [mail] = mailoutbox
    assert mail.body.count(f"@{NORTHWIND_DOMAIN}  ") == ROWS
