"""The booking transaction: capacity, double booking and retries settled by the database.

A booking is one write transaction (SQLite: `BEGIN IMMEDIATE`, see server/db/database.py):

1. one query reads the service, the slot, whether the resident already holds the slot (for
   a clear answer; the unique index below decides) and whether the idempotency key was used;
2. a retry with the same idempotency key returns the first answer; otherwise the service
   and slot are checked (bookable, not past, not closed);
3. `UPDATE time_slot SET booked = booked + 1 WHERE id = … AND booked < capacity` — the
   row count says whether a seat was taken; on PostgreSQL the UPDATE holds the slot's
   row lock, so concurrent bookings of one slot queue there and re-check the condition;
4. the appointment is inserted. A unique index allows one *active* booking per resident
   and slot, another one use of an idempotency key per kiosk; if a concurrent request
   wins either race, the insert fails, the whole transaction (seat included) rolls back
   and the loser is told why.

Nothing is checked in Python and then written in a second step, so there is no window
for two requests to both see "one seat left". CHECK (booked <= capacity) backs it all.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Select, and_, bindparam, exists, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from protocol.bodies import AppointmentOut, SlotOut
from server.api.views import appointment_view, slot_view
from server.booking.centre_time import local_moment, utc_now
from server.booking.reference_codes import MAX_DIGITS, MIN_DIGITS, new_appointment_code
from server.booking.slot_calendar import closed_reason
from server.db.database import Database
from server.db.models import Appointment, Service, TimeSlot
from server.db.prepared import Prepared
from server.errors import (
    AlreadyBooked,
    AppointmentNotCancellable,
    AppointmentNotFound,
    DatabaseBusy,
    IdempotencyConflict,
    NoSuchSlot,
    ServiceNotBookable,
    ServiceNotFound,
    SlotClosed,
    SlotFull,
    SlotPast,
    SlotRefused,
)

APPOINTMENT = Appointment.__table__
SLOT = TimeSlot.__table__
SERVICE = Service.__table__

ALTERNATIVES_HORIZON = timedelta(days=14)
"""How far after the requested day a refusal looks for free slots."""
LATER_CANDIDATES = 60
"""Free slots of the following days read to choose from (the first two or three days)."""

CODE_TRIES_PER_LENGTH = 10
RACE_RETRIES = 3
"""PostgreSQL only: times a booking is retried after losing a race on a unique index."""


@dataclass(frozen=True)
class BookingRequest:
    """A resident asking, at a kiosk, for a service at a local date and time."""

    resident_id: int
    service_id: str
    day: date
    """Local date at the centre."""
    at: time
    """Local start time."""
    device_id: int | None
    """The kiosk asking; None for staff bookings."""
    idempotency_key: str | None
    """Same key (per kiosk) = same booking, however often the kiosk retries."""

    def fingerprint(self) -> str:
        """What the key must always mean; a reused key asking for something else is refused."""
        text = f"{self.resident_id}|{self.service_id}|{self.day.isoformat()}|{self.at.isoformat()}"
        return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class BookingResult:
    appointment: AppointmentOut
    replayed: bool
    """True when this answers a retry: nothing new was booked."""


def appointment_query() -> Select[Any]:
    """Appointment columns plus its slot's service and times: what `appointment_view` needs."""
    return select(
        APPOINTMENT.c.id,
        APPOINTMENT.c.code,
        APPOINTMENT.c.slot_id,
        APPOINTMENT.c.resident_id,
        APPOINTMENT.c.status,
        APPOINTMENT.c.device_id,
        APPOINTMENT.c.idempotency_key,
        APPOINTMENT.c.request_hash,
        APPOINTMENT.c.created_at,
        APPOINTMENT.c.status_changed_at,
        APPOINTMENT.c.cancel_reason,
        APPOINTMENT.c.cancelled_by,
        SLOT.c.service_id,
        SLOT.c.day,
        SLOT.c.starts_at,
        SLOT.c.ends_at,
    ).join_from(APPOINTMENT, SLOT, APPOINTMENT.c.slot_id == SLOT.c.id)


