"""The writer lock's doorbells: a ring wakes the waiting process, and the bells of processes
that died (even by `kill -9`) are cleared away, not rung for ever."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from server.db.lock_doorbells import Doorbells

LISTENER = """
import os, sys, time
from pathlib import Path
from server.db.lock_doorbells import Doorbells
bells = Doorbells(Path(sys.argv[1]))
bells.own()
print("listening", flush=True)
time.sleep(60)
"""


def _listener(directory: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    process = subprocess.Popen([sys.executable, "-c", LISTENER, str(directory)], stdout=subprocess.PIPE,
                               text=True, env=env)
    assert process.stdout is not None and process.stdout.readline().strip() == "listening"
    return process


def test_a_ring_wakes_the_waiting_process_at_once_and_is_then_silenced(tmp_path: Path) -> None:
    waiter = Doorbells(tmp_path)

    async def wait() -> float:
        began = time.monotonic()
        await waiter.wait(5.0)
        return time.monotonic() - began

    async def ring_soon() -> float:
        waiting = asyncio.create_task(wait())
        await asyncio.sleep(0.05)
        ring = os.open(tmp_path / str(os.getpid()), os.O_WRONLY | os.O_NONBLOCK)  # as another process rings
        os.write(ring, b"\0\0")
        os.close(ring)
        return await waiting

    assert asyncio.run(ring_soon()) < 1
    began = time.monotonic()
    asyncio.run(waiter.wait(0.2))  # the rings were read away: this wait sleeps its full time
    assert time.monotonic() - began >= 0.2
    waiter.close()
    assert not (tmp_path / str(os.getpid())).exists()


def test_the_bell_of_a_killed_process_is_cleared_away(tmp_path: Path) -> None:
    listener = _listener(tmp_path)
    bell = tmp_path / str(listener.pid)
    ringer = Doorbells(tmp_path)
    ringer.ring_others()  # the listener is alive: its bell is opened and rung
    assert bell.exists() and str(listener.pid) in ringer._others
    listener.send_signal(signal.SIGKILL)
    listener.wait(timeout=10)
    ringer.ring_others()  # its reader is gone: the write fails, the bell is forgotten
    assert not bell.exists() and not ringer._others
    ringer.close()


def test_a_bell_left_by_a_process_that_died_before_anyone_rang_is_cleared_away(tmp_path: Path) -> None:
    listener = _listener(tmp_path)
    listener.send_signal(signal.SIGKILL)
    listener.wait(timeout=10)
    bell = tmp_path / str(listener.pid)
    assert bell.exists()
    ringer = Doorbells(tmp_path)
    ringer.ring_others()
    assert not bell.exists() and not ringer._others
    ringer.close()
