"""SQLite's write-ahead log copied back into the database file by a thread, not by a booking.

Left to itself SQLite checkpoints in the commit that grows the log past 1,000 pages: it
copies them into the database file and fsyncs, 5-15 ms and up to 250 ms on a busy disk.
That commit runs under the writer lock (server/db/writer_lock.py) and on a worker's event
loop, so every other write and every request of that worker waited behind the disk: with
a booking writing 11 pages that was every ~90th booking, the p99 of the load bench, and
the server sat at 0.8 cores waiting (bench/booking_load.py, issue #11).

So the server checkpoints on a worker thread every `CHECKPOINT_SECONDS`, PASSIVE: it never
waits for or blocks readers and writers, and copies what it can. SQLite's own checkpoint
stays as a backstop at a larger log (`AUTOCHECKPOINT_PAGES`, set with the other pragmas in
server/db/database.py), for the staff tools and for a server whose thread falls behind.
Crash safety is SQLite's either way: committed transactions are in the log until copied.
"""

from __future__ import annotations

import asyncio
import logging

import anyio.to_thread

from server.db.database import Database

log = logging.getLogger(__name__)

CHECKPOINT_SECONDS = 0.1
"""At 1,000 bookings/s the log grows by about 1,100 pages (4.5 MB) between two checkpoints."""


def checkpoint(database: Database) -> None:
    """Copy what the log holds into the database file, as far as readers allow, without waiting."""
    raw = database.engine.raw_connection()  # no BEGIN: a checkpoint runs outside a transaction
    try:
        raw.driver_connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()  # type: ignore[union-attr]
    finally:
        raw.close()


async def keep_checkpointing(database: Database, every: float = CHECKPOINT_SECONDS) -> None:
    """Checkpoint every `every` seconds until cancelled (SQLite only); a failure is logged, not fatal.

    Each worker process runs one; when two overlap, SQLite lets one copy and the other
    returns at once.
    """
    while True:
        await asyncio.sleep(every)
        try:
            await anyio.to_thread.run_sync(checkpoint, database)
        except Exception:
            log.exception("checkpointing the SQLite log failed; trying again in %s s", every)
            await asyncio.sleep(10)
