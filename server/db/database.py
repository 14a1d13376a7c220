"""The database handle: one engine, short read transactions, serialised write transactions.

SQLite allows one writer at a time. Left to itself, a second writer waits in SQLite's
busy handler, which sleeps in growing steps (up to 100 ms) — fatal for p99 latency.
So on SQLite every write transaction first takes the writer lock (server/db/writer_lock.py:
a thread lock plus `flock` on a file beside the database, so the workers of
`kiosk serve --workers 2` and staff tools queue for it and look again within
milliseconds, not SQLite's 100) and then opens with `BEGIN IMMEDIATE` (take SQLite's write lock
now, not at the first write, which would fail instead of waiting). The kernel drops the
`flock` of a killed process. The `busy_timeout` is left for writers that do not take it.

Where the blocking work runs is decided here too (`run`). On SQLite it runs right on
the event loop: every statement takes micro- to milliseconds, writes are serialised
anyway, and handing each request to a worker thread made the server spend most of
its CPU on thread hand-offs and GIL contention — 367 against 630 booking requests/s
in bench/booking_load.py. On PostgreSQL, statements wait on the network and on row
locks held by other transactions, so the work goes to worker threads and many
transactions really run at once; the booking's conditional UPDATE takes the slot's
row lock and the unique indexes settle the rest.
"""

from __future__ import annotations

import functools
import json
import sqlite3
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal, ParamSpec, TypeVar

import anyio.to_thread
from sqlalchemy import Connection, Engine, Executable, Row, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from server.db.nul_guard import refuse_nul
from server.db.prepared import Prepared
from server.db.writer_lock import WriterLock
from server.errors import DatabaseBusy, DatabaseUnavailable, SettingsError

P = ParamSpec("P")
T = TypeVar("T")

SQLITE_BUSY_TIMEOUT_MS = 5000
"""How long a write waits for another *process* holding the SQLite write lock."""

AUTOCHECKPOINT_PAGES = 10_000
"""SQLite copies its log into the database file itself only past 10,000 pages (40 MB), a
backstop: the server does it on a thread long before (server/db/wal_checkpoints.py)."""

SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",  # readers never block the writer, nor the writer them
    f"PRAGMA wal_autocheckpoint={AUTOCHECKPOINT_PAGES}",
    "PRAGMA synchronous=NORMAL",  # in WAL, a crash may lose the last commits, never corrupt
    "PRAGMA foreign_keys=ON",  # off by default in SQLite, per connection
    f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}",
    "PRAGMA secure_delete=ON",  # deleted or overwritten personal data is zeroed, not left in free pages
    # Read pages through a read-only memory map: with two workers each one's page cache is
    # reset by the other's every commit, and re-reading by mmap costs no system calls.
    # Writes still go through write(), so durability and crash safety are unchanged.
    "PRAGMA mmap_size=268435456",
)


