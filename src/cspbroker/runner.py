"""`cspbroker up`: the whole platform in one terminal — web server, worker + scheduler, sandboxes.

Each part runs as its own process, as it would in production. Ctrl-C (or SIGTERM) stops them all
in order; if one of them dies, the others are stopped too and the exit code says so.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass

STOP_GRACE_SECONDS = 10


@dataclass
class Part:
    name: str
    command: list[str]
    process: subprocess.Popen[bytes] | None = None


MAIL_SMTP_PORT = int(os.environ.get("CSPB_MAIL_SMTP_PORT", "8025"))
MAIL_HTTP_PORT = int(os.environ.get("CSPB_MAIL_HTTP_PORT", "8404"))


def _parts(host: str, port: int, workers: int) -> list[Part]:
    python = sys.executable
    var = os.environ.get("CSPB_VAR_DIR", "var")
    mail = ["--smtp-port", str(MAIL_SMTP_PORT), "--http-port", str(MAIL_HTTP_PORT)]
    # The same variables tell the demo connections where the sandboxes are (connections/demo.py).
    sandbox = [
        "--pc-port",
        os.environ.get("CSPB_SANDBOX_PC_PORT", "8401"),
        "--distributor-port",
        os.environ.get("CSPB_SANDBOX_DISTRIBUTOR_PORT", "8402"),
        "--esd-port",
        os.environ.get("CSPB_SANDBOX_ESD_PORT", "8403"),
    ]
    web = ["--bind", f"{host}:{port}", "--workers", str(workers), "--threads", "4", "--access-logfile", "-"]
    return [
        Part(
            "sandbox",
            [python, "-m", "cspbroker", "sandbox", "serve", "--state-dir", f"{var}/sandbox", *sandbox],
        ),
        Part(
            "mail",
            [python, "-m", "cspbroker.sandbox.mailcatcher", *mail, "--state-dir", f"{var}/mailcatcher"],
        ),
        Part("worker", [python, "-m", "cspbroker", "run_huey"]),
        Part(
            "web",
            [
                python,
                "-m",
                "gunicorn",
                "cspbroker.config.wsgi:application",
                *web,
                "--graceful-timeout",
                str(STOP_GRACE_SECONDS),
            ],
        ),
    ]


def _wait_until_healthy(url: str, parts: list[Part], timeout: float = 90.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(p.process is not None and p.process.poll() is not None for p in parts):
            return False
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - our own loopback URL
                if response.status == 200:
                    return True
        except OSError:
            time.sleep(0.5)
    return False


def _stop(parts: list[Part]) -> None:
    for part in reversed(parts):
        if part.process is not None and part.process.poll() is None:
            part.process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    for part in reversed(parts):
        if part.process is None:
            continue
        try:
            part.process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            part.process.kill()
            part.process.wait()


def _banner(url: str) -> None:
    from cspbroker.accounts.demo_logins import LOGINS

    lines = [
        "",
        f"  cspbroker is running at {url}",
        f"  API docs: {url}/api/v1/docs    Partner Center sandbox: "
        f"http://127.0.0.1:{os.environ.get('CSPB_SANDBOX_PC_PORT', '8401')}/",
        f"  Mail sent by the platform (SMTP catcher): http://127.0.0.1:{MAIL_HTTP_PORT}/",
        "  Demo logins (email / password):",
    ]
    lines += [f"    {role.label:<15} {email:<32} {password}" for email, _, role, _, password in LOGINS]
    lines += ["  Ctrl-C stops everything.", ""]
    print("\n".join(lines), flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="cspbroker up", description=__doc__)
    parser.add_argument("--host", default=os.environ.get("CSPB_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("CSPB_PORT", "8000")))
    parser.add_argument("--web-workers", type=int, default=2)
    options = parser.parse_args(argv)
    # The embedded default: mail goes to the local catcher, where a person can read it.
    os.environ.setdefault("EMAIL_URL", f"smtp://127.0.0.1:{MAIL_SMTP_PORT}")
    parts = _parts(options.host, options.port, options.web_workers)
    stopping = False

    def request_stop(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    url = f"http://{options.host}:{options.port}"
    try:
        for part in parts:
            # Children ignore the terminal's Ctrl-C; we stop them ourselves, in order.
            part.process = subprocess.Popen(part.command, start_new_session=True)
            if part.name == "sandbox":
                # The worker's first jobs (catalog import, tenant linking) call the sandboxes.
                pc_port = os.environ.get("CSPB_SANDBOX_PC_PORT", "8401")
                _wait_until_healthy(f"http://127.0.0.1:{pc_port}/", parts[:1], timeout=30)
        if not _wait_until_healthy(f"{url}/healthz", parts):
            print("cspbroker: the platform did not start; see the messages above.", file=sys.stderr)
            return 1
        _banner(url)
        while not stopping:
            dead = [p for p in parts if p.process is not None and p.process.poll() is not None]
            if dead:
                print(
                    f"cspbroker: {dead[0].name} stopped (exit {dead[0].process.returncode}); "  # type: ignore[union-attr]
                    "stopping the rest.",
                    file=sys.stderr,
                )
                return 1
            time.sleep(0.5)
        print("\ncspbroker: stopping…", flush=True)
        return 0
    finally:
        _stop(parts)
