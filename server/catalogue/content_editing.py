"""Staff edits to the centre's day-to-day content; each takes effect at once and is audited.

Services' details and booking rules, closed days, notices, hotline numbers, and the
progress of applications live in the database (the catalogue keeps only what the kiosk
understands; see versions.py). A changed capacity applies to every slot that
has not started yet — never below the seats already booked in it; a changed slot length
or bookable hours replaces the future slots nobody has booked, and keeps booked ones.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, and_, delete, func, insert, or_, select, update

from intents import parse_period
from intents.catalogue import Period
from server.booking.centre_time import local_today, utc_now
from server.booking.slot_calendar import close_day, generate_slots, periods_json
from server.db.models import (
    PROGRESS_STATUSES,
    Appointment,
    BookableService,
    ClosedDay,
    Hotline,
    Notice,
    ProgressEvent,
    ProgressRecord,
    Service,
    TimeSlot,
)
from server.privacy import audit_log

SERVICE = Service.__table__
BOOKABLE = BookableService.__table__
SLOT = TimeSlot.__table__
CLOSED = ClosedDay.__table__
NOTICE = Notice.__table__
HOTLINE = Hotline.__table__
RECORD = ProgressRecord.__table__
EVENT = ProgressEvent.__table__
APPOINTMENT = Appointment.__table__

SLOT_HORIZON_DAYS = 30
"""Slots are kept generated this far ahead when booking rules change."""


class ContentError(ValueError):
    """An edit staff must correct; the message names the field and the problem."""


# ---------------------------------------------------------------------- parsing form input


def parse_periods(text: str, field: str) -> list[list[str]]:
    """ "08:30-12:00, 13:30-17:00" (commas or new lines) → [["08:30", "12:00"], …].

    Each period is read by the catalogue's own parser (`intents.parse_period`), so a
    period means the same on the content pages as in the catalogue file ("24:00" too).
    """
    periods: list[Period] = []
    for part in re.split(r"[,，;\n]+", text):
        if not part.strip():
            continue
        period = parse_period(part)
        if period is None:
            raise ContentError(
                f"{field}: '{part.strip()}' is not a time range like 08:30-12:00 that starts before it ends"
            )
        if periods and period.start < periods[-1].end:
            raise ContentError(f"{field}: '{part.strip()}' overlaps or comes before the period before it")
        periods.append(period)
    if not periods:
        raise ContentError(f"{field}: give at least one period, like 08:30-12:00")
    return periods_json((p.start, p.end) for p in periods)


def parse_weekdays(values: list[str], field: str) -> list[int]:
    days = sorted({int(v) for v in values if str(v).isdigit() and 0 <= int(v) <= 6})
    if not days:
        raise ContentError(f"{field}: tick at least one day")
    return days


def parse_int(value: Any, field: str, low: int, high: int) -> int:
    try:
        number = int(str(value).strip())
    except ValueError:
        raise ContentError(f"{field}: '{value}' is not a whole number") from None
    if not low <= number <= high:
        raise ContentError(f"{field}: {number} should be from {low} to {high}")
    return number


def lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


# ---------------------------------------------------------------------- services


@dataclass(frozen=True)
class ServiceDetails:
    """What staff edit on a service's page."""

    location: dict[str, str]
    hours: dict[str, Any]
    documents: dict[str, list[str]]
    description: dict[str, str]


def update_service(conn: Connection, service_id: str, details: ServiceDetails, *, actor: str) -> None:
    found = conn.execute(update(SERVICE).where(SERVICE.c.id == service_id).values(
        location=details.location, hours=details.hours, documents=details.documents,
        description=details.description)).rowcount  # fmt: skip
    if not found:
        raise ContentError(f"there is no service {service_id!r}")
    audit_log.record(conn, actor=actor, action="service.update", subject=f"service:{service_id}",
                     detail={"hours": details.hours})  # fmt: skip


@dataclass(frozen=True)
class BookingRules:
    hours: dict[str, Any]
    slot_minutes: int
    capacity: int


@dataclass(frozen=True)
class RulesOutcome:
    """What changing the rules did to the slots, for the page to say."""

    capacity_changed: int
    kept_above_capacity: int
    """Slots already holding more bookings than the new capacity: kept at their bookings."""
    slots_removed: int
    slots_added: int
    booked_slots_kept: int
    """Booked slots that no longer fit the new pattern: kept so nobody loses an appointment."""