class Database:
    """The server's database, whichever engine is behind the URL."""

    def __init__(self, url: str, *, pool_size: int = 20) -> None:
        self.url = url
        parsed = make_url(url)
        backend = parsed.get_backend_name()
        self.dialect: Literal["sqlite", "postgresql"]
        """"sqlite" or "postgresql"."""
        if backend == "sqlite":
            self.dialect = "sqlite"
            self.engine = _sqlite_engine(url, pool_size)
        elif backend == "postgresql":
            self.dialect = "postgresql"
            self.engine = create_engine(
                url, pool_size=pool_size, max_overflow=20, pool_pre_ping=True, json_serializer=_json_text,
                hide_parameters=True,  # an error logged by the server never carries a resident's data
            )  # fmt: skip
        else:
            raise SettingsError(f"database {backend!r} is not supported; use SQLite or PostgreSQL")
        event.listen(self.engine, "before_cursor_execute", _refuse_nul_event)
        busy_seconds = SQLITE_BUSY_TIMEOUT_MS / 1000
        self._write_lock = WriterLock(_sqlite_path(url), busy_seconds) if self.dialect == "sqlite" else None
        self._immediate = self.engine.execution_options(sqlite_begin="IMMEDIATE")
        self._single = self.engine.execution_options(sqlite_begin=None)

    @property
    def is_sqlite(self) -> bool:
        return self.dialect == "sqlite"

    async def run(self, work: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """Run blocking database work from an async endpoint (see the module docstring)."""
        if self.is_sqlite:
            return work(*args, **kwargs)
        return await anyio.to_thread.run_sync(functools.partial(work, *args, **kwargs))

    async def run_write(self, work: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """Like `run`, for work that writes: on SQLite the writer lock is taken first on the
        event loop (server/db/writer_lock.py), so while another process writes this worker
        serves its other requests instead of sleeping; the work's first `write()` uses it.

        Meant for work that starts writing almost at once (a booking): the lock is held from
        the start of the work.
        """
        if self._write_lock is None:
            return await self.run(work, *args, **kwargs)
        await self._write_lock.take_turn()
        try:
            return work(*args, **kwargs)
        finally:
            self._write_lock.give_back_turn()

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A connection in a read transaction (a consistent snapshot), rolled back at the end."""
        with _busy_as_api_error(), self.engine.connect() as conn:
            yield conn

    def first(self, statement: Executable | Prepared, parameters: Mapping[str, Any]) -> Row[Any] | Any | None:
        """The first row of one read-only statement.

        On SQLite without BEGIN and ROLLBACK around it: one statement is its own consistent
        snapshot, and the two extra statements were a third of the kiosk session check.
        """
        if isinstance(statement, Prepared):  # no Connection around it: a tenth of a session check
            with _busy_as_api_error():
                pooled = self.engine.raw_connection()
                try:
                    return statement.first_on_pooled(pooled, self.engine.dialect, parameters)
                finally:
                    pooled.close()
        with _busy_as_api_error(), self._single.connect() as conn:
            return conn.execute(statement, parameters).first()

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A connection in a write transaction, committed if the block ends without an exception."""
        if self._write_lock is None:
            with _busy_as_api_error(), self.engine.begin() as conn:
                yield conn
            return
        # Only BEGIN … COMMIT inside the lock: taking a connection from the pool and giving
        # it back are done outside, as they need no lock and every waiting request pays for them.
        with _busy_as_api_error(), self._immediate.connect() as conn, self._write_lock, conn.begin():
            yield conn

    def dispose(self) -> None:
        self.engine.dispose()
        if self._write_lock is not None:
            self._write_lock.close()


def _refuse_nul_event(
    _conn: Connection, _cursor: Any, _statement: str, parameters: Any, _context: Any, _executemany: bool
) -> None:
    refuse_nul(parameters)  # before every statement SQLAlchemy runs


def _json_text(value: Any) -> str:
    """JSON with Chinese kept readable for staff looking at the database directly."""
    return json.dumps(value, ensure_ascii=False)


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise SettingsError("SQLite needs a file (sqlite:///path/kiosk.sqlite3): workers share it")
    return Path(database)


def _sqlite_engine(url: str, pool_size: int) -> Engine:
    _sqlite_path(url).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False},
        pool_size=pool_size,
        pool_use_lifo=True,  # the connection used last, whose caches are warm
        max_overflow=20,
        json_serializer=_json_text,
        hide_parameters=True,  # an error logged by the server never carries a resident's data
    )

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event, not the driver, decide when and how BEGIN is sent.
        dbapi_connection.isolation_level = None
        for pragma in SQLITE_PRAGMAS:
            dbapi_connection.execute(pragma)

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        if mode is not None:  # straight to the driver: BEGIN needs none of SQLAlchemy's statement machinery
            conn.connection.driver_connection.execute(f"BEGIN {mode}")  # type: ignore[union-attr]

    return engine


@contextmanager
def _busy_as_api_error() -> Iterator[None]:
    """Database trouble as a 503 the kiosk can retry, instead of a 500."""
    try:
        yield
    except OperationalError as exc:
        text = str(exc.orig)
        if any(sign in text for sign in ("database is locked", "could not serialize", "deadlock detected")):
            raise DatabaseBusy("the database stayed busy too long; retry the request", retry_after_seconds=1) from exc
        raise DatabaseUnavailable(
            "the database cannot be reached; staff can find the reason in the server log", retry_after_seconds=5
        ) from exc
