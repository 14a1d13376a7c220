"""Turning a bookable service's hours into rows of time slots, and closing days.

Slots are materialised rows (not computed on the fly) because each one carries its own
`booked` counter: the database's CHECK on that counter is what makes overbooking
impossible.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, and_, insert, or_, select, update

from server.booking.centre_time import local_moment
from server.db.models import BookableService, ClosedDay, TimeSlot

SLOT = TimeSlot.__table__
CLOSED = ClosedDay.__table__
BOOKABLE = BookableService.__table__


def hours_json(weekdays: Iterable[int], periods: Iterable[tuple[time, time]]) -> dict[str, Any]:
    """The JSON shape stored for opening and bookable hours."""
    return {"weekdays": sorted(weekdays), "periods": periods_json(periods)}


def periods_json(periods: Iterable[tuple[time, time]]) -> list[list[str]]:
    """[["08:30", "12:00"], …]: a period ending at 24:00 (23:59:59) is stored as "23:59"."""
    return [[start.strftime("%H:%M"), end.strftime("%H:%M")] for start, end in periods]


def slot_times(hours: dict[str, Any], slot_minutes: int, day: date) -> list[tuple[time, time]]:
    """Local start and end of every whole slot that fits in the hours on `day`."""
    if day.weekday() not in hours["weekdays"]:
        return []
    step = timedelta(minutes=slot_minutes)
    times = []
    for start_text, end_text in hours["periods"]:
        start = datetime.combine(day, time.fromisoformat(start_text))
        end = datetime.combine(day, time.fromisoformat(end_text))
        while start + step <= end:
            times.append((start.time(), (start + step).time()))
            start += step
    return times


def generate_slots(conn: Connection, service_id: str, first: date, last: date, zone: ZoneInfo) -> int:
    """Create the missing slots of one service from `first` to `last` inclusive; returns how many.

    Closed days get no slots; existing slots (and their bookings) are left alone, so this
    can run again after staff extend the horizon.
    """
    rule = conn.execute(
        select(BOOKABLE.c.hours, BOOKABLE.c.slot_minutes, BOOKABLE.c.capacity).where(
            BOOKABLE.c.service_id == service_id
        )
    ).one()
    closed = set(
        conn.scalars(
            select(CLOSED.c.day).where(
                CLOSED.c.day.between(first, last),
                or_(CLOSED.c.service_id.is_(None), CLOSED.c.service_id == service_id),
            )
        )
    )
    existing = set(
        conn.scalars(select(SLOT.c.starts_at).where(SLOT.c.service_id == service_id, SLOT.c.day.between(first, last)))
    )
    rows = []
    day = first
    while day <= last:
        if day not in closed:
            for start, end in slot_times(rule.hours, rule.slot_minutes, day):
                starts_at = local_moment(day, start, zone)
                if starts_at not in existing:
                    rows.append(
                        {
                            "service_id": service_id,
                            "day": day,
                            "starts_at": starts_at,
                            "ends_at": local_moment(day, end, zone),
                            "capacity": rule.capacity,
                            "booked": 0,
                            "closed": False,
                        }
                    )
        day += timedelta(days=1)
    if rows:
        conn.execute(insert(SLOT), rows)
    return len(rows)


def close_day(conn: Connection, day: date, reason: dict[str, str], service_id: str | None = None) -> int:
    """Record a closed day and close its existing slots; returns how many slots closed.

    Appointments already booked that day are kept: staff must phone those residents.
    """
    conn.execute(insert(CLOSED).values(day=day, service_id=service_id, reason=reason))
    condition = and_(SLOT.c.day == day, SLOT.c.closed.is_(False))
    if service_id is not None:
        condition = and_(condition, SLOT.c.service_id == service_id)
    return conn.execute(update(SLOT).where(condition).values(closed=True)).rowcount


def day_slot_rows(conn: Connection, service_id: str, day: date) -> list[Any]:
    """One local day's slots of a service, in time order, with what `api.views.slot_view` needs."""
    return list(conn.execute(
        select(SLOT.c.id, SLOT.c.service_id, SLOT.c.day, SLOT.c.starts_at, SLOT.c.ends_at, SLOT.c.capacity,
               SLOT.c.booked, SLOT.c.closed)
        .where(SLOT.c.service_id == service_id, SLOT.c.day == day)
        .order_by(SLOT.c.starts_at)
    ).all())  # fmt: skip


def closed_reason(conn: Connection, service_id: str, day: date) -> dict[str, str] | None:
    """Why `day` is closed for the service (centre-wide or service-specific), or None."""
    return conn.scalar(
        select(CLOSED.c.reason)
        .where(CLOSED.c.day == day, or_(CLOSED.c.service_id.is_(None), CLOSED.c.service_id == service_id))
        .limit(1)
    )
