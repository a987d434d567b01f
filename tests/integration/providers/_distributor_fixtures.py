"""Fixtures for the distributor and ESD contract tests: a sandbox on a free loopback port and a client.

Kept out of a conftest.py on purpose: the Partner Center contract tests share this folder.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from cspbroker.sandbox.common.config import SandboxConfig
from tests.sandbox_servers import running_app

CLIENT_ID = "8db0c0de-1234-4abc-9def-9155086a0001"
CLIENT_SECRET = "5d7sandbox1209secret6a3b56c46cf55"


@dataclass
class Sandbox:
    url: str
    state_dir: Path

    def admin(self, method: str, path: str, json: Any = None) -> httpx.Response:
        """Call a `/_sandbox/...` admin endpoint (no token needed)."""
        response = httpx.request(method, f"{self.url}{path}", json=json, timeout=10)
        assert response.status_code < 400, response.text
        return response

    def add_fault(self, **rule: Any) -> None:
        self.admin("POST", "/_sandbox/faults", rule)

    def faults(self) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = self.admin("GET", "/_sandbox/faults").json()["items"]
        return items

    def advance_clock(self, duration: str) -> None:
        self.admin("POST", "/_sandbox/clock", {"advance": duration})


def config_for(state_dir: Path) -> SandboxConfig:
    return SandboxConfig(
        state_dir=state_dir,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        partner_tenant_id=str(uuid.uuid4()),
        seed=7,
    )


def serve(create_app: Callable[[SandboxConfig], Any], tmp_path: Path) -> Iterator[Sandbox]:
    with running_app(create_app(config_for(tmp_path))) as url:
        yield Sandbox(url=url, state_dir=tmp_path)


def sandbox_fixture(create_app: Callable[[SandboxConfig], Any]) -> Any:
    """A fresh sandbox per test: each test starts from the demo data and a clean clock."""

    @pytest.fixture
    def _sandbox(tmp_path: Path) -> Iterator[Sandbox]:
        yield from serve(create_app, tmp_path)

    return _sandbox
