"""End to end: a customer buys, the reseller approves, the worker provisions at the Partner Center
sandbox; the customer adds seats after a preview, is refused a decrease once the window has closed
(before any provider call), the reseller suspends and reactivates; the history shows all of it.

The platform runs for real: gunicorn and a huey worker (`cspbroker run_huey`, its own queue file) on
one temporary database, the Partner Center sandbox over HTTP. Moving the sandbox's clock also moves
the platform's (`CSPB_CLOCK_OFFSET_FILE`, read by `cspbroker.clock`).
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

import httpx
import pytest

from cspbroker.accounts.demo import LOGINS
from tests.e2e.conftest import _database_for, _drop, free_port

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]
PASSWORDS = {email: password for email, _, _, _, password in LOGINS}
CUSTOMER = "admin@adventureworks.example"
RESELLER = "admin@tailspin.example"
EIGHT_DAYS = 8 * 86400

SETUP = """
import json
from datetime import UTC, date, datetime
from decimal import Decimal
from cspbroker.accounts.access import SYSTEM
from cspbroker.accounts.models import Organization
from cspbroker.catalog.models import (
    Availability, Offer, PriceList, PriceListEntry, Product, ProviderPrice, Sku,
)
from cspbroker.connections import services
from cspbroker.connections.clients import partner_center_client
from cspbroker.providers.partnercenter.customers import Address, NewCustomer
from cspbroker.provisioning.models import ApprovalPolicy
from cspbroker.tenants.models import Tenant

operator = Organization.objects.get(kind="operator")
tailspin = Organization.objects.get(legal_name="Tailspin IT Services GmbH")
customer = Organization.objects.get(legal_name="Adventure Works Cycles GmbH")
connection = services.create_connection(
    actor=SYSTEM, organization_id=operator.pk, kind="partner_center", name="PC e2e",
    base_url=URL, token_url=URL + "/{tenant}/oauth2/token", tenant_id=TENANT, client_id=CLIENT,
    client_secret=SECRET,
)
client = partner_center_client(connection)
address = Address(first_name="Anna", last_name="Berg", address_line1="Radweg 1", city="Berlin", state="BE",
                  postal_code="10115", country="DE")
remote = client.create_customer(NewCustomer(domain="adventureworkse2e.onmicrosoft.com",
    company_name=customer.legal_name, email="it@adventureworks.example", address=address))
client.close()
tenant = Tenant.objects.create(customer=customer, connection=connection, provider_tenant_id=remote.id,
                               domain=remote.domain, status="active")
product = Product.objects.create(connection=connection, provider_product_id="CFQ7TTC0LDPB",
    title="Microsoft 365 Business Standard", category="Microsoft 365", product_group="Business")
sku = Sku.objects.create(product=product, provider_sku_id="0001", title=product.title)
availability = Availability.objects.create(sku=sku, provider_availability_id="CFQ7TTC0K5BF",
                                           catalog_item_id="CFQ7TTC0LDPB:0001:CFQ7TTC0K5BF")
prices = PriceList.objects.create(owner=tailspin, name="Tailspin EUR", currency="EUR")
for term, sale in (("P1Y", "12.50"), ("P1M", "15.00")):
    offer = Offer.objects.create(availability=availability, term=term, billing_cycle="monthly")
    ProviderPrice.objects.create(offer=offer, currency="EUR", unit_price=Decimal("10"),
                                 effective_from=datetime(2020, 1, 1, tzinfo=UTC))
    PriceListEntry.objects.create(price_list=prices, offer=offer, sale_price=Decimal(sale),
                                  effective_from=date(2020, 1, 1))
ApprovalPolicy.objects.create(organization=customer, is_enabled=True, new_subscriptions=True,
                              quantity_increases=False)
