"""Received messages in SQLite: the raw bytes plus what the inbox filters and shows, parsed once."""

from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage, Message
from email.parser import BytesParser
from pathlib import Path
from typing import Any

FILE_NAME = "mailcatcher.sqlite3"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    received_at TEXT NOT NULL,
    peer TEXT NOT NULL,
    mail_from TEXT NOT NULL,
    rcpt_tos TEXT NOT NULL,
    header_from TEXT NOT NULL,
    header_to TEXT NOT NULL,
    subject TEXT NOT NULL,
    message_id TEXT NOT NULL,
    headers TEXT NOT NULL,
    text TEXT NOT NULL,
    raw BLOB NOT NULL
);
"""
_COLUMNS = (
    "id, received_at, peer, mail_from, rcpt_tos, header_from, header_to, subject, message_id, headers, text"
)


@dataclass(frozen=True)
class StoredMessage:
    id: int
    received_at: str
    peer: str
    mail_from: str
    rcpt_tos: list[str]  # the SMTP envelope: who it was really delivered to (Bcc included)
    header_from: str
    header_to: str
    subject: str
    message_id: str
    headers: list[tuple[str, str]]
    text: str

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "received_at": self.received_at,
            "mail_from": self.mail_from,
            "to": self.rcpt_tos,
            "header_from": self.header_from,
            "header_to": self.header_to,
            "subject": self.subject,
            "message_id": self.message_id,
            "headers": [[name, value] for name, value in self.headers],
            "body": self.text,
        }


def _text_of(message: Message) -> str:
    """The plain-text body (or the HTML one when there is no plain part)."""
    try:
        if isinstance(message, EmailMessage):
            part = message.get_body(preferencelist=("plain", "html"))
            if part is not None:
                return str(part.get_content())
        payload = message.get_payload(decode=True)
        return payload.decode(errors="replace") if isinstance(payload, bytes) else ""
    except (LookupError, ValueError, AttributeError):  # a broken charset or MIME structure
        return ""


def _like(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class MessageStore:
    """Thread-safe (one connection behind a lock): the SMTP side writes, the web side reads."""

    def __init__(self, state_dir: Path) -> None:
        state_dir = Path(state_dir)
        state_dir.mkdir(parents=True, exist_ok=True)
        self.path = state_dir / FILE_NAME
        self._lock = threading.Lock()
        self._connection = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._connection.execute("PRAGMA journal_mode=WAL")
        self._connection.executescript(_SCHEMA)

    def add(self, *, mail_from: str, rcpt_tos: list[str], raw: bytes, peer: str = "") -> int:
        parsed: Message
        try:
            parsed = message_from_bytes(raw, policy=policy.default)
            headers = [(name, str(value)) for name, value in parsed.items()]
        except Exception:  # a header the modern parser chokes on: keep the message, read it plainly
            parsed = BytesParser(policy=policy.compat32).parsebytes(raw)
            headers = [(name, str(value)) for name, value in parsed.items()]
        row = (
            datetime.now(UTC).isoformat(timespec="microseconds"),
            peer,
            mail_from,
            json.dumps(rcpt_tos),
            str(parsed.get("From", "")),
            str(parsed.get("To", "")),
            str(parsed.get("Subject", "")),
            str(parsed.get("Message-ID", "")).strip(),
            json.dumps(headers),
            _text_of(parsed).replace("\r\n", "\n"),
            raw,
        )
        with self._lock:
            cursor = self._connection.execute(
                "INSERT INTO messages (received_at, peer, mail_from, rcpt_tos, header_from, header_to,"
                " subject, message_id, headers, text, raw) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                row,
            )
            return int(cursor.lastrowid or 0)

    def search(
        self, *, to: str = "", subject: str = "", text: str = "", limit: int = 500
    ) -> list[StoredMessage]:
        """Newest first. `to` matches envelope or header recipients, `text` anything people see."""
        conditions, parameters = [], []
        if to:
            conditions.append("(rcpt_tos LIKE ? ESCAPE '\\' OR header_to LIKE ? ESCAPE '\\')")
            parameters += [_like(to)] * 2
        if subject:
            conditions.append("subject LIKE ? ESCAPE '\\'")
            parameters.append(_like(subject))
        if text:
            fields = ("rcpt_tos", "header_to", "mail_from", "header_from", "subject")
            conditions.append("(" + " OR ".join(f"{f} LIKE ? ESCAPE '\\'" for f in fields) + ")")
            parameters += [_like(text)] * len(fields)
        where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
        with self._lock:
            rows = self._connection.execute(
                f"SELECT {_COLUMNS} FROM messages {where} ORDER BY id DESC LIMIT ?",  # noqa: S608 - fixed fragments
                [*parameters, limit],
            ).fetchall()
        return [self._message(row) for row in rows]

    def get(self, message_id: int) -> StoredMessage | None:
        with self._lock:
            row = self._connection.execute(
                f"SELECT {_COLUMNS} FROM messages WHERE id = ?",  # noqa: S608 - fixed fragments
                (message_id,),
            ).fetchone()
        return self._message(row) if row else None

    def raw(self, message_id: int) -> bytes | None:
        with self._lock:
            row = self._connection.execute("SELECT raw FROM messages WHERE id = ?", (message_id,)).fetchone()
        return bytes(row[0]) if row else None

    def count(self) -> int:
        with self._lock:
            return int(self._connection.execute("SELECT COUNT(*) FROM messages").fetchone()[0])

    def clear(self) -> int:
        with self._lock:
            return int(self._connection.execute("DELETE FROM messages").rowcount)

    def close(self) -> None:
        with self._lock:
            self._connection.close()

    @staticmethod
    def _message(row: tuple[Any, ...]) -> StoredMessage:
        return StoredMessage(
            id=row[0],
            received_at=row[1],
            peer=row[2],
            mail_from=row[3],
            rcpt_tos=json.loads(row[4]),
            header_from=row[5],
            header_to=row[6],
            subject=row[7],
            message_id=row[8],
            headers=[(name, value) for name, value in json.loads(row[9])],
            text=row[10],
        )