# The booking path's statements, built once: building SQLAlchemy expressions per request
# cost more than running them (bench/booking_load.py). Those run on every booking are
# prepared (server/db/prepared.py): they run inside SQLite's one write transaction.
BY_IDEMPOTENCY_KEY = appointment_query().where(
    APPOINTMENT.c.device_id == bindparam("device_id"), APPOINTMENT.c.idempotency_key == bindparam("key")
)
HELD = APPOINTMENT.alias("held")
PRIOR = APPOINTMENT.alias("prior")
# With the resident's active booking of that slot and the key's earlier use: one round trip.
SERVICE_AND_SLOT = Prepared(
    select(
        SERVICE.c.bookable,
        SLOT.c.id,
        SLOT.c.closed,
        SLOT.c.ends_at,
        HELD.c.code.label("held_code"),
        HELD.c.device_id.label("held_device_id"),
        HELD.c.idempotency_key.label("held_key"),
        PRIOR.c.id.label("prior_id"),
    )
    .select_from(
        SERVICE.outerjoin(SLOT, and_(SLOT.c.service_id == SERVICE.c.id, SLOT.c.starts_at == bindparam("starts_at")))
        .outerjoin(
            HELD,
            and_(
                HELD.c.slot_id == SLOT.c.id,
                HELD.c.resident_id == bindparam("resident_id"),
                HELD.c.status == "booked",
            ),
        )
        .outerjoin(
            PRIOR, and_(PRIOR.c.device_id == bindparam("device_id"), PRIOR.c.idempotency_key == bindparam("key"))
        )
    )
    .where(SERVICE.c.id == bindparam("service_id"))
)
TAKE_SEAT = Prepared(
    update(SLOT)
    .where(SLOT.c.id == bindparam("slot_id"), SLOT.c.booked < SLOT.c.capacity, SLOT.c.closed.is_(False))
    .values(booked=SLOT.c.booked + 1)
)
_NEW_COLUMNS = ("code", "resident_id", "slot_id", "status", "device_id", "idempotency_key", "request_hash",
                "created_at", "status_changed_at")  # fmt: skip
NEW_APPOINTMENT = {  # a code already taken inserts nothing (no row returned): no query to look first
    dialect: Prepared(insert.on_conflict_do_nothing(index_elements=[APPOINTMENT.c.code]).returning(APPOINTMENT.c.id),
                      columns=_NEW_COLUMNS)
    for dialect, insert in (("sqlite", sqlite_insert(APPOINTMENT)), ("postgresql", postgresql_insert(APPOINTMENT)))
}  # fmt: skip


@dataclass(frozen=True)
class _Claimed:
    """A seat taken and an appointment inserted, not yet committed."""

    code: str
    ends_at: datetime


def book(
    db: Database,
    zone: ZoneInfo,
    request: BookingRequest,
    *,
    alternatives: int = 3,
    also: Callable[[Connection, str], None] | None = None,
) -> BookingResult:
    """Book, or raise an `ApiError` saying why not (slot refusals carry `alternatives`).

    `also` runs inside the booking's transaction when a new appointment was made (not on a
    replay), with its code: the audit record, a family proxy's permission check and its
    note for the elder commit with the booking or not at all.

    On SQLite the transaction holds the one write lock every other write waits for, so it
    runs the statements and nothing else: the request's values are worked out before it
    begins, the answer is built after it committed.
    """
    starts_at = local_moment(request.day, request.at, zone)
    fingerprint = request.fingerprint()
    for _ in range(RACE_RETRIES):
        now = utc_now()
        try:
            with db.write() as conn:
                outcome = _claim(conn, request, starts_at, fingerprint, now)
                if also is not None and isinstance(outcome, _Claimed):
                    also(conn, outcome.code)
        except SlotRefused as refusal:
            with db.read() as conn:
                offered = nearest_free_slots(
                    conn, zone, request.service_id, starts_at, request.resident_id, utc_now(), alternatives
                )
            refusal.extra["alternatives"] = [slot.model_dump(mode="json") for slot in offered]
            raise
        except IntegrityError:
            # Lost a race (PostgreSQL): the seat taken above was rolled back with the insert.
            with db.read() as conn:
                replay = _explain_lost_race(conn, zone, request)
            if replay is not None:
                return replay
            continue
        if not isinstance(outcome, _Claimed):
            return _replay(outcome, fingerprint, zone)
        local_start, local_end = starts_at.astimezone(zone), outcome.ends_at.astimezone(zone)
        return BookingResult(
            AppointmentOut(
                code=outcome.code,
                service_id=request.service_id,
                date=request.day,
                time=time(local_start.hour, local_start.minute),
                end_time=time(local_end.hour, local_end.minute),
                starts_at=local_start,
                status="booked",
                created_at=now.astimezone(zone),
                status_changed_at=now.astimezone(zone),
            ),
            replayed=False,
        )
    raise DatabaseBusy("the booking kept colliding with concurrent ones; retry", retry_after_seconds=1)