def update_booking_rules(conn: Connection, service_id: str, rules: BookingRules, zone: ZoneInfo, *,
                         actor: str) -> RulesOutcome:  # fmt: skip
    old = conn.execute(select(BOOKABLE).where(BOOKABLE.c.service_id == service_id)).first()
    if old is None:
        raise ContentError(f"service {service_id!r} takes no appointments")
    conn.execute(update(BOOKABLE).where(BOOKABLE.c.service_id == service_id).values(
        hours=rules.hours, slot_minutes=rules.slot_minutes, capacity=rules.capacity))  # fmt: skip
    now = utc_now()
    today = local_today(zone)
    future = and_(SLOT.c.service_id == service_id, SLOT.c.starts_at > now)
    removed = added = kept_booked = 0
    if old.slot_minutes != rules.slot_minutes or old.hours != rules.hours:
        removed = conn.execute(delete(SLOT).where(future, SLOT.c.booked == 0)).rowcount
        kept_booked = conn.scalar(select(func.count()).select_from(SLOT).where(future)) or 0
        added = generate_slots(conn, service_id, today, today + timedelta(days=SLOT_HORIZON_DAYS - 1), zone)
    changed = conn.execute(
        update(SLOT).where(future, SLOT.c.booked <= rules.capacity, SLOT.c.capacity != rules.capacity)
        .values(capacity=rules.capacity)
    ).rowcount  # fmt: skip
    above = conn.execute(
        update(SLOT).where(future, SLOT.c.booked > rules.capacity).values(capacity=SLOT.c.booked)
    ).rowcount  # fmt: skip
    outcome = RulesOutcome(changed, above, removed, added, kept_booked)
    audit_log.record(conn, actor=actor, action="service.booking_rules", subject=f"service:{service_id}",
                     detail={"slot_minutes": rules.slot_minutes, "capacity": rules.capacity, "hours": rules.hours,
                             "slots_added": added, "slots_removed": removed})  # fmt: skip
    return outcome


# ---------------------------------------------------------------------- closed days


def add_closed_day(conn: Connection, day: date, reason: dict[str, str], service_id: str | None, *,
                   actor: str) -> int:  # fmt: skip
    """Close a day (the whole centre, or one service); returns how many booked appointments need a call."""
    if not any(reason.values()):
        raise ContentError("reason: say why the day is closed (residents hear it)")
    same_scope = CLOSED.c.service_id.is_(None) if service_id is None else CLOSED.c.service_id == service_id
    exists = conn.scalar(select(CLOSED.c.id).where(CLOSED.c.day == day, same_scope))
    if exists:
        raise ContentError(f"{day.isoformat()} is already closed")
    close_day(conn, day, reason, service_id)
    condition = and_(SLOT.c.day == day, APPOINTMENT.c.status == "booked")
    if service_id:
        condition = and_(condition, SLOT.c.service_id == service_id)
    affected = conn.scalar(select(func.count()).select_from(APPOINTMENT.join(SLOT, SLOT.c.id == APPOINTMENT.c.slot_id))
                           .where(condition)) or 0  # fmt: skip
    audit_log.record(conn, actor=actor, action="closed_day.add", subject=f"closed_day:{day.isoformat()}",
                     detail={"service": service_id, "booked_appointments": affected})  # fmt: skip
    return affected


def reopen_day(conn: Connection, closed_id: int, *, actor: str) -> None:
    row = conn.execute(select(CLOSED).where(CLOSED.c.id == closed_id)).first()
    if row is None:
        raise ContentError(f"there is no closed day #{closed_id}")
    conn.execute(delete(CLOSED).where(CLOSED.c.id == closed_id))
    still_closed = (
        select(CLOSED.c.id)
        .where(CLOSED.c.day == row.day, or_(CLOSED.c.service_id.is_(None), CLOSED.c.service_id == SLOT.c.service_id))
        .exists()
    )
    condition = and_(SLOT.c.day == row.day, ~still_closed)
    if row.service_id:
        condition = and_(condition, SLOT.c.service_id == row.service_id)
    conn.execute(update(SLOT).where(condition).values(closed=False))
    audit_log.record(conn, actor=actor, action="closed_day.reopen", subject=f"closed_day:{row.day.isoformat()}",
                     detail={"service": row.service_id})  # fmt: skip


def closed_days(conn: Connection, since: date) -> list[Any]:
    return list(conn.execute(select(CLOSED).where(CLOSED.c.day >= since).order_by(CLOSED.c.day)))


# ---------------------------------------------------------------------- notices


@dataclass(frozen=True)
class NoticeInput:
    kind: str
    title: dict[str, str]
    body: dict[str, str]
    valid_from: datetime
    valid_to: datetime
    pinned: bool


def check_notice(notice: NoticeInput) -> None:
    if not any(notice.title.values()):
        raise ContentError("title: write it in at least one language")
    for lang, title in notice.title.items():
        if title and not notice.body.get(lang):
            raise ContentError(f"text ({lang}): the notice has a {lang} title but no {lang} text")
    if notice.valid_to <= notice.valid_from:
        raise ContentError("valid until: must be after valid from")
    if not re.fullmatch(r"[a-z_]{1,20}", notice.kind):
        raise ContentError("kind: a short word of lower-case letters, like weather or water")


