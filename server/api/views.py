"""Database rows as API bodies, in the centre's local time.

Kept apart from the routers because the booking transaction needs the same views for
the alternatives it offers in a refusal.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Any, Literal
from zoneinfo import ZoneInfo

from protocol.bodies import AppointmentOut, OpeningHoursOut, SlotOut
from server.db.rows import AnyRow


def hhmm(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%H:%M")


def local_time(moment: datetime, zone: ZoneInfo) -> time:
    """The local clock time to the minute, as a body's "HH:MM" field carries it."""
    return time.fromisoformat(hhmm(moment, zone))


def slot_view(row: AnyRow, zone: ZoneInfo, now: datetime) -> SlotOut:
    """`row` needs id, service_id, day, starts_at, ends_at, capacity, booked, closed."""
    state: Literal["free", "full", "closed", "past"]
    if row.closed:
        state = "closed"
    elif row.starts_at <= now:
        state = "past"
    elif row.booked >= row.capacity:
        state = "full"
    else:
        state = "free"
    return SlotOut(
        id=row.id,
        service_id=row.service_id,
        date=row.day,
        time=local_time(row.starts_at, zone),
        end_time=local_time(row.ends_at, zone),
        starts_at=row.starts_at.astimezone(zone),
        capacity=row.capacity,
        free=max(row.capacity - row.booked, 0) if state == "free" else 0,
        state=state,
    )


def appointment_view(row: AnyRow, zone: ZoneInfo) -> AppointmentOut:
    """`row` needs the appointment columns plus service_id, day, starts_at, ends_at of its slot."""
    return AppointmentOut(
        code=row.code,
        service_id=row.service_id,
        date=row.day,
        time=local_time(row.starts_at, zone),
        end_time=local_time(row.ends_at, zone),
        starts_at=row.starts_at.astimezone(zone),
        status=row.status,
        created_at=row.created_at.astimezone(zone),
        status_changed_at=row.status_changed_at.astimezone(zone),
        cancel_reason=row.cancel_reason,
        cancelled_by=row.cancelled_by,
    )


def hours_view(hours: dict[str, Any]) -> OpeningHoursOut:
    return OpeningHoursOut(weekdays=list(hours["weekdays"]), periods=[(start, end) for start, end in hours["periods"]])
