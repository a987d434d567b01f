"""The Partner Center sandbox's state: store, clock, catalog and the lazy time-driven processing."""

from __future__ import annotations

import base64
import secrets
import string
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..common.auth import TokenIssuer
from ..common.clock import SandboxClock
from ..common.config import SandboxConfig
from ..common.faults import FaultInjector
from ..common.idempotency import Idempotency
from ..common.store import Store
from .catalog import Catalog
from .timeutil import parse

DEFAULT_SETTINGS: dict[str, Any] = {"checkoutDelayMs": 50, "softwareIdDelaySeconds": None}
_ALPHANUMERIC = string.ascii_letters + string.digits


def new_etag() -> str:
    return base64.b64encode(uuid.uuid4().bytes).decode().rstrip("=")


def new_alphanumeric(length: int = 22) -> str:
    return "".join(secrets.choice(_ALPHANUMERIC) for _ in range(length))


@dataclass
class Actor:
    """Who made a change, for audit records: the API caller, or someone in a Microsoft portal."""

    user_principal_name: str
    application_id: str
    source: str


@dataclass
class PCState:
    config: SandboxConfig
    store: Store
    clock: SandboxClock
    catalog: Catalog
    issuer: TokenIssuer
    faults: FaultInjector
    idempotency: Idempotency
    checkouts_in_flight: set[str] = field(default_factory=set)
    processors: list[Callable[[PCState, datetime], datetime | None]] = field(default_factory=list)
    _next_due: datetime | None = None
    _due_known: bool = False

    def now(self) -> datetime:
        return self.clock.now()

    def settings(self) -> dict[str, Any]:
        return {**DEFAULT_SETTINGS, **(self.store.get("_sandbox", "settings") or {})}

    def update_settings(self, changes: dict[str, Any]) -> dict[str, Any]:
        settings = {**self.settings(), **changes}
        self.store.put("_sandbox", "settings", settings)
        return settings

    def software_delay_seconds(self) -> float:
        configured = self.settings().get("softwareIdDelaySeconds")
        if configured is not None:
            return float(configured)
        return self.config.software_id_delay.total_seconds()

    def note_due(self, at: str | None) -> None:
        """A saved document has a time-driven event at `at`: make sure `process_due` looks then."""
        if at is None:
            return
        when = parse(at)
        if self._next_due is None or when < self._next_due:
            self._next_due = when
            self._due_known = True

    def forget_due(self) -> None:
        self._next_due = None
        self._due_known = False

    def process_due(self) -> None:
        """Run renewals, billing cycles and trial ends the clock has passed (lazily, per request)."""
        now = self.now()
        if self._due_known and (self._next_due is None or now < self._next_due):
            return
        with self.store.transaction():
            upcoming: list[datetime] = []
            for processor in self.processors:
                next_at = processor(self, now)
                if next_at is not None:
                    upcoming.append(next_at)
        self._next_due = min(upcoming) if upcoming else None
        self._due_known = True
