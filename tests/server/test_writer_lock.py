"""The SQLite writer lock excludes other processes, is released when its holder is killed, and
a holder that never lets go costs a waiting request a clear "busy", not a hung server. A
server worker waiting for it goes on answering its other requests."""

from __future__ import annotations

import asyncio
import fcntl
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from server_harness import Centre, book
from sqlalchemy.engine import make_url

from server.db.writer_lock import WriterLock
from server.errors import DatabaseBusy

T = TypeVar("T")

HOLD = """
import sys, time
from pathlib import Path
from server.db.writer_lock import WriterLock
with WriterLock(Path(sys.argv[1]), 5):
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def _holder(database: Path, seconds: float, script: str = HOLD) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    holder = subprocess.Popen(
        [sys.executable, "-c", script, str(database), str(seconds)], stdout=subprocess.PIPE, text=True, env=env
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


def _in_own_loop(work: Coroutine[Any, Any, T]) -> T:
    # A loop of its own in a thread of its own: another test's loop may still run in this one.
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, work).result()


def _free_to_another_process(lock: WriterLock) -> bool:
    """Whether a second open of the lock file could take it now (as another process would)."""
    fd = os.open(lock.path, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)
    return True


def test_waiting_for_a_turn_leaves_the_event_loop_serving(tmp_path: Path) -> None:
    database = tmp_path / "kiosk.sqlite3"
    lock = WriterLock(database, 5)

    async def wait_while_ticking() -> tuple[float, int, list[bool]]:
        ticks = 0
        done = asyncio.Event()

        async def tick() -> None:
            nonlocal ticks
            while not done.is_set():
                ticks += 1
                await asyncio.sleep(0.01)

        ticker = asyncio.create_task(tick())
        began = time.monotonic()
        await lock.take_turn()
        waited = time.monotonic() - began
        free = [_free_to_another_process(lock)]
        lock.give_back_turn()
        free.append(_free_to_another_process(lock))
        done.set()
        await ticker
        return waited, ticks, free

    holder = _holder(database, 0.5)
    waited, ticks, free = _in_own_loop(wait_while_ticking())
    holder.wait(timeout=10)
    lock.close()
    assert 0.3 < waited < 2
    assert ticks >= 15, ticks  # the loop ran other work every 10 ms while it waited
    assert free == [False, True]


def test_requests_of_one_worker_get_their_turns_in_the_order_they_asked(tmp_path: Path) -> None:
    database = tmp_path / "kiosk.sqlite3"
    lock = WriterLock(database, 5)
    order: list[str] = []

    async def write(name: str) -> None:
        await lock.take_turn()
        order.append(name)
        with lock:
            pass

    async def four_writers() -> None:
        first = asyncio.create_task(write("first"))
        await asyncio.sleep(0.05)
        others = [asyncio.create_task(write(name)) for name in ("second", "third")]
        await asyncio.sleep(0.05)
        late = asyncio.create_task(write("late"))  # asks while the others wait: queues behind them
        await asyncio.gather(first, *others, late)

    holder = _holder(database, 0.4)
    _in_own_loop(four_writers())
    holder.wait(timeout=10)
    lock.close()
    assert order == ["first", "second", "third", "late"]


def test_a_turn_is_used_by_the_next_transaction_and_released_at_its_end(tmp_path: Path) -> None:
    lock = WriterLock(tmp_path / "kiosk.sqlite3", 5)

    async def turn_then_transaction() -> list[bool]:
        await lock.take_turn()
        free = [_free_to_another_process(lock)]
        with lock:  # uses the turn: does not wait for itself
            free.append(_free_to_another_process(lock))
        free.append(_free_to_another_process(lock))
        lock.give_back_turn()  # already used: nothing to give back
        with lock:  # an ordinary transaction after it takes the lock as before
            free.append(_free_to_another_process(lock))
        free.append(_free_to_another_process(lock))
        return free

    assert _in_own_loop(turn_then_transaction()) == [False, False, True, False, True]
    lock.close()


def test_an_unused_turn_is_given_back(tmp_path: Path) -> None:
    lock = WriterLock(tmp_path / "kiosk.sqlite3", 5)

    async def unused_turn() -> list[bool]:
        await lock.take_turn()
        free = [_free_to_another_process(lock)]
        lock.give_back_turn()
        free.append(_free_to_another_process(lock))
        return free

    assert _in_own_loop(unused_turn()) == [False, True]
    lock.close()


def test_a_turn_that_never_comes_is_busy_not_hung(tmp_path: Path) -> None:
    database = tmp_path / "kiosk.sqlite3"
    holder = _holder(database, 60)
    try:
        began = time.monotonic()
        with pytest.raises(DatabaseBusy, match="retry"):
            _in_own_loop(WriterLock(database, 0.3).take_turn())
        assert 0.3 <= time.monotonic() - began < 2
    finally:
        holder.kill()
        holder.wait(timeout=10)


def test_a_server_worker_waiting_to_book_answers_other_requests_meanwhile(centre: Centre) -> None:
    """One worker, another process holding the writer lock for a second: the booking waits
    for it, a look-up sent meanwhile is answered at once, and the booking is made after."""
    database = make_url(centre.server.settings.database_url).database
    if centre.server.database.dialect != "sqlite" or database is None:
        pytest.skip("SQLite's writer lock")
    service = centre.service()
    kiosk = centre.kiosk()
    session = centre.identify(kiosk, centre.resident())
    booked: list[httpx.Response] = []
    holder = _holder(Path(database), 1.0)
    began = time.monotonic()
    booking = threading.Thread(target=lambda: booked.append(book(kiosk, session, service, centre.day(1), "10:00")))
    booking.start()
    time.sleep(0.2)  # the booking is waiting for the lock by now
    looked_up = kiosk.get(f"/api/v1/services/{service}/slots", params={"date": centre.day(1).isoformat()})
    answered_in = time.monotonic() - began
    booking.join(timeout=10)
    holder.wait(timeout=10)
    assert looked_up.status_code == 200
    assert answered_in < 0.8, answered_in  # not after the holder let go, a second after the start
    assert [r.status_code for r in booked] == [201]
    assert time.monotonic() - began >= 0.9


HOLD_THEN_LIVE = """
import sys, time
from pathlib import Path
from server.db.writer_lock import WriterLock
with WriterLock(Path(sys.argv[1]), 5):
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
print(time.monotonic(), flush=True)  # released, and the process lives on
time.sleep(5)
"""


def test_a_waiting_request_gets_its_turn_the_moment_another_process_lets_go(tmp_path: Path) -> None:
    """The turn follows the release within milliseconds, while the process that let go is
    still running (not only when it exits)."""
    database = tmp_path / "kiosk.sqlite3"
    lock = WriterLock(database, 5)
    delays = []

    async def turn() -> tuple[float, list[bool]]:
        await lock.take_turn()
        got = time.monotonic()
        free = [_free_to_another_process(lock)]
        lock.give_back_turn()
        return got, [*free, _free_to_another_process(lock)]

    for _ in range(3):
        holder = _holder(database, 0.3, HOLD_THEN_LIVE)
        got, free = _in_own_loop(turn())
        assert holder.stdout is not None
        released = float(holder.stdout.readline())
        assert free == [False, True]  # this process held it, then let go
        holder.kill()
        holder.wait(timeout=10)
        delays.append(got - released)
    lock.close()
    assert min(delays) < 0.02, delays  # a noisy machine may delay one hand-over, not all three
    assert all(delay >= 0 for delay in delays), delays


def test_a_waiting_request_gets_its_turn_when_the_holder_is_killed(tmp_path: Path) -> None:
    database = tmp_path / "kiosk.sqlite3"
    lock = WriterLock(database, 5)
    holder = _holder(database, 60)

    async def wait_then_kill() -> float:
        waiting = asyncio.create_task(lock.take_turn())
        await asyncio.sleep(0.2)
        assert not waiting.done()
        holder.send_signal(signal.SIGKILL)
        killed = time.monotonic()
        await waiting
        lock.give_back_turn()
        return time.monotonic() - killed

    try:
        assert _in_own_loop(wait_then_kill()) < 1
    finally:
        holder.kill()
        holder.wait(timeout=10)
    lock.close()


def test_requests_that_gave_up_leave_no_turn_behind(tmp_path: Path) -> None:
    """Three requests time out (DatabaseBusy) while another process holds the lock; when it
    lets go, the lock is free to other processes, and the next request of the process gets
    it as usual."""
    database = tmp_path / "kiosk.sqlite3"
    lock = WriterLock(database, 0.2)
    holder = _holder(database, 1.0, HOLD_THEN_LIVE)

    async def three_give_up() -> list[bool]:
        tries = [asyncio.create_task(lock.take_turn()) for _ in range(3)]
        return [isinstance(error, DatabaseBusy) for error in await asyncio.gather(*tries, return_exceptions=True)]

    try:
        began = time.monotonic()
        assert _in_own_loop(three_give_up()) == [True, True, True]
        assert 0.2 <= time.monotonic() - began < 0.9
        assert holder.stdout is not None
        holder.stdout.readline()  # released by the holder, which lives on
        deadline = time.monotonic() + 2
        while not _free_to_another_process(lock):
            assert time.monotonic() < deadline, "a request that gave up kept a turn"
            time.sleep(0.01)
        lock.timeout = 5

        async def turn() -> list[bool]:
            await lock.take_turn()
            free = [_free_to_another_process(lock)]
            lock.give_back_turn()
            return [*free, _free_to_another_process(lock)]

        assert _in_own_loop(turn()) == [False, True]
    finally:
        holder.kill()
        holder.wait(timeout=10)
    lock.close()