def add_notice(conn: Connection, notice: NoticeInput, *, actor: str) -> int:
    check_notice(notice)
    notice_id: int = conn.execute(
        insert(NOTICE)
        .values(
            kind=notice.kind,
            title=_texts(notice.title),
            body=_texts(notice.body),
            valid_from=notice.valid_from,
            valid_to=notice.valid_to,
            pinned=notice.pinned,
            created_at=utc_now(),
        )
        .returning(NOTICE.c.id)
    ).scalar_one()
    audit_log.record(conn, actor=actor, action="notice.add", subject=f"notice:{notice_id}",
                     detail={"kind": notice.kind})  # fmt: skip
    return notice_id


def update_notice(conn: Connection, notice_id: int, notice: NoticeInput, *, actor: str) -> None:
    check_notice(notice)
    found = conn.execute(update(NOTICE).where(NOTICE.c.id == notice_id).values(
        kind=notice.kind, title=_texts(notice.title), body=_texts(notice.body), valid_from=notice.valid_from,
        valid_to=notice.valid_to, pinned=notice.pinned)).rowcount  # fmt: skip
    if not found:
        raise ContentError(f"there is no notice #{notice_id}")
    audit_log.record(conn, actor=actor, action="notice.update", subject=f"notice:{notice_id}")


def withdraw_notice(conn: Connection, notice_id: int, *, actor: str) -> None:
    """End a notice now (kept for the record); one not yet in force ends just after it would start."""
    row = conn.execute(select(NOTICE).where(NOTICE.c.id == notice_id)).first()
    if row is None:
        raise ContentError(f"there is no notice #{notice_id}")
    end = max(utc_now(), row.valid_from + timedelta(seconds=1))
    conn.execute(update(NOTICE).where(NOTICE.c.id == notice_id).values(valid_to=end))
    audit_log.record(conn, actor=actor, action="notice.withdraw", subject=f"notice:{notice_id}")


def _texts(values: dict[str, str]) -> dict[str, str]:
    return {lang: text.strip() for lang, text in values.items() if text and text.strip()}


# ---------------------------------------------------------------------- hotlines


def update_hotline(conn: Connection, hotline_id: str, number: str, description: dict[str, str], *,
                   actor: str) -> None:  # fmt: skip
    number = number.strip()
    if not re.fullmatch(r"[0-9][0-9 \-]{1,19}", number):
        raise ContentError(f"number: '{number}' should be digits (spaces and dashes allowed)")
    found = conn.execute(update(HOTLINE).where(HOTLINE.c.id == hotline_id).values(
        number=number, description=_texts(description))).rowcount  # fmt: skip
    if not found:
        raise ContentError(f"there is no hotline {hotline_id!r}")
    audit_log.record(conn, actor=actor, action="hotline.update", subject=f"hotline:{hotline_id}",
                     detail={"number": number})  # fmt: skip


# ---------------------------------------------------------------------- progress of applications

NEXT_STATUSES: dict[str, tuple[str, ...]] = {
    "received": ("in_progress", "needs_documents", "rejected"),
    "in_progress": ("needs_documents", "ready", "rejected"),
    "needs_documents": ("in_progress", "rejected"),
    "ready": ("completed",),
    "completed": (),
    "rejected": (),
}
"""Where a case can go from each status; the console offers these as buttons."""
assert set(NEXT_STATUSES) == set(PROGRESS_STATUSES)


def advance_progress(conn: Connection, code: str, status: str, note: dict[str, str], *, actor: str) -> None:
    """Move a case to its next status with the note the kiosk will read to the resident."""
    row = conn.execute(select(RECORD).where(RECORD.c.code == code.upper())).first()
    if row is None:
        raise ContentError(f"there is no application {code}")
    if status not in NEXT_STATUSES[row.status]:
        raise ContentError(f"application {row.code} is {row.status}; it cannot become {status}")
    note = _texts(note)
    if not note:
        raise ContentError("note: write what the resident should hear, in at least one language")
    now = utc_now()
    conn.execute(update(RECORD).where(RECORD.c.id == row.id).values(status=status, updated_at=now))
    conn.execute(insert(EVENT).values(record_id=row.id, status=status, note=note, at=now))
    audit_log.record(conn, actor=actor, action="progress.advance", subject=f"progress:{row.code}",
                     detail={"from": row.status, "to": status})  # fmt: skip


def progress_records(conn: Connection, limit: int = 100) -> list[Any]:
    return list(conn.execute(select(RECORD).order_by(RECORD.c.updated_at.desc()).limit(limit)))


def progress_history(conn: Connection, record_id: int) -> list[Any]:
    return list(conn.execute(select(EVENT).where(EVENT.c.record_id == record_id).order_by(EVENT.c.at)))


def local_datetime(day_text: str, time_text: str, zone: ZoneInfo, field: str) -> datetime:
    try:
        day = date.fromisoformat(day_text.strip())
        at = time.fromisoformat(time_text.strip() or "00:00")
    except ValueError:
        raise ContentError(f"{field}: give a date like 2026-11-27 and a time like 08:00") from None
    return datetime.combine(day, at, tzinfo=zone)
