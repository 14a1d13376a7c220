"""SQLite's one writer at a time, queued in the kernel rather than in SQLite's sleeping busy loop.

A thread lock orders the threads of one process; `flock` on `<database>.writer` orders
processes (the workers of `kiosk serve --workers 2`, `kiosk retention run`, a test opening
the database beside a running server). A waiting process sleeps in the kernel and wakes
the moment the holder lets go, where SQLite's busy handler would sleep 1, 2, 5 … 100 ms and
look again. The kernel releases the `flock` of a process that dies, even by `kill -9`, so a
crashed worker never leaves the others locked out. A holder that never lets go (a process
stopped in a debugger, a stuck job) costs a waiting request `timeout` seconds and a clear
"busy, retry" answer, never a server that hangs.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from pathlib import Path
from types import TracebackType

from server.errors import DatabaseBusy

POLL_SECONDS = (0.0002, 0.002)
"""A waiting process looks again after 0.2 ms, doubling up to 2 ms: wakes almost at once,
where SQLite's own busy handler sleeps up to 100 ms between looks."""


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

    def __enter__(self) -> WriterLock:
        deadline = time.monotonic() + self.timeout
        if not self._thread_lock.acquire(timeout=self.timeout):
            raise DatabaseBusy("the database stayed busy too long; retry the request", retry_after_seconds=1)
        try:
            if self._fd is None or self._pid != os.getpid():
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
                self._pid = os.getpid()
            self._take(self._fd, deadline)
        except BaseException:
            self._thread_lock.release()
            raise
        return self

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
