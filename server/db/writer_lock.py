"""SQLite's one writer at a time, queued in the kernel rather than in SQLite's sleeping busy loop.

A thread lock orders the threads of one process; `flock` on `<database>.writer` orders
processes (the workers of `kiosk serve --workers 2`, `kiosk retention run`, a test opening
the database beside a running server). A waiting process looks again after 0.2 ms,
doubling up to 2 ms (`POLL_SECONDS`), where SQLite's busy handler would sleep 1, 2, 5 …
100 ms. The kernel releases the `flock` of a process that dies, even by `kill -9`, so a
crashed worker never leaves the others locked out. A holder that never lets go (a process
stopped in a debugger, a stuck job) costs a waiting request `timeout` seconds and a clear
"busy, retry" answer, never a server that hangs.

A server worker runs SQLite work on its event loop (server/db/database.py), so waiting in
`with lock:` stops the whole worker: under the load bench one take in six found the other
worker writing and its loop slept 2.4 ms on average (issue #11). `take_turn` waits on the
event loop instead: the worker goes on serving its other kiosks and looks again, and once
it has the lock the transaction runs at once (`Database.run_write`).
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import threading
import time
from collections import deque
from pathlib import Path
from types import TracebackType

from server.errors import DatabaseBusy

POLL_SECONDS = (0.0002, 0.002)
"""A waiting process looks again after 0.2 ms, doubling up to 2 ms: wakes almost at once,
where SQLite's own busy handler sleeps up to 100 ms between looks."""

TURN_PAUSES = (0.0, 0.0, 0.0, 0.001)
"""`take_turn` looks again after each pause in turn, then every millisecond. A pause of 0
lets the loop run whatever else is ready (under the load bench the other worker holds the
lock about 0.5 ms a transaction); the event loop's timers count whole milliseconds, so a
fifth of the takes then sleep a pause that lasts about 1.2 ms, and each worker sits idle
about a fifth of the bench. A watcher thread sleeping in a blocking `flock` and handing
the lock to the loop (for every wait, or only after these three looks) took that idle back
but spent it, and more, on passing the GIL between the two threads: no more bookings/s
and 0.1-0.3 ms more CPU per booking in alternating runs (issue #11, round 8b)."""


class WriterLock:
    """Exclusive across threads and processes; a context manager."""

    def __init__(self, database: Path, timeout: float) -> None:
        self.path = database.with_name(database.name + ".writer")
        self.timeout = timeout
        self._thread_lock = threading.Lock()
        self._fd: int | None = None
        self._pid = 0
        """The process that opened `_fd`: a forked child opens its own (a shared open file
        would share the lock, and parent and child would not exclude each other)."""
        self._turn: int | None = None
        """The thread that holds the lock from `take_turn`: its next `with` uses it."""
        self._waiting: deque[asyncio.Future[None]] = deque()
        """Requests of this process's event loop waiting in `take_turn`, first come first."""

    def __enter__(self) -> WriterLock:
        if self._turn is not None and self._turn == threading.get_ident():
            self._turn = None  # taken ahead by take_turn; released by __exit__ as usual
            return self
        deadline = time.monotonic() + self.timeout
        if not self._thread_lock.acquire(timeout=self.timeout):
            raise DatabaseBusy("the database stayed busy too long; retry the request", retry_after_seconds=1)
        try:
            self._take(self._open(), deadline)
        except BaseException:
            self._thread_lock.release()
            raise
        return self

    async def take_turn(self) -> None:
        """Take the lock for this thread's next `with lock:` without blocking the event loop.

        Raises `DatabaseBusy` after `timeout` seconds, like `with lock:`. The caller must
        enter the lock, or call `give_back_turn`, before it awaits anything: until then every
        other writer waits. Requests of one event loop get their turns in the order they
        asked: only the first of them watches the lock, and a new request does not slip past
        those already waiting (without that, the load bench's p99 grew by half).
        """
        if not self._waiting and self._try_take():
            self._turn = threading.get_ident()
            return
        deadline = time.monotonic() + self.timeout
        mine: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append(mine)
        try:
            if self._waiting[0] is not mine:
                async with asyncio.timeout_at(asyncio.get_running_loop().time() + self.timeout):
                    await mine  # set when the requests ahead have had their turn
            pauses = iter(TURN_PAUSES)
            while not self._try_take():
                if time.monotonic() >= deadline:
                    raise TimeoutError
                await asyncio.sleep(next(pauses, TURN_PAUSES[-1]))
        except TimeoutError:
            raise DatabaseBusy(
                "another process has held the database's write lock too long; retry the request",
                retry_after_seconds=1,
            ) from None
        finally:
            self._waiting.remove(mine)
            if self._waiting and not self._waiting[0].done():
                self._waiting[0].set_result(None)  # the next one watches the lock from now on
        self._turn = threading.get_ident()

    def give_back_turn(self) -> None:
        """Release a turn that no `with lock:` used (the work ended before it wrote)."""
        if self._turn is not None and self._turn == threading.get_ident():
            self._turn = None
            self.__exit__(None, None, None)

    def _try_take(self) -> bool:
        if not self._thread_lock.acquire(blocking=False):
            return False
        try:
            fcntl.flock(self._open(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._thread_lock.release()
            return False
        except BaseException:
            self._thread_lock.release()
            raise
        return True

    def _open(self) -> int:
        """The lock file's descriptor in this process (call with the thread lock held)."""
        if self._fd is None or self._pid != os.getpid():
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            self._pid = os.getpid()
        return self._fd

    @staticmethod
    def _take(fd: int, deadline: float) -> None:
        pause, longest = POLL_SECONDS
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise DatabaseBusy(
                        "another process has held the database's write lock too long; retry the request",
                        retry_after_seconds=1,
                    ) from None
                time.sleep(pause)
                pause = min(pause * 2, longest)

    def __exit__(
        self, _type: type[BaseException] | None, _value: BaseException | None, _traceback: TracebackType | None
    ) -> None:
        try:
            if self._fd is not None:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._thread_lock.release()

    def close(self) -> None:
        with self._thread_lock:
            if self._fd is not None and self._pid == os.getpid():
                os.close(self._fd)
            self._fd = None