def _claim(
    conn: Connection, request: BookingRequest, starts_at: datetime, fingerprint: str, now: datetime
) -> _Claimed | Any:
    """The booking's statements: a new appointment, or the row of the earlier booking under
    this idempotency key (to answer again, after the transaction); raises refusals."""
    key = {"device_id": request.device_id, "key": request.idempotency_key}
    found = SERVICE_AND_SLOT.first(
        conn, {"starts_at": starts_at, "service_id": request.service_id, "resident_id": request.resident_id, **key}
    )
    if request.idempotency_key is not None and (found is None or found.prior_id is not None):
        earlier = conn.execute(BY_IDEMPOTENCY_KEY, key).first()  # a retry: rare, and answered first
        if earlier is not None:
            return earlier
    if found is None:
        raise ServiceNotFound(f"no service with id {request.service_id!r}")
    if not found.bookable:
        raise ServiceNotBookable(f"service {request.service_id!r} takes no appointments")
    if starts_at <= now:
        raise SlotPast(f"{request.day} {request.at:%H:%M} has already passed")
    if found.id is None:
        reason = closed_reason(conn, request.service_id, request.day)
        if reason is not None:
            raise SlotClosed(f"{request.service_id!r} is closed on {request.day}", closed=reason)
        raise NoSuchSlot(f"{request.service_id!r} has no slot starting {request.day} {request.at:%H:%M}")
    if found.closed:
        raise SlotClosed(f"the {request.day} {request.at:%H:%M} slot of {request.service_id!r} is closed")

    if found.held_code is not None:
        if request.idempotency_key is not None and (found.held_device_id, found.held_key) == (
            request.device_id,
            request.idempotency_key,
        ):
            # PostgreSQL, read committed: our own earlier try committed after the key lookup above.
            return conn.execute(BY_IDEMPOTENCY_KEY, key).one()
        raise AlreadyBooked("the resident already holds a booking in this slot", code=found.held_code)

    if TAKE_SEAT.execute(conn, {"slot_id": found.id}) != 1:
        raise SlotFull(f"the {request.day} {request.at:%H:%M} slot of {request.service_id!r} is fully booked")

    code = _insert_with_new_code(
        conn,
        {
            "resident_id": request.resident_id,
            "slot_id": found.id,
            "status": "booked",
            "device_id": request.device_id,
            "idempotency_key": request.idempotency_key,
            "request_hash": fingerprint,
            "created_at": now,
            "status_changed_at": now,
        },
    )
    return _Claimed(code, found.ends_at)


def _replay(earlier: Any, fingerprint: str, zone: ZoneInfo) -> BookingResult:
    if earlier.request_hash != fingerprint:
        raise IdempotencyConflict(
            "this Idempotency-Key was already used for a different booking; use a new key per booking"
        )
    return BookingResult(appointment_view(earlier, zone), replayed=True)


