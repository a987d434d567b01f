"""The sandbox clock: real time plus a persisted offset, so tests and demos can travel forward."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from .store import Store

_COLLECTION = "_sandbox"
_ID = "clock"


class SandboxClock:
    """`now()` is aware UTC. The offset only grows: the sandbox never goes back in time."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def _offset(self) -> timedelta:
        doc = self.store.get(_COLLECTION, _ID)
        return timedelta(seconds=float(doc["offset_seconds"])) if doc else timedelta(0)

    def offset(self) -> timedelta:
        return self._offset()

    def now(self) -> datetime:
        return datetime.now(UTC) + self._offset()

    def advance(self, delta: timedelta) -> datetime:
        if delta < timedelta(0):
            raise ValueError("the sandbox clock only moves forward")
        with self.store.transaction():
            offset = self._offset() + delta
            self.store.put(_COLLECTION, _ID, {"offset_seconds": offset.total_seconds()})
        return self.now()

    def set(self, at: datetime) -> datetime:
        if at.tzinfo is None:
            raise ValueError("the time must carry a time zone")
        with self.store.transaction():
            delta = at - self.now()
            if delta < timedelta(0):
                raise ValueError("the sandbox clock only moves forward")
            self.store.put(_COLLECTION, _ID, {"offset_seconds": (self._offset() + delta).total_seconds()})
        return self.now()
