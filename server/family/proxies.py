"""Acting as a family proxy: who is signed in, what they may do, and what the elder is told.

Object-level authorisation lives here, not in the pages: every query a proxy causes is
filtered by the one resident the proxy belongs to, so another elder's appointment code
answers exactly like a code that does not exist. Whether the proxy may still act is
checked when the session is read *and again inside the booking's or cancellation's own
transaction* (the proxy row locked on PostgreSQL, writes serialised on SQLite), so a
revocation that lands while a family member presses "book" either comes first and
refuses it, or comes after the booking — never half of each.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, insert, select, update

from protocol.bodies import AppointmentOut, Scope
from server.api.views import appointment_view, hhmm
from server.booking.bookings import APPOINTMENT, SLOT, BookingRequest, appointment_query, book, cancel
from server.booking.centre_time import utc_now
from server.db.database import Database
from server.db.models import Appointment, Proxy, ProxyAction, ProxySession, Resident
from server.errors import (
    AppointmentNotFound,
    ProxyExpired,
    ProxyNotFound,
    ProxyNotSignedIn,
    ProxyRevoked,
    ProxyScopeMissing,
)
from server.family.consents import scopes_of
from server.privacy.audit_log import record
from server.privacy.field_crypto import Keyring
from server.privacy.personal_data import phone_tail, proxy_name, proxy_phone, resident_name
from server.privacy.tokens import token_hash
from server.settings import ServerSettings

PROXY = Proxy.__table__
PROXY_SESSION = ProxySession.__table__
ACTION = ProxyAction.__table__
RESIDENT = Resident.__table__

CANCEL_REASON = "cancelled by a family member on the family page"


@dataclass(frozen=True)
class ActingProxy:
    """The family member behind a live family-page session."""

    proxy_id: int
    resident_id: int
    """The only resident this proxy can reach."""
    session_id: int
    scopes: tuple[Scope, ...]
    valid_until: datetime | None
    name: str
    resident_name: str
    """For the page's heading: whom they are acting for."""

    @property
    def actor(self) -> str:
        return f"proxy:{self.proxy_id}"

    @property
    def elder(self) -> str:
        return f"resident:{self.resident_id}"

    def may(self, scope: str) -> bool:
        return scope in self.scopes


@dataclass(frozen=True)
class ProxyView:
    """A proxy as the elder or staff see it (name in clear, phone only by its last digits)."""

    id: int
    resident_id: int
    name: str
    phone_tail: str
    scopes: tuple[Scope, ...]
    valid_until: datetime | None
    created_at: datetime
    revoked_at: datetime | None


@dataclass(frozen=True)
class ProxyNews:
    """Something a proxy did that the elder has not heard yet."""

    id: int
    action: Literal["booked", "cancelled"]
    proxy_name: str
    phone_tail: str
    code: str
    service_id: str
    date: date
    time: str
    at: datetime


# ---------------------------------------------------------------------------------- sessions


def proxy_for_session(db: Database, keys: Keyring, token: str | None) -> ActingProxy:
    """The proxy behind a family-page cookie, if the session and the permission are both live."""
    if not token:
        raise ProxyNotSignedIn("enter the code the elder was given to act for them")
    now = utc_now()
    with db.read() as conn:
        row = conn.execute(
            select(
                PROXY_SESSION.c.id.label("session_id"), PROXY_SESSION.c.expires_at, PROXY_SESSION.c.ended_at,
                PROXY.c.id, PROXY.c.resident_id, PROXY.c.name, PROXY.c.scopes, PROXY.c.valid_until,
                PROXY.c.revoked_at, RESIDENT.c.name.label("resident_name"),
            )
            .join_from(PROXY_SESSION, PROXY, PROXY.c.id == PROXY_SESSION.c.proxy_id)
            .join(RESIDENT, RESIDENT.c.id == PROXY.c.resident_id)
            .where(PROXY_SESSION.c.token_hash == token_hash(token))
        ).first()  # fmt: skip
    if row is None:
        raise ProxyNotSignedIn("this family-page session is unknown; enter a new code from the elder")
    _check_live(row, now)
    if row.ended_at is not None or row.expires_at <= now:
        raise ProxyNotSignedIn("this family-page session has ended; enter a new code from the elder")
    return ActingProxy(
        proxy_id=row.id,
        resident_id=row.resident_id,
        session_id=row.session_id,
        scopes=scopes_of(row.scopes),
        valid_until=row.valid_until,
        name=proxy_name(keys, row.id, row.name),
        resident_name=resident_name(keys, row.resident_id, row.resident_name),
    )


