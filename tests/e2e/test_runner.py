"""`cspbroker up` (what `make run` starts): every part comes up, serves, and stops on Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request

import pytest

from tests.e2e.conftest import free_port

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


def get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status, response.read().decode()


def test_up_starts_web_worker_sandboxes_and_mail_then_stops_on_ctrl_c(tmp_path):
    ports = {name: free_port() for name in ("web", "pc", "dist", "esd", "smtp", "mail")}
    env = {
        **os.environ,
        "CSPB_VAR_DIR": str(tmp_path / "var"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'run.sqlite3'}",
        "CSPB_SANDBOX_PC_PORT": str(ports["pc"]),
        "CSPB_SANDBOX_DISTRIBUTOR_PORT": str(ports["dist"]),
        "CSPB_SANDBOX_ESD_PORT": str(ports["esd"]),
        "CSPB_MAIL_SMTP_PORT": str(ports["smtp"]),
        "CSPB_MAIL_HTTP_PORT": str(ports["mail"]),
    }
    env.pop("EMAIL_URL", None)
    cli = [sys.executable, "-m", "cspbroker"]
    subprocess.run([*cli, "migrate", "--noinput", "-v", "0"], env=env, check=True, timeout=300)
    first = subprocess.run(
        [*cli, "demo", "load"], env=env, check=True, timeout=120, capture_output=True, text=True
    )
    assert "Queued for the worker: catalog import" in first.stdout
    again = subprocess.run(
        [*cli, "demo", "load"], env=env, check=True, timeout=120, capture_output=True, text=True
    )
    assert "Queued" not in again.stdout  # loading twice changes nothing
    log = open(tmp_path / "up.log", "w+")  # noqa: SIM115 - closed below
    up = subprocess.Popen(
        [*cli, "up", "--port", str(ports["web"])], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 120
        while "cspbroker is running" not in (tmp_path / "up.log").read_text():
            assert up.poll() is None, (tmp_path / "up.log").read_text()
            assert time.monotonic() < deadline, "the platform did not start within 2 minutes"
            time.sleep(0.5)
        banner = (tmp_path / "up.log").read_text()
        assert "admin@adventureworks.example" in banner and "Customer-Demo-2026!" in banner
        assert get(f"http://127.0.0.1:{ports['web']}/login/")[0] == 200
        assert get(f"http://127.0.0.1:{ports['pc']}/")[0] == 200  # the Partner Center sandbox's admin page
        assert get(f"http://127.0.0.1:{ports['mail']}/")[0] == 200  # the mail catcher's inbox
        # The worker ran the demo's queued provider work against the sandboxes.
        count = (
            "from cspbroker.catalog.models import Product; from cspbroker.tenants.models import Tenant;"
            "active = Tenant.objects.filter(status='active');"
            "print(Product.objects.filter(is_available=True).count(), active.count(),"
            " active.get().subscriptions.count() if active.count() == 1 else 0)"
        )
        while True:
            out = subprocess.run(
                [*cli, "shell", "--no-imports", "-c", count],
                env=env,
                capture_output=True,
                text=True,
                timeout=60,
            )
            products, tenants, subscriptions = (int(x) for x in (out.stdout.split() or ["0", "0", "0"]))
            if products >= 15 and tenants == 1 and subscriptions >= 3:
                break
            assert time.monotonic() < deadline + 60, (
                out.stdout,
                out.stderr,
                (tmp_path / "up.log").read_text(),
            )
            time.sleep(2)
    finally:
        up.send_signal(signal.SIGINT)
        code = up.wait(timeout=40)
        log.close()
    assert code == 0, (tmp_path / "up.log").read_text()
    assert "stopping" in (tmp_path / "up.log").read_text()
