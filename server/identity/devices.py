"""Kiosks and staff desks as authenticated devices: a bearer token per device."""

from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy import Connection, bindparam, insert, select

from server.booking.centre_time import utc_now
from server.db.database import Database
from server.db.models import Device
from server.errors import DeviceUnauthorized
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
    """Device tokens to devices, remembered briefly: every request presents one.

    A revoked token keeps working for at most `ttl_seconds` in a running worker.
    """

    def __init__(self, db: Database, ttl_seconds: float = 30.0) -> None:
        self.db = db
        self.ttl_seconds = ttl_seconds
        self._known: dict[str, tuple[AuthenticatedDevice, float]] = {}

    async def authenticate(self, token: str | None) -> AuthenticatedDevice:
        if not token:
            raise DeviceUnauthorized("send the kiosk's token as 'Authorization: Bearer <token>'")
        digest = token_hash(token)
        known = self._known.get(digest)
        if known is not None and known[1] > time.monotonic():
            return known[0]
        device = await self.db.run(self._look_up, digest)
        self._known[digest] = (device, time.monotonic() + self.ttl_seconds)
        return device

    def _look_up(self, digest: str) -> AuthenticatedDevice:
        with self.db.read() as conn:
            row = conn.execute(DEVICE_BY_TOKEN, {"token_hash": digest}).first()
        if row is None:
            raise DeviceUnauthorized("unknown or revoked device token")
        return AuthenticatedDevice(id=row.id, name=row.name, role=row.role)