def _explain_lost_race(conn: Connection, zone: ZoneInfo, request: BookingRequest) -> BookingResult | None:
    """After a unique-index violation: what the winner's commit means for this request.

    A replay when the winner was this very request's earlier try; `AlreadyBooked` when the
    resident now holds the slot; None otherwise (try again).
    """
    if request.idempotency_key is not None:
        earlier = conn.execute(
            appointment_query().where(
                APPOINTMENT.c.device_id == request.device_id,
                APPOINTMENT.c.idempotency_key == request.idempotency_key,
            )
        ).first()
        if earlier is not None:
            return _replay(earlier, request.fingerprint(), zone)
    starts_at = local_moment(request.day, request.at, zone)
    holding = conn.scalar(
        appointment_query()
        .with_only_columns(APPOINTMENT.c.code)
        .where(
            APPOINTMENT.c.resident_id == request.resident_id,
            SLOT.c.service_id == request.service_id,
            SLOT.c.starts_at == starts_at,
            APPOINTMENT.c.status == "booked",
        )
    )
    if holding is not None:
        raise AlreadyBooked("the resident already holds a booking in this slot", code=holding)
    return None


def _insert_with_new_code(conn: Connection, values: dict[str, Any]) -> str:
    """Insert the appointment under a fresh random code; returns the code.

    The unique index on the code decides (ON CONFLICT DO NOTHING, then another code), so a
    booking costs no separate "is this code free?" query. Other unique violations (the
    resident's active booking, the idempotency key) still raise and roll everything back.
    """
    statement = NEW_APPOINTMENT[conn.dialect.name]
    for digits in range(MIN_DIGITS, MAX_DIGITS + 1):
        for _ in range(CODE_TRIES_PER_LENGTH):
            code = new_appointment_code(digits)
            if statement.first(conn, {**values, "code": code}) is not None:
                return code
    raise RuntimeError("no free appointment code even with six digits; widen reference_codes")


_FREE_SLOT = (
    select(
        SLOT.c.id, SLOT.c.service_id, SLOT.c.day, SLOT.c.starts_at, SLOT.c.ends_at,
        SLOT.c.capacity, SLOT.c.booked, SLOT.c.closed,
    )
    .where(
        SLOT.c.service_id == bindparam("service_id"),
        SLOT.c.closed.is_(False),
        SLOT.c.booked < SLOT.c.capacity,
        SLOT.c.starts_at > bindparam("now"),
        ~exists().where(
            APPOINTMENT.c.slot_id == SLOT.c.id,
            APPOINTMENT.c.resident_id == bindparam("resident_id"),
            APPOINTMENT.c.status == "booked",
        ),
    )
)  # fmt: skip
# Prepared (server/db/prepared.py): a quarter of the load bench's requests are refused a
# full slot, and each one reads both.
FREE_SLOTS_ON_DAY = Prepared(
    _FREE_SLOT.where(  # a start-time range, so SQLite walks (service_id, starts_at)
        SLOT.c.starts_at >= bindparam("day_starts"), SLOT.c.starts_at < bindparam("day_ends")
    )
)
FREE_SLOTS_AFTER_DAY = Prepared(
    _FREE_SLOT.where(SLOT.c.day > bindparam("day"), SLOT.c.day <= bindparam("last_day"))
    .order_by(SLOT.c.day, SLOT.c.starts_at)
    .limit(LATER_CANDIDATES)
)


def nearest_free_slots(
    conn: Connection,
    zone: ZoneInfo,
    service_id: str,
    wanted: datetime,
    resident_id: int | None,
    now: datetime,
    limit: int,
) -> list[SlotOut]:
    """Free future slots near `wanted`: the same day by closeness, then later days by day and
    closeness to the wanted time of day — "九点已满，九点半可以吗？", then "明天九点呢？"."""
    wanted_day = wanted.astimezone(zone).date()
    params = {
        "service_id": service_id,
        "now": now,
        "resident_id": resident_id if resident_id is not None else -1,
        "day": wanted_day,
        "day_starts": local_moment(wanted_day, time(0), zone),
        "day_ends": local_moment(wanted_day + timedelta(days=1), time(0), zone),
        "last_day": max(wanted_day, now.astimezone(zone).date()) + ALTERNATIVES_HORIZON,
    }
    same_day = sorted(  # on a tie the later time: the earlier one is nearer to slipping away
        FREE_SLOTS_ON_DAY.all(conn, params),
        key=lambda r: (abs(r.starts_at - wanted), r.starts_at < wanted),
    )
    offered = same_day[:limit]
    if len(offered) < limit:
        wanted_time = wanted.astimezone(zone)
        wanted_minutes = wanted_time.hour * 60 + wanted_time.minute

        def closeness(row: Any) -> tuple[date, int, datetime]:
            local = row.starts_at.astimezone(zone)
            return row.day, abs(local.hour * 60 + local.minute - wanted_minutes), row.starts_at

        offered += sorted(_first_days(FREE_SLOTS_AFTER_DAY.each(conn, params), limit - len(offered)), key=closeness)[
            : limit - len(offered)
        ]
    return [slot_view(row, zone, now) for row in offered]


