"""Kiosks and staff desks as authenticated devices: a bearer token per device."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, bindparam, insert, select, update

from server.booking.centre_time import utc_now
from server.db.database import Database
from server.db.models import Device
from server.errors import DeviceNotFound, DeviceUnauthorized
from server.privacy.audit_log import record
from server.privacy.tokens import DEVICE_TOKEN_PREFIX, new_token, token_hash

DEVICE = Device.__table__
DEVICE_BY_TOKEN = select(DEVICE.c.id, DEVICE.c.name, DEVICE.c.role).where(
    DEVICE.c.token_hash == bindparam("token_hash"), DEVICE.c.revoked_at.is_(None)
)


@dataclass(frozen=True)
class AuthenticatedDevice:
    id: int
    name: str
    role: str
    """"kiosk" or "staff"."""


def add_device(conn: Connection, name: str, role: str = "kiosk", token: str | None = None) -> str:
    """Register a device and return its token — the only time the token is ever available.

    `token` lets the demo use a fixed, documented token; real devices get a random one.
    """
    token = token or new_token(DEVICE_TOKEN_PREFIX)
    conn.execute(insert(DEVICE).values(name=name, role=role, token_hash=token_hash(token), created_at=utc_now()))
    return token


class DeviceDirectory:
    """Device tokens to devices, looked up in the database on every request.

    No cache: a revoked token must stop working at once, in every worker process, and
    the only place all workers share is the database. Requests that act for a resident
    (bookings) check the device in the same query as the resident's session
    (server/identity/residents.py), so on the hot path this costs no extra round trip.
    """

    def __init__(self, db: Database) -> None:
        self.db = db

    async def authenticate(self, token: str | None) -> AuthenticatedDevice:
        if not token:
            raise DeviceUnauthorized("send the kiosk's token as 'Authorization: Bearer <token>'")
        return await self.db.run(self.look_up, token)

    def look_up(self, token: str) -> AuthenticatedDevice:
        row = self.db.first(DEVICE_BY_TOKEN, {"token_hash": token_hash(token)})
        if row is None:
            raise DeviceUnauthorized("unknown or revoked device token")
        return AuthenticatedDevice(id=row.id, name=row.name, role=row.role)


def revoke_device(conn: Connection, device_id: int, by: str) -> AuthenticatedDevice:
    """Revoke a device's token (a lost or stolen kiosk); its very next request is refused.

    Revoking twice keeps the first time. The audit row commits with the revocation.
    """
    row = conn.execute(select(DEVICE.c.id, DEVICE.c.name, DEVICE.c.role).where(DEVICE.c.id == device_id)).first()
    if row is None:
        raise DeviceNotFound(f"no device #{device_id}")
    conn.execute(update(DEVICE).where(DEVICE.c.id == device_id, DEVICE.c.revoked_at.is_(None)).values(
        revoked_at=utc_now()))  # fmt: skip
    record(conn, actor=by, action="device.revoke", subject=f"device:{device_id}")
    return AuthenticatedDevice(id=row.id, name=row.name, role=row.role)
