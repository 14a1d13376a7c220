"""Kiosks and staff desks as authenticated devices: a bearer token per device."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, insert, select

from .centre_time import utc_now
from .db import Database
from .errors import DeviceUnauthorized
from .models import Device
from .tokens import DEVICE_TOKEN_PREFIX, new_token, token_hash

DEVICE = Device.__table__


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


def authenticate_device(db: Database, token: str | None) -> AuthenticatedDevice:
    if not token:
        raise DeviceUnauthorized("send the kiosk's token as 'Authorization: Bearer <token>'")
    with db.read() as conn:
        row = conn.execute(
            select(DEVICE.c.id, DEVICE.c.name, DEVICE.c.role).where(
                DEVICE.c.token_hash == token_hash(token), DEVICE.c.revoked_at.is_(None)
            )
        ).first()
    if row is None:
        raise DeviceUnauthorized("unknown or revoked device token")
    return AuthenticatedDevice(id=row.id, name=row.name, role=row.role)
