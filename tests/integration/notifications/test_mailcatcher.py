"""The mail catcher: what arrives over SMTP shows in the web inbox and the JSON API."""

from __future__ import annotations

import os
import signal
import smtplib
import subprocess
import sys
import time
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import httpx
import pytest

from cspbroker.sandbox.mailcatcher.web import create_app
from tests.sandbox_servers import running_app

from .conftest import free_port


@pytest.fixture
def inbox(catcher) -> Iterator[httpx.Client]:
    """The catcher's web inbox served by uvicorn on a free port."""
    with running_app(create_app(catcher.store)) as base_url, httpx.Client(base_url=base_url) as client:
        yield client


def send(port: int, *, to: list[str], subject: str, body: str, cc: list[str] | None = None) -> None:
    message = EmailMessage()
    message["From"] = "cspbroker <no-reply@cspbroker.local>"
    message["To"] = ", ".join(to)
    if cc:
        message["Cc"] = ", ".join(cc)
    message["Subject"] = subject
    message["Message-ID"] = "<abc123@cspbroker.local>"
    message.set_content(body)
    with smtplib.SMTP("127.0.0.1", port, timeout=5) as client:
        client.send_message(message)


def test_the_json_api_lists_filters_and_clears_received_mail(catcher, inbox):
    send(catcher.port, to=["it@litware.example"], subject="Your licence", body="Key: AAAA-BBBB\nBye")
    send(catcher.port, to=["anna@adventureworks.example"], subject="Your tenant", body="Password: Xy7!")
    api = inbox

    everything = api.get("/api/messages").json()
    assert [m["subject"] for m in everything] == ["Your tenant", "Your licence"]  # newest first
    [licence] = api.get("/api/messages", params={"to": "LITWARE"}).json()
    assert licence["to"] == ["it@litware.example"]
    assert licence["body"] == "Key: AAAA-BBBB\nBye\n"
    assert licence["message_id"] == "<abc123@cspbroker.local>"
    assert licence["mail_from"] == "no-reply@cspbroker.local"
    assert ["Subject", "Your licence"] in licence["headers"]
    assert [m["subject"] for m in api.get("/api/messages", params={"subject": "tenant"}).json()] == [
        "Your tenant"
    ]
    assert api.get(f"/api/messages/{licence['id']}").json()["body"] == licence["body"]
    assert api.get("/api/messages/999").status_code == 404

    assert api.delete("/api/messages").json() == {"deleted": 2}
    assert api.get("/api/messages").json() == []


def test_the_envelope_recipients_include_copies(catcher, inbox):
    send(catcher.port, to=["a@example.com"], cc=["b@example.com"], subject="s", body="b")
    [message] = inbox.get("/api/messages", params={"to": "b@"}).json()
    assert message["to"] == ["a@example.com", "b@example.com"]


def test_the_web_inbox_lists_searches_and_shows_a_message_escaped(catcher, inbox):
    send(catcher.port, to=["it@litware.example"], subject="Licence <b>now</b>", body="<script>x</script>")
    send(catcher.port, to=["anna@adventureworks.example"], subject="Your tenant", body="Hello")
    web = inbox

    inbox = web.get("/").text
    assert inbox.index("Your tenant") < inbox.index("Licence &lt;b&gt;now&lt;/b&gt;")
    assert "<b>now</b>" not in inbox
    searched = web.get("/", params={"q": "adventure"}).text
    assert "Your tenant" in searched and "Licence" not in searched
    [licence] = catcher.messages(subject="Licence")
    page = web.get(f"/messages/{licence.id}").text
    assert "&lt;script&gt;x&lt;/script&gt;" in page and "<script>" not in page
    assert "it@litware.example" in page and "&lt;abc123@cspbroker.local&gt;" in page
    assert web.get("/messages/999").status_code == 404
    assert "<script>x</script>" in web.get(f"/messages/{licence.id}/raw").text


def test_the_catcher_runs_as_a_process_and_stops_cleanly_on_sigterm(tmp_path: Path):
    smtp_port, http_port = free_port(), free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "cspbroker.sandbox.mailcatcher",
            "--smtp-port",
            str(smtp_port),
            "--http-port",
            str(http_port),
            "--state-dir",
            str(tmp_path / "mail"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        base = f"http://127.0.0.1:{http_port}"
        deadline = time.monotonic() + 15
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).text == "ok":
                    break
            except httpx.TransportError:
                pass
            assert process.poll() is None and time.monotonic() < deadline, "the catcher did not start"
            time.sleep(0.1)
        send(smtp_port, to=["it@litware.example"], subject="Over the wire", body="Key: 1234")

        [message] = httpx.get(f"{base}/api/messages", params={"to": "litware"}).json()
        assert message["subject"] == "Over the wire" and message["body"] == "Key: 1234\n"
        assert (tmp_path / "mail" / "mailcatcher.sqlite3").exists()
    finally:
        process.send_signal(signal.SIGTERM)
        output = process.communicate(timeout=15)[0].decode()
    assert process.returncode == 0, output
    assert f"SMTP on 127.0.0.1:{smtp_port}" in output
