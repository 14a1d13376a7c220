"""One day at the centre: every service's slots and appointments, for check-in and no-show.

Residents' names are shown to staff (they greet the person at the window); when issue
6's field encryption is in place the name is decrypted here, and only here, for the page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Integer, cast, func, select

from server.booking.centre_time import local_moment
from server.db.models import Appointment, Resident, Service, TimeSlot
from server.privacy.field_crypto import FieldUndecryptable, is_encrypted
from server.settings import ServerSettings

APPOINTMENT = Appointment.__table__
SLOT = TimeSlot.__table__
SERVICE = Service.__table__
RESIDENT = Resident.__table__


@dataclass(frozen=True)
class DayAppointment:
    code: str
    time: str
    resident: str
    status: str
    cancel_reason: str | None


@dataclass
class ServiceDay:
    """One service's day: slots with their seats, and the appointments in them."""

    service_id: str
    name: str
    slots: int = 0
    seats: int = 0
    booked: int = 0
    closed: bool = False
    appointments: list[DayAppointment] = field(default_factory=list)


def resident_name(settings: ServerSettings, resident_id: int, stored: str) -> str:
    """The name as staff should read it, whether or not the column is encrypted yet."""
    if not is_encrypted(stored):
        return stored
    try:
        return settings.data_keys.decrypt(stored, "resident", "name", resident_id)
    except FieldUndecryptable:
        return "?"


def day_view(conn: Connection, settings: ServerSettings, day: date, lang: str) -> list[ServiceDay]:
    zone = settings.timezone
    services: dict[str, ServiceDay] = {}
    for service in conn.execute(select(SERVICE.c.id, SERVICE.c.names).where(SERVICE.c.bookable.is_(True))
                                .order_by(SERVICE.c.position)):  # fmt: skip
        names = service.names.get(lang) or next(iter(service.names.values()), [service.id])
        services[service.id] = ServiceDay(service.id, names[0])
    for totals in conn.execute(
        select(SLOT.c.service_id, func.count().label("slots"), func.sum(SLOT.c.capacity).label("seats"),
               func.sum(SLOT.c.booked).label("booked"), func.min(cast(SLOT.c.closed, Integer)).label("all_closed"))
        .where(SLOT.c.day == day).group_by(SLOT.c.service_id)
    ):  # fmt: skip
        entry = services.get(totals.service_id)
        if entry is not None:
            entry.slots, entry.seats, entry.booked = totals.slots, int(totals.seats or 0), int(totals.booked or 0)
            entry.closed = bool(totals.all_closed)
    query = (
        select(APPOINTMENT.c.code, APPOINTMENT.c.status, APPOINTMENT.c.cancel_reason, SLOT.c.service_id,
               SLOT.c.starts_at, RESIDENT.c.id.label("resident_id"), RESIDENT.c.name)
        .select_from(APPOINTMENT.join(SLOT, SLOT.c.id == APPOINTMENT.c.slot_id)
                     .outerjoin(RESIDENT, RESIDENT.c.id == APPOINTMENT.c.resident_id))
        .where(SLOT.c.day == day)
        .order_by(SLOT.c.starts_at, APPOINTMENT.c.code)
    )  # fmt: skip
    for row in conn.execute(query):
        entry = services.get(row.service_id)
        if entry is None:
            continue
        name = resident_name(settings, row.resident_id, row.name) if row.resident_id is not None else "—"
        entry.appointments.append(DayAppointment(row.code, row.starts_at.astimezone(zone).strftime("%H:%M"), name,
                                                 row.status, row.cancel_reason))  # fmt: skip
    return list(services.values())


def bookings_per_day(conn: Connection, zone: ZoneInfo, today: date, days: int = 14) -> list[tuple[date, int]]:
    """Appointments made per local day (by when they were booked), oldest first."""
    first = today - timedelta(days=days - 1)
    counts = dict.fromkeys((first + timedelta(days=n) for n in range(days)), 0)
    since = local_moment(first, time(0, 0), zone)
    for (created_at,) in conn.execute(select(APPOINTMENT.c.created_at).where(APPOINTMENT.c.created_at >= since)):
        day = created_at.astimezone(zone).date()
        if day in counts:
            counts[day] += 1
    return sorted(counts.items())
