"""Keeping every bookable service's slots a fixed number of days ahead, day after day.

Slots are rows (server/booking/slot_calendar.py), so somebody has to create tomorrow's
rows before residents ask for them. `kiosk serve --demo` used to be the only one who
did: a real centre, started without it, ran out of slots a month later. Now the server
extends them when it starts and then every hour (`keep_extending`), and staff can run
`kiosk slots extend` by hand. Extending is idempotent: slots that exist, booked or not,
are left alone, closed days get none, and a worker that loses a race against another
one inserting the same slots (a unique index on service and start) simply retries.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from server.booking.centre_time import local_today
from server.booking.slot_calendar import generate_slots
from server.db.database import Database
from server.db.models import BookableService, Service

BOOKABLE = BookableService.__table__
SERVICE = Service.__table__

HORIZON_DAYS = 30
"""Days of slots kept ahead of today (today and the horizon's last day both included)."""
EXTEND_EVERY_SECONDS = 3600.0
"""How often a running server extends: hourly, so a new day is there soon after midnight."""
RACE_TRIES = 3

log = logging.getLogger(__name__)


def extend_slots(db: Database, zone: ZoneInfo, horizon_days: int = HORIZON_DAYS, today: date | None = None) -> int:
    """Create the missing slots of every bookable service up to the horizon; returns how many.

    One transaction per service keeps SQLite's write lock short for the kiosks.
    """
    first = today or local_today(zone)
    # Through the horizon's last day inclusive: just after midnight, before the hourly run,
    # residents can still book `horizon_days` days ahead.
    last = first + timedelta(days=horizon_days)
    with db.read() as conn:
        services = list(
            conn.scalars(
                select(BOOKABLE.c.service_id)
                .join(SERVICE, SERVICE.c.id == BOOKABLE.c.service_id)
                .where(SERVICE.c.bookable.is_(True))
                .order_by(BOOKABLE.c.service_id)
            )
        )
    added = 0
    for service_id in services:
        for _ in range(RACE_TRIES):
            try:
                with db.write() as conn:
                    added += generate_slots(conn, service_id, first, last, zone)
                break
            except IntegrityError:  # another worker inserted some of the same slots first
                continue
    return added


async def keep_extending(
    db: Database,
    zone: ZoneInfo,
    horizon_days: int,
    every: float = EXTEND_EVERY_SECONDS,
    today: Callable[[], date] | None = None,
) -> None:
    """Extend every `every` seconds until cancelled; a failed round is logged, not fatal.

    `today` is the centre's date for each round (default: the wall clock), so a test can let
    midnights pass in milliseconds."""
    while True:
        await asyncio.sleep(every)
        try:
            day = today() if today is not None else local_today(zone)
            added = await db.run(extend_slots, db, zone, horizon_days, day)
        except Exception:
            log.exception("extending the slots failed; trying again in %s s", every)
            continue
        if added:
            log.info("added %s slots up to %s days ahead", added, horizon_days)
