"""Tenants, users and licences through the browser, against the whole platform running.

The platform here is five processes on one temporary database: the Partner Center sandbox, the SMTP
mail catcher, the huey worker, gunicorn — and the browser. A reseller onboards a new customer tenant
(live name check, the administrator's credentials arrive by email), creates users and imports 50
from a CSV file; the operator links the sandbox's existing tenant and that customer's administrator
assigns licences in the storefront.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from cspbroker.accounts.demo import LOGINS
from tests.e2e.conftest import _database_for, _drop, free_port

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]
PASSWORDS = {email: password for email, _, _, _, password in LOGINS}
NORTHWIND_DOMAIN = "northwindtraders.onmicrosoft.com"


@dataclass
class Platform:
    url: str
    mail_url: str
    tmp: Path

    def messages(self, to: str) -> list[dict[str, object]]:
        with urllib.request.urlopen(f"{self.mail_url}/api/messages?to={to}", timeout=5) as response:
            return list(json.loads(response.read()))

    def wait_for_mail(self, to: str, count: int = 1, timeout: float = 30) -> list[dict[str, object]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.messages(to)
            if len(found) >= count:
                return found
            time.sleep(0.3)
        raise AssertionError(f"no mail for {to} within {timeout} s")


def _wait_until_up(
    url: str, processes: list[subprocess.Popen[bytes]], logs: Path, timeout: float = 60
) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            dead = [p for p in processes if p.poll() is not None]
            if time.monotonic() > deadline or dead:
                raise RuntimeError("\n".join(f.read_text() for f in logs.glob("*.log"))) from None
            time.sleep(0.3)


@pytest.fixture(scope="module")
def tenant_platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    tmp = tmp_path_factory.mktemp("tenant-platform")
    database_url, dropped = _database_for(tmp)
    ports = {name: free_port() for name in ("pc", "distributor", "esd", "smtp", "mail_http", "web")}
    env = {
        **os.environ,
        "CSPB_VAR_DIR": str(tmp / "var"),
        "DATABASE_URL": database_url,
        "EMAIL_URL": f"smtp://127.0.0.1:{ports['smtp']}",
        "CSPB_HUEY_FILE": str(tmp / "huey.sqlite3"),
        "CSPB_SANDBOX_PC_PORT": str(ports["pc"]),
        "CSPB_SANDBOX_DISTRIBUTOR_PORT": str(ports["distributor"]),
        "CSPB_SANDBOX_ESD_PORT": str(ports["esd"]),
        "CSPB_SANDBOX_CLIENT_ID": str(uuid.uuid4()),
        "CSPB_SANDBOX_CLIENT_SECRET": "e2e-" + uuid.uuid4().hex,
        "CSPB_SANDBOX_TENANT_ID": str(uuid.uuid4()),
        "CSPB_WORKERS": "4",
    }
    run = [sys.executable, "-m", "cspbroker"]
    subprocess.run([*run, "migrate", "--noinput", "-v", "0"], env=env, check=True, timeout=300)
    subprocess.run(
        [*run, "demo", "load", "--no-provider-work"],
        env=env,
        check=True,
        timeout=120,
        stdout=subprocess.DEVNULL,
    )
    commands = {
        "sandbox": [
            *run,
            "sandbox",
            "serve",
            "--pc-port",
            str(ports["pc"]),
            "--distributor-port",
            str(ports["distributor"]),
            "--esd-port",
            str(ports["esd"]),
            "--state-dir",
            str(tmp / "sandbox"),
        ],
        "mail": [
            sys.executable,
            "-m",
            "cspbroker.sandbox.mailcatcher",
            "--smtp-port",
            str(ports["smtp"]),
            "--http-port",
            str(ports["mail_http"]),
            "--state-dir",
            str(tmp / "mail"),
        ],
        "worker": [*run, "run_huey"],
        "web": [
            sys.executable,
            "-m",
            "gunicorn",
            "cspbroker.config.wsgi:application",
            "--bind",
            f"127.0.0.1:{ports['web']}",
            "--workers",
            "1",
            "--threads",
            "4",
        ],
    }
    processes: list[subprocess.Popen[bytes]] = []
    logs = []
    try:
        for name, command in commands.items():
            log = open(tmp / f"{name}.log", "wb")  # noqa: SIM115 - closed at teardown
            logs.append(log)
            processes.append(subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT))
        url, mail_url = f"http://127.0.0.1:{ports['web']}", f"http://127.0.0.1:{ports['mail_http']}"
        _wait_until_up(f"http://127.0.0.1:{ports['pc']}/", processes, tmp)
        _wait_until_up(f"{mail_url}/healthz", processes, tmp)
        _wait_until_up(f"{url}/healthz", processes, tmp)
        yield Platform(url, mail_url, tmp)
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        for log in logs:
            log.close()
        if dropped:
            _drop(dropped)


def log_in(page, url: str, email: str) -> None:
    page.goto(f"{url}/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORDS[email])
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda address: address.endswith(("/backoffice/", "/store/")))


def fill_user(page, upn: str, display_name: str, mode: str, password: str = "", email_to: str = "") -> None:
    page.get_by_role("link", name="+ New user").click()
    page.get_by_label("User name (user@domain)").fill(upn)
    page.get_by_label("Display name").fill(display_name)
    page.get_by_label("Usage location").fill("DE")
    page.get_by_label(mode).check()
    if password:
        page.get_by_label("Password (when you specify it)").fill(password)
    if email_to:
        page.get_by_label("Send the credentials to (email)").fill(email_to)
    page.get_by_role("button", name="Create user").click()
    page.wait_for_selector(f"text={upn} is created.")


def choose_subscription(page, text: str) -> None:
    option = page.locator("#bulk-subscription option", has_text=text)
    page.locator("#bulk-subscription").select_option(option.get_attribute("value"))


def test_a_reseller_onboards_a_new_tenant_creates_users_and_imports_fifty(tenant_platform, page, tmp_path):
    url = tenant_platform.url
    log_in(page, url, "admin@tailspin.example")
    page.get_by_role("link", name="Tenants & users").click()
    page.get_by_role("row", name=re.compile("Litware Architects GmbH")).get_by_role(
        "link", name="Add a tenant"
    ).click()
    name = page.get_by_label("Tenant name")
    name.fill("litware")  # the sandbox knows it as taken
    page.wait_for_selector("#domain-check [data-available='no']")
    assert "litware.onmicrosoft.com is taken" in page.locator("#domain-check").inner_text()
    name.fill("litwarearch")
    page.wait_for_selector("#domain-check [data-available='yes']")
    page.get_by_role("button", name="Add tenant").click()
    page.wait_for_selector("#tenant-badge:has-text('Active')", timeout=30_000)
    [mail] = tenant_platform.wait_for_mail("it@litware.example")
    assert "litwarearch.onmicrosoft.com" in str(mail["subject"])
    assert re.search(r"Password:\s+\S{8,}", str(mail["body"]))

    page.get_by_role("link", name="Users & licences").click()
    fill_user(
        page,
        "max.muster@litwarearch.onmicrosoft.com",
        "Max Muster",
        "Auto generate and send email to user",
        email_to="max@litware.example",
    )
    fill_user(
        page,
        "erika.muster@litwarearch.onmicrosoft.com",
        "Erika Muster",
        "Let me specify but don't send email to user",
        password="Bauhaus#1919",
    )
    assert len(tenant_platform.wait_for_mail("max@litware.example")) == 1
    assert page.locator("#users tbody tr[data-user]").count() == 3

    csv = tmp_path / "users.csv"
    csv.write_text(
        "userPrincipalName,firstName,lastName,displayName,usageLocation\n"
        + "".join(
            f"staff{i:02d}@litwarearch.onmicrosoft.com,Staff,Member {i},Staff Member {i},DE\n"
            for i in range(50)
        )
    )
    page.get_by_role("link", name="Import users (CSV)").click()
    page.get_by_label("CSV file").set_input_files(str(csv))
    page.get_by_label("Send the new passwords to (email)").fill("office@tailspin.example")
    page.get_by_role("button", name="Check the file").click()
    assert "50 to create, 0 already exist, 0 refused." in page.locator("#import-preview").inner_text()
    page.get_by_role("button", name="Import 50 users").click()
    page.wait_for_selector("#import-progress[data-status='completed']", timeout=60_000)
    assert "50 users created; the passwords were emailed." in page.locator("#import-progress").inner_text()
    [listing] = tenant_platform.wait_for_mail("office@tailspin.example")
    assert str(listing["body"]).count("@litwarearch.onmicrosoft.com") == 50
    page.screenshot(path=str(tmp_path / "import.png"))


def test_the_operator_links_northwind_and_its_admin_assigns_licences(tenant_platform, page, tmp_path):
    url = tenant_platform.url
    log_in(page, url, "admin@alpine-cloud.example")
    page.goto(f"{url}/backoffice/tenants/")
    page.get_by_role("row", name=re.compile("Northwind Traders GmbH")).get_by_role(
        "link", name="Add a tenant"
    ).click()
    page.get_by_label("Tenant already exists").check()
    page.get_by_label("Tenant name").fill(NORTHWIND_DOMAIN)
    page.wait_for_selector("#domain-check:has-text('will be linked')")
    page.get_by_role("button", name="Add tenant").click()
    page.wait_for_selector("#tenant-badge:has-text('Active')", timeout=30_000)
    assert page.locator("#subscriptions tbody tr").count() == 3
    page.get_by_role("button", name="Log out").click()

    log_in(page, url, "admin@northwind.example")
    page.get_by_role("link", name="Users & licences").click()
    page.wait_for_selector("#users")
    for person in ("Andrew Fuller", "Janet Leverling"):
        page.get_by_label(f"Select {person}").check()
    choose_subscription(page, "Power BI Pro — 2 available, 1 consumed")
    page.get_by_role("button", name="Assign subscription").click()
    page.wait_for_selector("text=Licence assigned to 2 users.")
    power_bi = page.locator("#seats tr", has_text="Power BI Pro")
    assert power_bi.locator("[data-available]").inner_text() == "0"
    assert power_bi.locator("[data-assigned]").inner_text() == "3"
    page.get_by_label("Select Margaret Peacock").check()
    choose_subscription(page, "Power BI Pro — 0 available, 3 consumed")
    page.get_by_role("button", name="Assign subscription").click()
    page.wait_for_selector("text=Only 0 of 3 licences are free; you selected 1 user.")
    page.screenshot(path=str(tmp_path / "licences.png"))
