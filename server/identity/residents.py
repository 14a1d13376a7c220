"""Who is at the kiosk: phone number + birth year → a short-lived session bound to that kiosk.

A name is never enough (anyone can say "王秀英"); a phone number alone is often known to
neighbours; phone + birth year is what an older resident can say without a card. The
session token is useless on another kiosk, expires after a few minutes, and failed
attempts are limited per kiosk and per phone number (across all kiosks, counted in the
database so a server restart forgets nothing) so the two facts cannot be guessed by trying.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Connection, bindparam, delete, func, insert, select, update

from server.booking.centre_time import utc_now
from server.db.database import Database
from server.db.models import Device, IdentificationAttempt, Resident, ResidentSession
from server.db.prepared import Prepared
from server.errors import IdentificationAmbiguous, IdentificationFailed, NotIdentified, TooManyAttempts
from server.identity.devices import AuthenticatedDevice, DeviceDirectory
from server.privacy.audit_log import record
from server.privacy.field_crypto import Keyring
from server.privacy.personal_data import resident_name
from server.privacy.phone_numbers import InvalidPhone, phone_lookup_hash
from server.privacy.tokens import RESIDENT_SESSION_PREFIX, new_token, token_hash
from server.settings import ServerSettings

ATTEMPT = IdentificationAttempt.__table__
RESIDENT = Resident.__table__
SESSION = ResidentSession.__table__

LIVE_SESSION = (
    select(SESSION.c.id, SESSION.c.resident_id, RESIDENT.c.name)
    .join_from(SESSION, RESIDENT, SESSION.c.resident_id == RESIDENT.c.id)
    .where(
        SESSION.c.token_hash == bindparam("token_hash"),
        SESSION.c.device_id == bindparam("device_id"),
        SESSION.c.ended_at.is_(None),
        SESSION.c.expires_at > bindparam("now"),
    )
)

DEVICE = Device.__table__
# The device's token checked in the same round trip as the session; prepared, as every
# request acting for a resident runs it (server/db/prepared.py).
LIVE_SESSION_AT_DEVICE = Prepared(
    select(
        SESSION.c.id, SESSION.c.resident_id, RESIDENT.c.name,
        DEVICE.c.id.label("device_id"), DEVICE.c.name.label("device_name"), DEVICE.c.role,
    )
    .join_from(SESSION, RESIDENT, SESSION.c.resident_id == RESIDENT.c.id)
    .join(DEVICE, DEVICE.c.id == SESSION.c.device_id)
    .where(
        SESSION.c.token_hash == bindparam("token_hash"),
        DEVICE.c.token_hash == bindparam("device_token_hash"),
        DEVICE.c.revoked_at.is_(None),
        SESSION.c.ended_at.is_(None),
        SESSION.c.expires_at > bindparam("now"),
    )
)  # fmt: skip

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class IdentifiedResident:
    """The resident a request acts for, as proven by a live session on this kiosk."""

    resident_id: int
    session_id: int
    stored_name: str
    """The name as stored (encrypted); `name` decrypts it for the few requests that say it,
    not for every booking (decrypting was 2% of a booking request's CPU)."""
    keys: Keyring = field(repr=False, compare=False)

    @property
    def name(self) -> str:
        return resident_name(self.keys, self.resident_id, self.stored_name)


@dataclass(frozen=True)
class NewSession:
    token: str
    """Shown to the kiosk once; only its hash is stored."""
    expires_at: datetime
    resident_name: str


def identify(db: Database, settings: ServerSettings, device_id: int, phone: str, birth_year: int) -> NewSession:
    """Open a resident session, or raise why not (the same refusal whichever fact was wrong)."""
    now = utc_now()
    window = timedelta(minutes=settings.identify_window_minutes)
    try:
        lookup = phone_lookup_hash(phone, settings.phone_key)
    except InvalidPhone:
        lookup = None  # still counts as a failed attempt
    with db.write() as conn:
        _refuse_if_locked(conn, settings, device_id, lookup, now)
        matches = (
            conn.execute(
                select(RESIDENT.c.id, RESIDENT.c.name).where(
                    RESIDENT.c.phone_hash == lookup, RESIDENT.c.birth_year == birth_year
                )
            ).all()
            if lookup is not None
            else []
        )
        conn.execute(delete(ATTEMPT).where(ATTEMPT.c.device_id == device_id, ATTEMPT.c.at < now - window))
        if lookup is not None:
            conn.execute(delete(ATTEMPT).where(ATTEMPT.c.phone_hash == lookup, ATTEMPT.c.at < now - window))
        conn.execute(
            insert(ATTEMPT).values(device_id=device_id, phone_hash=lookup, at=now, succeeded=len(matches) == 1)
        )
        if len(matches) == 1:
            token = new_token(RESIDENT_SESSION_PREFIX)
            expires_at = now + timedelta(minutes=settings.resident_session_minutes)
            conn.execute(
                insert(SESSION).values(
                    token_hash=token_hash(token),
                    device_id=device_id,
                    resident_id=matches[0].id,
                    created_at=now,
                    expires_at=expires_at,
                )
            )
            record(conn, actor=f"kiosk:{device_id}", action="resident.identify", subject=f"resident:{matches[0].id}")
            log.info("resident %s identified on device %s", matches[0].id, device_id)
            return NewSession(token, expires_at, resident_name(settings.data_keys, matches[0].id, matches[0].name))
        here = _failures(conn, ATTEMPT.c.device_id == device_id, now - window)[0]
        for_phone = _failures(conn, ATTEMPT.c.phone_hash == lookup, now - window)[0] if lookup is not None else 0
        attempts_left = settings.identify_max_failures - max(here, for_phone)
    # Outside the transaction, so the failed attempt above is committed before refusing.
    if matches:
        raise IdentificationAmbiguous("several residents share this phone number and birth year; staff must help")
    log.info("failed identification on device %s (%s attempts left)", device_id, attempts_left)
    raise IdentificationFailed("no resident with this phone number and birth year", attempts_left=max(attempts_left, 0))


def _failures(conn: Connection, where: ColumnElement[bool], since: datetime) -> tuple[int, datetime | None]:
    """Failed attempts matching `where` since `since`, and when the first of them was."""
    count, first = conn.execute(
        select(func.count(), func.min(ATTEMPT.c.at)).where(where, ATTEMPT.c.succeeded.is_(False), ATTEMPT.c.at > since)
    ).one()
    return count, first


def _refuse_if_locked(
    conn: Connection, settings: ServerSettings, device_id: int, lookup: str | None, now: datetime
) -> None:
    """Two brakes, both counted in the database so a restart forgets nothing: failures at this
    kiosk (someone trying many residents here), and failures for this phone number at any kiosk
    (someone trying one resident's birth year, moving from kiosk to kiosk)."""
    window = timedelta(minutes=settings.identify_window_minutes)
    brakes = [("this kiosk", ATTEMPT.c.device_id == device_id)]
    if lookup is not None:
        brakes.append(("this phone number", ATTEMPT.c.phone_hash == lookup))
    for what, where in brakes:
        count, first = _failures(conn, where, now - window)
        if count >= settings.identify_max_failures and first is not None:
            log.warning("identification blocked for %s (device %s): %s recent failures", what, device_id, count)
            raise TooManyAttempts(
                f"too many failed identifications for {what}; ask staff for help or wait",
                retry_after_seconds=int((first + window - now).total_seconds()) + 1,
            )


def resident_for_session(db: Database, keys: Keyring, device_id: int, token: str | None) -> IdentifiedResident:
    """The resident behind a session token, if the session is live and belongs to this kiosk."""
    if not token:
        raise NotIdentified("identify the resident first (POST /api/v1/residents/identify)")
    row = db.first(LIVE_SESSION, {"token_hash": token_hash(token), "device_id": device_id, "now": utc_now()})
    if row is None:
        raise NotIdentified("the resident session is unknown, ended, expired or from another kiosk")
    return IdentifiedResident(resident_id=row.resident_id, session_id=row.id, stored_name=row.name, keys=keys)


def resident_at_device(
    db: Database, keys: Keyring, device_token: str, token: str | None
) -> tuple[AuthenticatedDevice, IdentifiedResident]:
    """The device and the resident of a request acting for a resident, in one query.

    When it finds nothing, the device alone is looked up to tell a revoked or unknown
    kiosk (401) from a resident who must identify again.
    """
    if token:
        row = db.first(
            LIVE_SESSION_AT_DEVICE,
            {"token_hash": token_hash(token), "device_token_hash": token_hash(device_token), "now": utc_now()},
        )
        if row is not None:
            device = AuthenticatedDevice(id=row.device_id, name=row.device_name, role=row.role)
            resident = IdentifiedResident(
                resident_id=row.resident_id, session_id=row.id, stored_name=row.name, keys=keys
            )
            return device, resident
    DeviceDirectory(db).look_up(device_token)  # raises DeviceUnauthorized for a revoked kiosk
    if not token:
        raise NotIdentified("identify the resident first (POST /api/v1/residents/identify)")
    raise NotIdentified("the resident session is unknown, ended, expired or from another kiosk")


def end_session(db: Database, session_id: int) -> None:
    """The resident said goodbye or walked away: nobody else may use the session."""
    with db.write() as conn:
        conn.execute(update(SESSION).where(SESSION.c.id == session_id).values(ended_at=utc_now()))