def _first_days(rows: Iterator[Any], wanted: int) -> list[Any]:
    """The rows (in day order) of the first days that hold `wanted` of them together.

    The later days' offers are sorted by day first, so the rows of a day after those can
    never be among them: they are not converted (a refused booking read a day or two more
    than it offered, 60 slots, and converting them was half its CPU; issue #11)."""
    taken: list[Any] = []
    for row in rows:
        if len(taken) >= wanted and row.day != taken[-1].day:
            break
        taken.append(row)
    return taken


def cancel(
    db: Database,
    zone: ZoneInfo,
    code: str,
    reason: str,
    *,
    resident_id: int | None,
    by: str = "resident",
    also: Callable[[Connection, str], None] | None = None,
) -> AppointmentOut:
    """Cancel an active appointment and free its seat; cancelling twice answers the same.

    `resident_id` limits the search to that resident's appointments (None: staff). `also`
    runs inside the transaction when this call cancelled it (see `book`).
    """
    now = utc_now()
    with db.write() as conn:
        row = _find(conn, code, resident_id)
        if row.status == "cancelled":
            return appointment_view(row, zone)
        if row.status != "booked":
            raise AppointmentNotCancellable(f"appointment {code} is {row.status}", status=row.status)
        if row.starts_at <= now:
            raise AppointmentNotCancellable(f"appointment {code} has already started", status=row.status)
        # Lock the slot before the appointment, the order a booking takes them (no deadlock).
        conn.execute(select(SLOT.c.id).where(SLOT.c.id == row.slot_id).with_for_update())
        changed = conn.execute(
            update(APPOINTMENT)
            .where(APPOINTMENT.c.id == row.id, APPOINTMENT.c.status == "booked")
            .values(status="cancelled", cancel_reason=reason, cancelled_by=by, status_changed_at=now)
        ).rowcount
        if changed:
            conn.execute(update(SLOT).where(SLOT.c.id == row.slot_id).values(booked=SLOT.c.booked - 1))
        result = appointment_view(_find(conn, code, resident_id), zone)
        if changed and also is not None:
            also(conn, result.code)
        return result


def record_outcome(db: Database, zone: ZoneInfo, code: str, status: str) -> AppointmentOut:
    """Staff mark a booked appointment completed or no_show; the seat stays used."""
    now = utc_now()
    with db.write() as conn:
        row = _find(conn, code, None)
        if row.status == status:
            return appointment_view(row, zone)
        if row.status != "booked":
            raise AppointmentNotCancellable(f"appointment {code} is already {row.status}", status=row.status)
        conn.execute(
            update(APPOINTMENT)
            .where(APPOINTMENT.c.id == row.id, APPOINTMENT.c.status == "booked")
            .values(status=status, status_changed_at=now)
        )
        return appointment_view(_find(conn, code, None), zone)


def _find(conn: Connection, code: str, resident_id: int | None) -> Any:
    query = appointment_query().where(APPOINTMENT.c.code == code.upper())
    if resident_id is not None:
        query = query.where(APPOINTMENT.c.resident_id == resident_id)
    row = conn.execute(query).first()
    if row is None:
        # Same answer whether the code does not exist or belongs to someone else.
        raise AppointmentNotFound(f"no appointment {code} for this resident")
    return row
