"""Every FastAPI dependency in one place: database, settings, device, resident, idempotency key.

Routers declare what they need with these `Annotated` aliases, so "this endpoint acts
for an identified resident" is visible in its signature and in the OpenAPI security.
All are `async`: database work goes through `Database.run` (see server/db.py).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from .db import Database
from .devices import AuthenticatedDevice, DeviceDirectory
from .errors import StaffOnly
from .identification import IdentifiedResident, resident_for_session
from .settings import ServerSettings

device_bearer = HTTPBearer(auto_error=False, scheme_name="DeviceToken", description="The kiosk's device token (kd_…).")
resident_session_header = APIKeyHeader(
    name="X-Resident-Session",
    auto_error=False,
    scheme_name="ResidentSession",
    description="Token from POST /api/v1/residents/identify (rs_…); valid on the same kiosk only.",
)


async def get_database(request: Request) -> Database:
    return request.app.state.database


async def get_settings(request: Request) -> ServerSettings:
    return request.app.state.settings


async def get_devices(request: Request) -> DeviceDirectory:
    return request.app.state.devices


DatabaseDep = Annotated[Database, Depends(get_database)]
SettingsDep = Annotated[ServerSettings, Depends(get_settings)]
DevicesDep = Annotated[DeviceDirectory, Depends(get_devices)]


async def current_device(
    devices: DevicesDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Security(device_bearer)]
) -> AuthenticatedDevice:
    return await devices.authenticate(credentials.credentials if credentials else None)


DeviceDep = Annotated[AuthenticatedDevice, Depends(current_device)]


async def staff_device(device: DeviceDep) -> AuthenticatedDevice:
    if device.role != "staff":
        raise StaffOnly("this needs a staff device token, not a kiosk's")
    return device


StaffDep = Annotated[AuthenticatedDevice, Depends(staff_device)]


async def current_resident(
    db: DatabaseDep, device: DeviceDep, token: Annotated[str | None, Security(resident_session_header)]
) -> IdentifiedResident:
    return await db.run(resident_for_session, db, device.id, token)


ResidentDep = Annotated[IdentifiedResident, Depends(current_resident)]


async def optional_resident(
    db: DatabaseDep, device: DeviceDep, token: Annotated[str | None, Security(resident_session_header)]
) -> IdentifiedResident | None:
    """The resident if one is identified; alerts are raised with or without one."""
    return await db.run(resident_for_session, db, device.id, token) if token else None


OptionalResidentDep = Annotated[IdentifiedResident | None, Depends(optional_resident)]

IdempotencyKeyDep = Annotated[
    str,
    Header(
        alias="Idempotency-Key",
        min_length=8,
        max_length=100,
        description="Unique per booking attempt (e.g. a UUID); resend it unchanged on retry.",
    ),
]
