"""The kiosk's durable outbox of emergency alerts: a small SQLite file in the data directory.

An emergency the server did not acknowledge must not vanish when the network is down, the
kiosk restarts or the power goes: it is written here (committed to disk) *before* the
first attempt to send it, and removed from the pending list only once the server has
stored it. Each alert keeps the idempotency key it was first sent with, so however often
it is resent — and whether or not an earlier try reached the server — staff are called once.
"""

from __future__ import annotations

import sqlite3
import threading
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

OUTBOX_FILE = "alert_outbox.sqlite3"

SCHEMA = """
CREATE TABLE IF NOT EXISTS alert (
    key TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    note TEXT,
    lang TEXT,
    queued_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    delivered_at TEXT
)
"""


@dataclass(frozen=True)
class QueuedAlert:
    """One alert as kept until the server acknowledges it."""

    key: str
    """The Idempotency-Key every (re)send carries."""
    kind: str
    note: str | None
    lang: str | None
    queued_at: str
    attempts: int = 0
    """Sends tried so far (for logs and tests)."""


class AlertOutbox:
    """Alerts waiting for the server's acknowledgement, in one SQLite file; thread-safe."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        with self._connection() as conn:
            conn.execute(SCHEMA)

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        """A connection per use: the file is the truth, nothing is cached in memory."""
        with self._lock, closing(sqlite3.connect(self.path, timeout=10)) as conn:
            conn.execute("PRAGMA synchronous = FULL")  # on disk before the resident is answered
            with conn:  # one committed transaction
                yield conn

    def put(self, kind: str, note: str | None, lang: str | None) -> QueuedAlert:
        """Keep a new alert (committed when this returns) with a fresh idempotency key."""
        alert = QueuedAlert(uuid.uuid4().hex, kind, note, lang, datetime.now(UTC).isoformat())
        with self._connection() as conn:
            conn.execute(
                "INSERT INTO alert (key, kind, note, lang, queued_at) VALUES (?, ?, ?, ?, ?)",
                (alert.key, alert.kind, alert.note, alert.lang, alert.queued_at),
            )
        return alert

    def pending(self) -> list[QueuedAlert]:
        """Alerts not yet acknowledged, oldest first."""
        with self._connection() as conn:
            rows = conn.execute(
                "SELECT key, kind, note, lang, queued_at, attempts FROM alert "
                "WHERE delivered_at IS NULL ORDER BY queued_at"
            ).fetchall()
        return [QueuedAlert(*row) for row in rows]

    def tried(self, key: str) -> None:
        with self._connection() as conn:
            conn.execute("UPDATE alert SET attempts = attempts + 1 WHERE key = ?", (key,))

    def delivered(self, key: str) -> None:
        """The server stored it: never send it again (the row stays, as a record of what was sent)."""
        with self._connection() as conn:
            conn.execute("UPDATE alert SET delivered_at = ? WHERE key = ?", (datetime.now(UTC).isoformat(), key))