def end_proxy_session(db: Database, proxy: ActingProxy) -> None:
    with db.write() as conn:
        conn.execute(update(PROXY_SESSION).where(PROXY_SESSION.c.id == proxy.session_id).values(ended_at=utc_now()))


def _check_live(row: Any, now: datetime) -> None:
    if row.revoked_at is not None:
        raise ProxyRevoked("the elder or staff have withdrawn this permission", revoked_at=row.revoked_at.isoformat())
    if row.valid_until is not None and row.valid_until <= now:
        raise ProxyExpired("this permission has reached its end date", valid_until=row.valid_until.isoformat())


def _still_allowed(conn: Connection, proxy: ActingProxy, scope: str, now: datetime) -> None:
    """Inside the acting transaction: the permission is still there (see the module docstring)."""
    row = conn.execute(
        select(PROXY.c.revoked_at, PROXY.c.valid_until, PROXY.c.scopes)
        .where(PROXY.c.id == proxy.proxy_id)
        .with_for_update()
    ).one()
    _check_live(row, now)
    if scope not in scopes_of(row.scopes):
        raise ProxyScopeMissing(f"the elder has not allowed '{scope}' to this family member")


def require_scope(proxy: ActingProxy, scope: str) -> None:
    if not proxy.may(scope):
        raise ProxyScopeMissing(f"the elder has not allowed '{scope}' to this family member")


# ---------------------------------------------------------------------------------- acting


def proxy_appointments(db: Database, zone: ZoneInfo, proxy: ActingProxy) -> list[AppointmentOut]:
    """The elder's upcoming appointments; reading them is recorded in the audit log."""
    require_scope(proxy, "view")
    with db.write() as conn:
        rows = conn.execute(
            appointment_query()
            .where(APPOINTMENT.c.resident_id == proxy.resident_id, APPOINTMENT.c.status == "booked",
                   SLOT.c.starts_at > utc_now())
            .order_by(SLOT.c.starts_at, APPOINTMENT.c.id)
        ).all()  # fmt: skip
        record(conn, actor=proxy.actor, action="appointment.list", subject=proxy.elder, on_behalf_of=proxy.elder)
    return [appointment_view(row, zone) for row in rows]


def proxy_book(
    db: Database, settings: ServerSettings, proxy: ActingProxy, service_id: str, day: date, at: Any
) -> AppointmentOut:
    """Book for the elder; the elder hears of it at the next kiosk session."""
    require_scope(proxy, "book")
    now = utc_now()

    def also(conn: Connection, code: str) -> None:
        _still_allowed(conn, proxy, "book", now)
        _note(conn, proxy, code, "booked", now)

    request = BookingRequest(
        resident_id=proxy.resident_id, service_id=service_id, day=day, at=at, device_id=None, idempotency_key=None
    )
    return book(db, settings.timezone, request, alternatives=settings.alternatives, also=also).appointment


def proxy_cancel(db: Database, settings: ServerSettings, proxy: ActingProxy, code: str) -> AppointmentOut:
    require_scope(proxy, "cancel")
    now = utc_now()

    def also(conn: Connection, code: str) -> None:
        _still_allowed(conn, proxy, "cancel", now)
        _note(conn, proxy, code, "cancelled", now)

    return cancel(db, settings.timezone, code, CANCEL_REASON, resident_id=proxy.resident_id, by="proxy", also=also)


def _note(conn: Connection, proxy: ActingProxy, code: str, action: str, now: datetime) -> None:
    """'By X on behalf of Y': kept for the elder's next kiosk session and in the audit log."""
    appointment_id = conn.scalar(select(APPOINTMENT.c.id).where(APPOINTMENT.c.code == code))
    if appointment_id is None:
        raise AppointmentNotFound(f"no appointment {code} for this resident")
    conn.execute(
        insert(ACTION).values(
            proxy_id=proxy.proxy_id, resident_id=proxy.resident_id, appointment_id=appointment_id, action=action, at=now
        )
    )
    record(
        conn,
        actor=proxy.actor,
        action=f"appointment.{'book' if action == 'booked' else 'cancel'}",
        subject=f"appointment:{code}",
        on_behalf_of=proxy.elder,
    )


# ---------------------------------------------------------------------------------- the elder's side


