"""The centre's tables: devices, services and their slots, residents, appointments,
progress records, hotlines, notices, alerts.

Rules the whole server relies on are written here as constraints, so the database
enforces them whatever code path writes: a slot's `booked` never exceeds its
`capacity`, a resident holds at most one active booking per slot, an idempotency key
is used once per kiosk, a cancellation always keeps its reason. All timestamps are
stored in UTC; the API converts to the centre's time zone.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from server.db.models.base import Base, one_of

APPOINTMENT_STATUSES = ("booked", "cancelled", "completed", "no_show")
PROGRESS_STATUSES = ("received", "in_progress", "needs_documents", "ready", "completed", "rejected")
ALERT_KINDS = ("emergency", "handoff")
ALERT_STATUSES = ("open", "acknowledged")
DEVICE_ROLES = ("kiosk", "staff")


class Device(Base):
    """A kiosk (or a staff desk) allowed to talk to the server."""

    __tablename__ = "device"
    __table_args__ = (CheckConstraint(one_of("role", DEVICE_ROLES), name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(10), default="kiosk")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    """SHA-256 of the bearer token; the token itself is shown once and never stored."""
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class Service(Base):
    """A service of the centre, copied from the catalogue (names, where, when, what to bring)."""

    __tablename__ = "service"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    """The catalogue id; past appointments refer to it, so it never changes."""
    position: Mapped[int] = mapped_column(default=0)
    """Order in the catalogue, so lists read out the way staff wrote them."""
    names: Mapped[dict[str, Any]]
    """{lang: [official name, synonyms…]}."""
    location: Mapped[dict[str, Any]]
    hours: Mapped[dict[str, Any]]
    """{"weekdays": [0…6], "periods": [["08:30", "12:00"], …]} — opening hours."""
    documents: Mapped[dict[str, Any]]
    description: Mapped[dict[str, Any]]
    bookable: Mapped[bool] = mapped_column(Boolean, default=False)


class BookableService(Base):
    """How a bookable service hands out appointments."""

    __tablename__ = "bookable_service"
    __table_args__ = (
        CheckConstraint("slot_minutes > 0", name="slot_minutes_positive"),
        CheckConstraint("capacity > 0", name="capacity_positive"),
    )

    service_id: Mapped[str] = mapped_column(ForeignKey("service.id"), primary_key=True)
    hours: Mapped[dict[str, Any]]
    """Bookable hours, same shape as `Service.hours` (may be narrower than opening hours)."""
    slot_minutes: Mapped[int]
    capacity: Mapped[int]
    """Residents per slot for newly generated slots."""


class ClosedDay(Base):
    """A day with no appointments: a holiday for the whole centre or one service."""

    __tablename__ = "closed_day"
    __table_args__ = (UniqueConstraint("day", "service_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    service_id: Mapped[str | None] = mapped_column(ForeignKey("service.id"))
    """None: the whole centre is closed."""
    reason: Mapped[dict[str, Any]]
    """{lang: text}, e.g. {"zh": "国庆节休息", "en": "National Day holiday"}."""


class TimeSlot(Base):
    """One bookable time of one service; `booked` counts active appointments in it."""

    __tablename__ = "time_slot"
    __table_args__ = (
        UniqueConstraint("service_id", "starts_at"),
        CheckConstraint("capacity >= 0", name="capacity_not_negative"),
        CheckConstraint("booked >= 0", name="booked_not_negative"),
        CheckConstraint("booked <= capacity", name="booked_within_capacity"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        Index(None, "service_id", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[str] = mapped_column(ForeignKey("bookable_service.service_id"))
    day: Mapped[date] = mapped_column(Date)
    """The local (centre time zone) date, for listing a day's slots."""
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    capacity: Mapped[int]
    booked: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    closed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    """Closed by staff (e.g. the counter is unstaffed); existing bookings stay."""


