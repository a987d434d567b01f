"""Fixtures for the email tests: a real SMTP server (the mail catcher) and huey in immediate mode."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from huey.contrib.djhuey import HUEY

from cspbroker.notifications import services
from cspbroker.sandbox.mailcatcher.server import SMTP_HOSTNAME, CatcherHandler
from cspbroker.sandbox.mailcatcher.store import MessageStore, StoredMessage


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Catcher:
    """The mail catcher's SMTP side on a fixed port, which tests switch off and on again."""

    port: int
    store: MessageStore
    controller: Controller | None = field(default=None)

    def start(self, handler: CatcherHandler | None = None) -> None:
        assert self.controller is None
        self.controller = Controller(
            handler or CatcherHandler(self.store),
            hostname="127.0.0.1",
            port=self.port,
            server_hostname=SMTP_HOSTNAME,
            ready_timeout=5,
        )
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def messages(self, **filters: str) -> list[StoredMessage]:
        return self.store.search(**filters)


@pytest.fixture
def catcher(tmp_path: Path, settings) -> Iterator[Catcher]:
    """A running SMTP catcher, and Django pointed at it."""
    running = Catcher(port=free_port(), store=MessageStore(tmp_path / "mail"))
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = running.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    running.start()
    yield running
    running.stop()
    running.store.close()


@pytest.fixture
def smtp_down(catcher: Catcher) -> Catcher:
    """Django points at the catcher's port, but nothing listens there (yet)."""
    catcher.stop()
    return catcher


@pytest.fixture(autouse=True)
def immediate_huey() -> Iterator[None]:
    previous = HUEY.immediate
    HUEY.immediate = True
    yield
    HUEY.immediate = previous


@pytest.fixture
def default_templates(db) -> None:
    # The data migration seeds them; a transactional test elsewhere may have flushed them since.
    services.install_default_templates()
