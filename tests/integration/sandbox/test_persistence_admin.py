"""State survives restarts; the admin clock, settings, reset and HTML page; `serve` runs all sandboxes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from cspbroker.sandbox.common.config import SandboxConfig
from cspbroker.sandbox.partnercenter.app import create_app
from tests.sandbox_servers import free_port, running_app

from .conftest import PC, make_config


def test_state_and_clock_survive_a_restart(state_dir: Path) -> None:
    config = make_config(state_dir)
    with running_app(create_app(config)) as url:
        pc = PC(url, config)
        customer = pc.create_customer("persistent1")
        sub = pc.buy(customer["id"], quantity=3)
        pc.advance("P2D")
        clock = pc.admin("GET", "/clock").json()["offsetSeconds"]
        token = pc.auth

    with running_app(create_app(config)) as url:
        again = PC(url, config)
        again.auth = token  # a token issued before the restart is still valid
        assert again.get(f"/customers/{customer['id']}").status_code == 200
        assert again.subscription(customer["id"], sub["id"])["quantity"] == 3
        assert again.admin("GET", "/clock").json()["offsetSeconds"] >= clock
        assert len(again.get("/customers").json()["items"]) == 2  # not re-seeded


def test_generated_credentials_persist_and_env_overrides(tmp_path: Path, monkeypatch: object) -> None:
    first = SandboxConfig.from_env(tmp_path)
    second = SandboxConfig.from_env(tmp_path)
    monkeypatch.setenv("CSPB_SANDBOX_CLIENT_SECRET", "from-env")  # type: ignore[attr-defined]
    from_env = SandboxConfig.from_env(tmp_path)

    assert (first.client_id, first.client_secret, first.partner_tenant_id) == (
        second.client_id,
        second.client_secret,
        second.partner_tenant_id,
    )
    assert len(first.client_id.split("-")) == 5 and not first.secret_from_env
    assert from_env.client_secret == "from-env" and from_env.secret_from_env


def test_clock_admin_moves_forward_only(pc: PC) -> None:
    before = pc.admin("GET", "/clock").json()

    moved = pc.admin("POST", "/clock", json={"advance": "P1DT2H"}).json()
    seconds = pc.admin("POST", "/clock", json={"advance": 60}).json()
    backwards = pc.admin("POST", "/clock", json={"set": "2001-01-01T00:00:00Z"})
    garbage = pc.admin("POST", "/clock", json={"advance": "three days"})

    assert moved["offsetSeconds"] - before["offsetSeconds"] == 26 * 3600
    assert seconds["offsetSeconds"] - moved["offsetSeconds"] == 60
    assert backwards.status_code == 400 and garbage.status_code == 400


def test_reset_wipes_state_and_reseeds(pc: PC) -> None:
    pc.create_customer("wipedsoon1")
    pc.advance("P5D")

    reset = pc.admin("POST", "/reset")

    assert reset.status_code == 200 and reset.json()["offsetSeconds"] == 0
    domains = [c["companyProfile"]["domain"] for c in pc.get("/customers").json()["items"]]
    assert domains == ["northwindtraders.onmicrosoft.com"]


def test_settings_are_validated(pc: PC) -> None:
    assert pc.admin("POST", "/settings", json={"checkoutDelayMs": 10}).json()["checkoutDelayMs"] == 10
    assert pc.admin("POST", "/settings", json={"colour": "blue"}).status_code == 400


def test_html_admin_page_lists_what_microsoft_holds(pc: PC) -> None:
    pc.create_customer("htmlpage1")
    pc.admin("POST", "/faults", json={"kind": "429", "path_pattern": "<script>"})

    page = pc.http.get("/")

    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "htmlpage1.onmicrosoft.com" in page.text and "Northwind Traders" in page.text
    assert "&lt;script&gt;" in page.text and "<script>" not in page.text
    assert pc.http.get("/_sandbox/").status_code == 200


def test_serve_runs_the_sandboxes_and_stops_on_sigint(tmp_path: Path) -> None:
    ports = [free_port() for _ in range(3)]
    env = {**os.environ, "CSPB_SANDBOX_CLIENT_SECRET": "served-secret"}
    command = [
        sys.executable,
        "-m",
        "cspbroker.sandbox",
        "--state-dir",
        str(tmp_path / "state"),
        "--pc-port",
        str(ports[0]),
        "--distributor-port",
        str(ports[1]),
        "--esd-port",
        str(ports[2]),
    ]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{ports[0]}/_sandbox/clock").status_code == 200:
                    break
            except httpx.TransportError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.1)
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=15)
    finally:
        if process.poll() is None:
            process.kill()

    assert process.returncode == 0
    assert f"http://127.0.0.1:{ports[0]}" in output
    assert "(from CSPB_SANDBOX_CLIENT_SECRET)" in output and "served-secret" not in output