class Resident(Base):
    """A resident known to the centre; minimal data by design, name and phone encrypted.

    Write residents with `server.privacy.personal_data.enrol_resident` and read the two encrypted
    fields with `server.privacy.personal_data.resident_name` / `resident_phone`: the ciphertext is
    bound to this table, column and row (server/privacy/field_crypto.py).
    """

    __tablename__ = "resident"
    __table_args__ = (CheckConstraint("birth_year BETWEEN 1900 AND 2100", name="birth_year_plausible"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(600))
    """Encrypted: how staff registered the resident, used for the kiosk's greeting."""
    phone: Mapped[str] = mapped_column(String(200))
    """Encrypted normalised digits; never queried (see `phone_hash`)."""
    phone_hash: Mapped[str] = mapped_column(String(64), index=True)
    """HMAC-SHA256 of the normalised phone under the server's phone key: the lookup column."""
    birth_year: Mapped[int]
    created_at: Mapped[datetime]


class ResidentSession(Base):
    """A resident identified at one kiosk, for a few minutes."""

    __tablename__ = "resident_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("device.id"))
    """The only kiosk that may use this session."""
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id"))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]


class IdentificationAttempt(Base):
    """One try to identify at a kiosk; failures within a window are rate-limited."""

    __tablename__ = "identification_attempt"
    __table_args__ = (Index(None, "device_id", "at"), Index(None, "phone_hash", "at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("device.id"))
    phone_hash: Mapped[str | None] = mapped_column(String(64))
    """Keyed hash of the phone number tried (None when it was not a phone number): failures
    per phone are limited across all kiosks, so moving to another kiosk does not help a guesser."""
    at: Mapped[datetime]
    succeeded: Mapped[bool] = mapped_column(Boolean)


class Appointment(Base):
    """A resident's booking of one slot; never deleted, only moved along its lifecycle."""

    __tablename__ = "appointment"
    __table_args__ = (
        CheckConstraint(one_of("status", APPOINTMENT_STATUSES), name="status"),
        CheckConstraint("status <> 'cancelled' OR cancel_reason IS NOT NULL", name="cancel_has_reason"),
        UniqueConstraint("device_id", "idempotency_key"),
        Index(
            "uq_appointment_active_resident_slot",
            "resident_id",
            "slot_id",
            unique=True,
            sqlite_where=text("status = 'booked'"),
            postgresql_where=text("status = 'booked'"),
        ),
        Index(None, "slot_id"),
        Index(None, "resident_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(8), unique=True)
    """Spoken-friendly reference, e.g. "K4827"."""
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("resident.id"))
    """None once the retention job anonymised an old appointment (it still counts)."""
    slot_id: Mapped[int] = mapped_column(ForeignKey("time_slot.id"))
    status: Mapped[str] = mapped_column(String(10), default="booked")
    device_id: Mapped[int | None] = mapped_column(ForeignKey("device.id"))
    """The kiosk that booked it (None: booked by staff)."""
    idempotency_key: Mapped[str | None] = mapped_column(String(100))
    request_hash: Mapped[str | None] = mapped_column(String(64))
    """What the keyed request asked for, to tell a retry from a reused key."""
    created_at: Mapped[datetime]
    status_changed_at: Mapped[datetime]
    cancel_reason: Mapped[str | None] = mapped_column(String(500))
    cancelled_by: Mapped[str | None] = mapped_column(String(10))
    """"resident", "staff" or "proxy" (a family member; `proxy_action` says who)."""


class ProgressRecord(Base):
    """An application the centre is handling, looked up by its reference code."""

    __tablename__ = "progress_record"
    __table_args__ = (CheckConstraint(one_of("status", PROGRESS_STATUSES), name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(8), unique=True)
    """Printed on the resident's receipt, e.g. "A1023"."""
    service_id: Mapped[str] = mapped_column(ForeignKey("service.id"))
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("resident.id"))
    status: Mapped[str] = mapped_column(String(20))
    """The latest status; `ProgressEvent` keeps the history."""
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class ProgressEvent(Base):
    """One step in a progress record's history."""

    __tablename__ = "progress_event"
    __table_args__ = (
        CheckConstraint(one_of("status", PROGRESS_STATUSES), name="status"),
        Index(None, "record_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("progress_record.id"))
    status: Mapped[str] = mapped_column(String(20))
    note: Mapped[dict[str, Any]]
    """{lang: text} a resident may hear, e.g. what is still missing."""
    at: Mapped[datetime]


class Hotline(Base):
    """A phone number the kiosk reads out, copied from the catalogue."""

    __tablename__ = "hotline"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    position: Mapped[int] = mapped_column(default=0)
    names: Mapped[dict[str, Any]]
    number: Mapped[str] = mapped_column(String(40))
    description: Mapped[dict[str, Any]]


class Notice(Base):
    """A notice residents hear when they ask for today's news (weather, water cuts…)."""

    __tablename__ = "notice"
    __table_args__ = (
        CheckConstraint("valid_to > valid_from", name="valid_to_after_from"),
        Index(None, "valid_from", "valid_to"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    """Free label for staff and the kiosk's choice of wording: "weather", "water", "event"…"""
    title: Mapped[dict[str, Any]]
    """{lang: text}; a notice may exist in one language only."""
    body: Mapped[dict[str, Any]]
    valid_from: Mapped[datetime]
    valid_to: Mapped[datetime]
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    """Pinned notices are read first."""
    created_at: Mapped[datetime]


class Alert(Base):
    """A call for staff: an emergency or a resident asking for a person."""

    __tablename__ = "alert"
    __table_args__ = (
        CheckConstraint(one_of("kind", ALERT_KINDS), name="kind"),
        CheckConstraint(one_of("status", ALERT_STATUSES), name="status"),
        Index(None, "status", "created_at"),
        Index(None, "device_id", "idempotency_key", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))
    device_id: Mapped[int] = mapped_column(ForeignKey("device.id"))
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("resident.id"))
    note: Mapped[str | None] = mapped_column(String(500))
    """What the resident said, as recognised, so staff know what to bring."""
    lang: Mapped[str | None] = mapped_column(String(5))
    status: Mapped[str] = mapped_column(String(12), default="open")
    created_at: Mapped[datetime]
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by: Mapped[int | None] = mapped_column(ForeignKey("device.id"))
    idempotency_key: Mapped[str | None] = mapped_column(String(100))
    """The kiosk's key for this alert: its outbox resends until acknowledged, and a resend
    with the same key answers the alert already stored, so staff are never called twice."""
