"""Doorbells between the processes that share the SQLite writer lock (server/db/writer_lock.py).

A worker whose request waits for the writer lock looks again from its event loop, and the
loop's timers count whole milliseconds: a look lasted about 1.2 ms while the other worker
holds the lock about 0.5 ms a transaction, so each worker sat idle about a fifth of the load
bench (issue #11). A watcher thread in a blocking `flock` took that idle back and spent it on
passing the GIL between two threads (round 8b). Here nothing runs in a thread: a process that
waits has a FIFO in `<database>.writer.bells/`, named by its pid, that its event loop watches,
and a process that lets the lock go writes a byte into every other process's FIFO. The
millisecond look stays as the fallback for a bell not rung (a process that started since the
ringer last read the directory).
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import os
import stat
import time
from pathlib import Path

REREAD_SECONDS = 0.5
"""How often a ringer reads the directory again for processes that started waiting since."""


class Doorbells:
    """This process's bell, and the others' it rings; call with the writer's thread lock held."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._own: int | None = None
        self._pid = 0
        """The process that made `_own` (a forked child makes its own)."""
        self._others: dict[str, int] = {}
        """Write ends of the other processes' bells, by pid."""
        self._read_at = float("-inf")

    def own(self) -> int:
        """This process's bell, made on first use: read and write ends in one descriptor, so it
        is never at end-of-file and a ringer can always open it while this process lives."""
        if self._own is None or self._pid != os.getpid():
            self.directory.mkdir(parents=True, exist_ok=True)
            path = self.directory / str(os.getpid())
            with contextlib.suppress(FileExistsError):
                os.mkfifo(path, 0o600)
            self._own = os.open(path, os.O_RDWR | os.O_NONBLOCK | os.O_CLOEXEC)
            self._pid = os.getpid()
            self._others.clear()
            self._read_at = float("-inf")
        return self._own

    async def wait(self, timeout: float) -> None:
        """Until another process rings, or `timeout` seconds; then silence the bell."""
        bell = self.own()
        loop = asyncio.get_running_loop()
        rung: asyncio.Future[None] = loop.create_future()

        def answer() -> None:
            if not rung.done():
                rung.set_result(None)

        loop.add_reader(bell, answer)
        try:
            async with asyncio.timeout(timeout):
                await rung
        except TimeoutError:
            pass
        finally:
            loop.remove_reader(bell)
        self.silence()

    def silence(self) -> None:
        """Read away the rings so far: the next wait sleeps until a new one."""
        if self._own is None:
            return
        with contextlib.suppress(BlockingIOError):
            while os.read(self._own, 4096):
                pass

    def ring_others(self) -> None:
        """Wake every other process waiting for the lock (a full bell is ringing already)."""
        now = time.monotonic()
        if now - self._read_at >= REREAD_SECONDS:
            self._read_at = now
            self._reread()
        for pid, bell in list(self._others.items()):
            try:
                os.write(bell, b"\0")
            except BlockingIOError:
                pass
            except BrokenPipeError:
                self._forget(pid, unlink=True)  # its process is gone

    def close(self) -> None:
        for pid in list(self._others):
            self._forget(pid, unlink=False)
        if self._own is not None and self._pid == os.getpid():
            os.close(self._own)
            with contextlib.suppress(FileNotFoundError):
                (self.directory / str(self._pid)).unlink()
        self._own = None

    def _reread(self) -> None:
        try:
            pids = {entry.name for entry in os.scandir(self.directory)}
        except FileNotFoundError:
            pids = set()
        pids.discard(str(os.getpid()))
        for pid in set(self._others) - pids:
            self._forget(pid, unlink=False)
        for pid in pids - set(self._others):
            path = self.directory / pid
            try:
                bell = os.open(path, os.O_WRONLY | os.O_NONBLOCK | os.O_CLOEXEC)
            except OSError as error:
                if error.errno == errno.ENXIO:  # nobody reads it: its process died
                    with contextlib.suppress(FileNotFoundError):
                        path.unlink()
                continue
            if stat.S_ISFIFO(os.fstat(bell).st_mode):
                self._others[pid] = bell
            else:
                os.close(bell)

    def _forget(self, pid: str, *, unlink: bool) -> None:
        os.close(self._others.pop(pid))
        if unlink:
            with contextlib.suppress(FileNotFoundError):
                (self.directory / pid).unlink()