print(json.dumps({"tenant": remote.id}))
"""


@dataclass
class Platform:
    url: str
    sandbox_url: str
    provider_tenant_id: str
    clock_file: Path
    env: dict[str, str]

    def remote_subscriptions(self) -> list[dict]:
        code = (
            "import json\n"
            "from cspbroker.connections.models import Connection\n"
            "from cspbroker.connections.clients import partner_center_client\n"
            "c = partner_center_client(Connection.objects.get(name='PC e2e'))\n"
            f"print(json.dumps([{{'id': s.id, 'quantity': s.quantity, 'status': s.status_raw}}"
            f" for s in c.list_subscriptions('{self.provider_tenant_id}')]))\n"
        )
        return json.loads(_cspbroker(self.env, "shell", "-c", code).strip().splitlines()[-1])

    def move_clocks(self, seconds: int) -> None:
        httpx.post(f"{self.sandbox_url}/_sandbox/clock", json={"advance": seconds}).raise_for_status()
        self.clock_file.write_text(str(seconds))


def _cspbroker(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "cspbroker", *args], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def _wait_for(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2):
                return
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError(log.read_text()) from None
            time.sleep(0.3)


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    from cspbroker.sandbox.common.config import SandboxConfig
    from cspbroker.sandbox.partnercenter.app import create_app
    from tests.sandbox_servers import running_app

    tmp = tmp_path_factory.mktemp("subscriptions-e2e")
    database_url, dropped = _database_for(tmp)
    clock_file = tmp / "clock-offset"
    clock_file.write_text("0")
    env = {
        **os.environ,
        "CSPB_VAR_DIR": str(tmp / "var"),
        "DATABASE_URL": database_url,
        "EMAIL_URL": f"file://{tmp / 'mail'}",
        "CSPB_HUEY_FILE": str(tmp / "huey.sqlite3"),
        "CSPB_HUEY_IMMEDIATE": "0",
        "CSPB_CLOCK_OFFSET_FILE": str(clock_file),
    }
    config = SandboxConfig(
        state_dir=tmp / "pc",
        client_id=str(uuid.uuid4()),
        client_secret="sandbox-" + uuid.uuid4().hex,
        partner_tenant_id=str(uuid.uuid4()),
    )
    config.state_dir.mkdir()
    processes: list[subprocess.Popen] = []
    logs = []
    with running_app(create_app(config)) as sandbox_url:
        try:
            _cspbroker(env, "migrate", "--noinput", "-v", "0")
            _cspbroker(env, "demo", "load", "--no-provider-work")
            setup = (
                f"URL = {sandbox_url!r}\nTENANT = {config.partner_tenant_id!r}\n"
                f"CLIENT = {config.client_id!r}\nSECRET = {config.client_secret!r}\n" + SETUP
            )
            tenant_id = json.loads(_cspbroker(env, "shell", "-c", setup).strip().splitlines()[-1])["tenant"]
            port = free_port()
            for name, command in (
                ("worker", [sys.executable, "-m", "cspbroker", "run_huey", "--workers", "2"]),
                (
                    "web",
                    [
                        sys.executable,
                        "-m",
                        "gunicorn",
                        "cspbroker.config.wsgi:application",
                        "--bind",
                        f"127.0.0.1:{port}",
                        "--workers",
                        "1",
                        "--threads",
                        "4",
                    ],
                ),
            ):
                log = open(tmp / f"{name}.log", "wb")  # noqa: SIM115 - closed at teardown
                logs.append(log)
                processes.append(subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT))
            url = f"http://127.0.0.1:{port}"
            _wait_for(url, processes[-1], tmp / "web.log")
            yield Platform(url, sandbox_url, tenant_id, clock_file, env)
        finally:
            for process in processes:
                process.terminate()
                process.wait(timeout=15)
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


def wait_for_text(page, url: str, selector: str, wanted: str, timeout: float = 30) -> None:
    """Reload `url` until `selector` shows `wanted` (the worker provisions in the background)."""
    deadline = time.monotonic() + timeout
    while True:
        page.goto(url)
        text = page.locator(selector).inner_text()
        if wanted in text:
            return
        assert time.monotonic() < deadline, f"{selector} still says {text!r}"
        time.sleep(0.5)


def test_buy_approve_raise_refuse_suspend_reactivate_with_history(platform, browser, tmp_path):
    url = platform.url
    customer = browser.new_context().new_page()
    customer.set_default_timeout(15_000)
    log_in(customer, url, CUSTOMER)

    # The customer buys Microsoft 365 Business Standard × 5 in the storefront (S1).
    customer.goto(f"{url}/store/subscriptions/")
    customer.get_by_role("link", name="Add subscription").click()
    customer.get_by_label("Microsoft 365 Business Standard").check()
    customer.get_by_label("Term").select_option(
        label="Microsoft 365 Business Standard · P1Y · billed monthly"
    )
    customer.get_by_label("Quantity").fill("5")
    customer.locator("#walk-total").filter(has_text="62.50 EUR").wait_for()
    assert "Margin" not in customer.locator("#walk").inner_text()
    customer.get_by_role("button", name="Create subscription").click()
    customer.wait_for_url(re.compile(r"/store/orders/\d+/$"))
    order_url = customer.url
    assert customer.locator("#order-state").inner_text() == "Awaiting approval"
    assert platform.remote_subscriptions() == []  # nothing provisioned before the approval

    # The reseller approves (S4); the worker provisions it at the sandbox.
    reseller = browser.new_context().new_page()
    reseller.set_default_timeout(15_000)
    log_in(reseller, url, RESELLER)
    reseller.goto(f"{url}/backoffice/approvals/")
    reseller.get_by_role("button", name="Approve").click()
    reseller.wait_for_url(f"{url}/backoffice/approvals/")
    wait_for_text(customer, order_url, "#order-state", "Completed")
    [remote] = platform.remote_subscriptions()
    assert remote["quantity"] == 5

    # The customer raises it to 8, seeing the new monthly cost first (S2, X6).
    customer.get_by_role("link", name=re.compile("Microsoft 365 Business Standard")).first.click()
    subscription_url = customer.url
    assert "left to cancel" in customer.locator("#window-text").inner_text()
    customer.get_by_role("link", name="Change quantity").click()
    customer.get_by_label("New quantity").fill("8")
    customer.locator("#new-monthly").filter(has_text="100.00 EUR").wait_for()
    customer.get_by_role("button", name="Update quantity").click()
    wait_for_text(customer, subscription_url, "#quantity", "8")
    assert platform.remote_subscriptions()[0]["quantity"] == 8

    # Eight days later the window has closed: a decrease is refused before any provider call (S3).
    platform.move_clocks(EIGHT_DAYS)
    customer.goto(subscription_url)
    assert "cancellation window closed" in customer.locator("#window-text").inner_text().lower()
    assert customer.locator('button[data-action="cancel"]').is_disabled()
    customer.get_by_role("link", name="Change quantity").click()
    customer.get_by_label("New quantity").fill("6")
    customer.locator("#refusal").wait_for()
    customer.get_by_role("button", name="Update quantity").click()
    refusal = customer.locator("#change-error").inner_text()
    assert "window" in refusal.lower(), refusal
    customer.goto(f"{url}/store/orders/")
    assert customer.locator("#orders tbody tr").count() == 2  # the purchase and the increase only
    assert platform.remote_subscriptions()[0]["quantity"] == 8

    # The reseller suspends and reactivates it (S2).
    backoffice_url = subscription_url.replace("/store/", "/backoffice/")
    for action, button, status in (
        ("suspend", "Suspend", "Suspended"),
        ("reactivate", "Reactivate", "Active"),
    ):
        reseller.goto(backoffice_url)
        reseller.locator(f'a[data-action="{action}"]').click()
        reseller.get_by_role("button", name=button).click()
        wait_for_text(reseller, backoffice_url, "#status", status)

    # The history says who did what, where and when (S2).
    customer.goto(subscription_url)
    history = customer.locator("#history").inner_text()
    for line in (
        "bought 5 seat(s)",
        "quantity 5 → 8",
        "status active → suspended",
        "status suspended → active",
    ):
        assert line in history, history
    assert CUSTOMER in history and RESELLER in history
    assert "Storefront" in history and "Back office" in history
    customer.screenshot(path=str(tmp_path / "subscription.png"), full_page=True)
