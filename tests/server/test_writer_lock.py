"""The SQLite writer lock excludes other processes, is released when its holder is killed, and
a holder that never lets go costs a waiting request a clear "busy", not a hung server."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from server.db.writer_lock import WriterLock
from server.errors import DatabaseBusy

HOLD = """
import sys, time
from pathlib import Path
from server.db.writer_lock import WriterLock
with WriterLock(Path(sys.argv[1]), 5):
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def _holder(database: Path, seconds: float) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(database), str(seconds)], stdout=subprocess.PIPE, text=True, env=env
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    return holder


def test_a_second_process_waits_for_the_writer_and_gets_the_lock_at_once_after(tmp_path: Path) -> None:
    database = tmp_path / "kiosk.sqlite3"
    holder = _holder(database, 0.5)
    began = time.monotonic()
    with WriterLock(database, 5):
        waited = time.monotonic() - began
    holder.wait(timeout=10)
    assert 0.3 < waited < 2


def test_a_writer_killed_with_sigkill_leaves_no_lock_behind(tmp_path: Path) -> None:
    database = tmp_path / "kiosk.sqlite3"
    holder = _holder(database, 60)
    holder.send_signal(signal.SIGKILL)
    holder.wait(timeout=10)
    began = time.monotonic()
    lock = WriterLock(database, 5)
    with lock:
        assert time.monotonic() - began < 1
    lock.close()


def test_a_holder_that_never_lets_go_makes_a_waiting_writer_busy_not_hung(tmp_path: Path) -> None:
    database = tmp_path / "kiosk.sqlite3"
    holder = _holder(database, 60)
    try:
        began = time.monotonic()
        with pytest.raises(DatabaseBusy, match="retry"), WriterLock(database, 0.3):
            pass
        assert 0.3 <= time.monotonic() - began < 2
    finally:
        holder.kill()
        holder.wait(timeout=10)
