"""A small persistent JSON document store on sqlite3, safe to share between threads.

API (all methods are synchronous and short; one connection guarded by a re-entrant lock, WAL mode):

- `put(collection, id, doc, parent=None)`: insert or replace a JSON-serialisable dict. Replacing keeps
  the document's original insertion position. `parent` is an optional indexed key (e.g. a customer id).
- `get(collection, id) -> dict | None`
- `delete(collection, id) -> bool`
- `list(collection, where=None, parent=None) -> list[dict]`: in insertion order, optionally only the
  documents with that `parent`, then filtered by the `where(doc) -> bool` callable.
- `count(collection, parent=None) -> int`
- `next_seq(name) -> int`: a persistent counter (1, 2, 3, ...).
- `transaction()`: a context manager; everything inside commits or rolls back together. Nested
  transactions join the outer one. Other threads wait for it to finish.
- `wipe()`: delete every document and counter (the `/_sandbox/reset` action).
- `close()`.

Documents are copied in and out (JSON round trip), so callers may mutate what they get.
"""

from __future__ import annotations

import builtins
import json
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    collection TEXT NOT NULL,
    id TEXT NOT NULL,
    parent TEXT,
    body TEXT NOT NULL,
    UNIQUE (collection, id)
);
CREATE INDEX IF NOT EXISTS documents_parent ON documents (collection, parent);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
"""


class Store:
    """See the module docstring."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._depth = 0
        self._connection = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._connection.execute("PRAGMA journal_mode=WAL")
        self._connection.execute("PRAGMA synchronous=NORMAL")
        self._connection.executescript(_SCHEMA)

    @contextmanager
    def transaction(self) -> Iterator[Store]:
        with self._lock:
            outermost = self._depth == 0
            if outermost:
                self._connection.execute("BEGIN IMMEDIATE")
            self._depth += 1
            try:
                yield self
            except BaseException:
                self._depth -= 1
                if outermost:
                    self._connection.execute("ROLLBACK")
                raise
            self._depth -= 1
            if outermost:
                self._connection.execute("COMMIT")

    def put(self, collection: str, id: str, doc: dict[str, Any], parent: str | None = None) -> None:
        body = json.dumps(doc, separators=(",", ":"), default=str)
        with self._lock:
            self._connection.execute(
                "INSERT INTO documents (collection, id, parent, body) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (collection, id) DO UPDATE SET body = excluded.body, parent = excluded.parent",
                (collection, id, parent, body),
            )

    def get(self, collection: str, id: str) -> dict[str, Any] | None:
        with self._lock:
            row = self._connection.execute(
                "SELECT body FROM documents WHERE collection = ? AND id = ?", (collection, id)
            ).fetchone()
        return json.loads(row[0]) if row else None

    def delete(self, collection: str, id: str) -> bool:
        with self._lock:
            cursor = self._connection.execute(
                "DELETE FROM documents WHERE collection = ? AND id = ?", (collection, id)
            )
        return cursor.rowcount > 0

    def list(
        self,
        collection: str,
        where: Callable[[dict[str, Any]], bool] | None = None,
        parent: str | None = None,
    ) -> list[dict[str, Any]]:
        with self._lock:
            if parent is None:
                rows = self._connection.execute(
                    "SELECT body FROM documents WHERE collection = ? ORDER BY seq", (collection,)
                ).fetchall()
            else:
                rows = self._connection.execute(
                    "SELECT body FROM documents WHERE collection = ? AND parent = ? ORDER BY seq",
                    (collection, parent),
                ).fetchall()
        docs = [json.loads(row[0]) for row in rows]
        return [doc for doc in docs if where(doc)] if where else docs

    def find(
        self, collection: str, field: str, value: Any, parent: str | None = None
    ) -> builtins.list[dict[str, Any]]:  # `list` here would be the method above
        """Documents whose top-level `field` equals `value`, matched by SQLite (the rest is not decoded)."""
        sql = "SELECT body FROM documents WHERE collection = ? AND json_extract(body, ?) = ?"
        params: list[Any] = [collection, f"$.{field}", value]
        if parent is not None:
            sql += " AND parent = ?"
            params.append(parent)
        with self._lock:
            rows = self._connection.execute(sql + " ORDER BY seq", params).fetchall()
        return [json.loads(row[0]) for row in rows]

    def count(self, collection: str, parent: str | None = None) -> int:
        with self._lock:
            if parent is None:
                row = self._connection.execute(
                    "SELECT COUNT(*) FROM documents WHERE collection = ?", (collection,)
                ).fetchone()
            else:
                row = self._connection.execute(
                    "SELECT COUNT(*) FROM documents WHERE collection = ? AND parent = ?", (collection, parent)
                ).fetchone()
        return int(row[0])

    def next_seq(self, name: str) -> int:
        with self._lock:
            row = self._connection.execute(
                "INSERT INTO counters (name, value) VALUES (?, 1) "
                "ON CONFLICT (name) DO UPDATE SET value = value + 1 RETURNING value",
                (name,),
            ).fetchone()
        return int(row[0])

    def wipe(self) -> None:
        with self.transaction():
            self._connection.execute("DELETE FROM documents")
            self._connection.execute("DELETE FROM counters")

    def close(self) -> None:
        with self._lock:
            self._connection.close()
