"""Every FastAPI dependency in one place: who is asking, and with what.

A device token is checked against the database on every request, so a revoked kiosk is
refused at once in every worker (server/identity/devices.py); for `ResidentDep` that check
rides in the resident session's query. An endpoint declares one context: `KioskDep` (a
device token), `ResidentDep` (a device token and a live resident session from that device)
or `StaffDep` (a staff device token). Each context carries the database and settings too, so "this endpoint acts for an
identified resident" is visible in its signature and in the OpenAPI security, and a
request resolves one dependency instead of a tree of them: with each piece its own
dependency, resolving them took about 30% of a booking request's CPU (profiled under
bench/booking_load.py).

All are `async`: database work goes through `Database.run` (see server/db/database.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Path, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from server.db.database import Database
from server.errors import DeviceUnauthorized, StaffOnly
from server.identity.devices import AuthenticatedDevice, DeviceDirectory
from server.identity.residents import IdentifiedResident, resident_at_device, resident_for_session
from server.settings import ServerSettings

device_bearer = HTTPBearer(auto_error=False, scheme_name="DeviceToken", description="The kiosk's device token (kd_…).")
resident_session_header = APIKeyHeader(
    name="X-Resident-Session",
    auto_error=False,
    scheme_name="ResidentSession",
    description="Token from POST /api/v1/residents/identify (rs_…); valid on the same kiosk only.",
)

DeviceCredentials = Annotated[HTTPAuthorizationCredentials | None, Security(device_bearer)]
ResidentToken = Annotated[str | None, Security(resident_session_header)]


@dataclass(frozen=True)
class KioskContext:
    """A request from an authenticated device."""

    db: Database
    settings: ServerSettings
    device: AuthenticatedDevice


@dataclass(frozen=True)
class ResidentContext(KioskContext):
    """A request acting for the resident identified at this very device."""

    resident: IdentifiedResident


@dataclass(frozen=True)
class MaybeResidentContext(KioskContext):
    """A request that may or may not come with an identified resident (alerts)."""

    resident: IdentifiedResident | None


async def _kiosk(request: Request, credentials: HTTPAuthorizationCredentials | None) -> KioskContext:
    state = request.app.state
    devices: DeviceDirectory = state.devices
    device = await devices.authenticate(credentials.credentials if credentials else None)
    return KioskContext(state.database, state.settings, device)


async def kiosk_context(request: Request, credentials: DeviceCredentials) -> KioskContext:
    return await _kiosk(request, credentials)


async def resident_context(request: Request, credentials: DeviceCredentials, token: ResidentToken) -> ResidentContext:
    if credentials is None or not credentials.credentials:
        raise DeviceUnauthorized("send the kiosk's token as 'Authorization: Bearer <token>'")
    state = request.app.state
    db: Database = state.database
    device, resident = await db.run(resident_at_device, db, state.settings.data_keys, credentials.credentials, token)
    return ResidentContext(db, state.settings, device, resident)


async def maybe_resident_context(
    request: Request, credentials: DeviceCredentials, token: ResidentToken
) -> MaybeResidentContext:
    kiosk = await _kiosk(request, credentials)
    resident = (
        await kiosk.db.run(resident_for_session, kiosk.db, kiosk.settings.data_keys, kiosk.device.id, token)
        if token
        else None
    )
    return MaybeResidentContext(kiosk.db, kiosk.settings, kiosk.device, resident)


async def staff_context(request: Request, credentials: DeviceCredentials) -> KioskContext:
    kiosk = await _kiosk(request, credentials)
    if kiosk.device.role != "staff":
        raise StaffOnly("this needs a staff device token, not a kiosk's")
    return kiosk


async def get_database(request: Request) -> Database:
    """For the unauthenticated health check only."""
    database: Database = request.app.state.database
    return database


KioskDep = Annotated[KioskContext, Depends(kiosk_context)]
ResidentDep = Annotated[ResidentContext, Depends(resident_context)]
MaybeResidentDep = Annotated[MaybeResidentContext, Depends(maybe_resident_context)]
StaffDep = Annotated[KioskContext, Depends(staff_context)]
DatabaseDep = Annotated[Database, Depends(get_database)]

IdempotencyKeyDep = Annotated[
    str,
    Header(
        alias="Idempotency-Key",
        min_length=8,
        max_length=100,
        description="Unique per booking attempt (e.g. a UUID); resend it unchanged on retry.",
    ),
]

RowIdPath = Annotated[int, Path(ge=1, le=2_147_483_647)]
"""A database id in a path: a 32-bit positive integer (a larger one could not be stored, so it cannot exist)."""