def proxies_of(
    conn: Connection, keys: Keyring, resident_id: int | None, *, active_only: bool = True
) -> list[ProxyView]:
    """The resident's proxies (None: every resident's, for staff), newest first."""
    query = select(PROXY).order_by(PROXY.c.created_at.desc(), PROXY.c.id.desc())
    if resident_id is not None:
        query = query.where(PROXY.c.resident_id == resident_id)
    now = utc_now()
    views = []
    for row in conn.execute(query):
        if active_only and (row.revoked_at is not None or (row.valid_until is not None and row.valid_until <= now)):
            continue
        views.append(
            ProxyView(
                id=row.id,
                resident_id=row.resident_id,
                name=proxy_name(keys, row.id, row.name),
                phone_tail=phone_tail(proxy_phone(keys, row.id, row.phone)),
                scopes=scopes_of(row.scopes),
                valid_until=row.valid_until,
                created_at=row.created_at,
                revoked_at=row.revoked_at,
            )
        )
    return views


def revoke_proxy(
    conn: Connection, keys: Keyring, *, proxy_id: int, resident_id: int | None, actor: str, reason: str
) -> ProxyView:
    """Take a permission back at once: the proxy's sessions end and its next request fails.

    `resident_id`: the elder revoking (only their own proxies); None for staff. Revoking
    twice answers the same.
    """
    query = select(PROXY.c.id, PROXY.c.resident_id, PROXY.c.revoked_at).where(PROXY.c.id == proxy_id)
    if resident_id is not None:
        query = query.where(PROXY.c.resident_id == resident_id)
    row = conn.execute(query.with_for_update()).first()
    if row is None:  # someone else's proxy answers exactly like one that does not exist
        raise ProxyNotFound(f"no family member #{proxy_id} for this resident")
    if row.revoked_at is None:
        now = utc_now()
        conn.execute(
            update(PROXY)
            .where(PROXY.c.id == proxy_id)
            .values(revoked_at=now, revoked_by=actor, revoke_reason=reason[:200])
        )
        conn.execute(
            update(PROXY_SESSION)
            .where(PROXY_SESSION.c.proxy_id == proxy_id, PROXY_SESSION.c.ended_at.is_(None))
            .values(ended_at=now)
        )
        record(
            conn,
            actor=actor,
            action="proxy.revoke",
            subject=f"proxy:{proxy_id}",
            on_behalf_of=f"resident:{row.resident_id}",
            detail={"reason": reason[:200]},
        )
    view = next(v for v in proxies_of(conn, keys, row.resident_id, active_only=False) if v.id == proxy_id)
    return view


def untold_news(conn: Connection, keys: Keyring, zone: ZoneInfo, resident_id: int) -> list[ProxyNews]:
    """What proxies did for the resident since they last heard, oldest first."""
    appointment = Appointment.__table__
    rows = conn.execute(
        select(
            ACTION.c.id, ACTION.c.action, ACTION.c.at, ACTION.c.proxy_id, PROXY.c.name, PROXY.c.phone,
            appointment.c.code, SLOT.c.service_id, SLOT.c.day, SLOT.c.starts_at,
        )
        .join_from(ACTION, PROXY, PROXY.c.id == ACTION.c.proxy_id)
        .join(appointment, appointment.c.id == ACTION.c.appointment_id)
        .join(SLOT, SLOT.c.id == appointment.c.slot_id)
        .where(ACTION.c.resident_id == resident_id, ACTION.c.told_at.is_(None))
        .order_by(ACTION.c.at, ACTION.c.id)
    ).all()  # fmt: skip
    return [
        ProxyNews(
            id=row.id,
            action=row.action,
            proxy_name=proxy_name(keys, row.proxy_id, row.name),
            phone_tail=phone_tail(proxy_phone(keys, row.proxy_id, row.phone)),
            code=row.code,
            service_id=row.service_id,
            date=row.day,
            time=hhmm(row.starts_at, zone),
            at=row.at,
        )
        for row in rows
    ]


def mark_told(conn: Connection, *, resident_id: int, ids: list[int], actor: str) -> int:
    """The kiosk has told the elder: these are not said again."""
    told = conn.execute(
        update(ACTION)
        .where(ACTION.c.resident_id == resident_id, ACTION.c.id.in_(ids), ACTION.c.told_at.is_(None))
        .values(told_at=utc_now())
    ).rowcount
    if told:
        record(
            conn,
            actor=actor,
            action="proxy_news.told",
            subject=f"resident:{resident_id}",
            on_behalf_of=f"resident:{resident_id}",
            detail={"count": told},
        )
    return told
