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

The contexts read the two credential headers themselves, as FastAPI's `HTTPBearer` and
`APIKeyHeader` would, instead of declaring them as `Security(...)` sub-dependencies:
FastAPI resolves every dependency afresh on every request, and those two cost another 13%
of a booking's CPU (issue #11). `SECURITY` names the schemes each context checks, and
server/web/openapi_security.py documents them in the OpenAPI as FastAPI would have.

All are `async`: database work goes through `Database.run` (see server/db/database.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Header, Path, Request
from fastapi.security import APIKeyHeader, HTTPBearer
from fastapi.security.base import SecurityBase
from fastapi.security.utils import get_authorization_scheme_param

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


def _device_token(request: Request) -> str | None:
    """The token of `Authorization: Bearer <token>`, read as `HTTPBearer(auto_error=False)` does."""
    scheme, credentials = get_authorization_scheme_param(request.headers.get("authorization"))
    if not (scheme and credentials) or scheme.lower() != "bearer":
        return None
    return credentials


def _resident_token(request: Request) -> str | None:
    """The `X-Resident-Session` header, read as `APIKeyHeader(auto_error=False)` does."""
    return request.headers.get("x-resident-session") or None


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


async def kiosk_context(request: Request) -> KioskContext:
    state = request.app.state
    devices: DeviceDirectory = state.devices
    device = await devices.authenticate(_device_token(request))
    return KioskContext(state.database, state.settings, device)


async def resident_context(request: Request) -> ResidentContext:
    device_token = _device_token(request)
    if device_token is None:
        raise DeviceUnauthorized("send the kiosk's token as 'Authorization: Bearer <token>'")
    state = request.app.state
    db: Database = state.database
    token = _resident_token(request)
    device, resident = await db.run(resident_at_device, db, state.settings.data_keys, device_token, token)
    return ResidentContext(db, state.settings, device, resident)


async def maybe_resident_context(request: Request) -> MaybeResidentContext:
    kiosk = await kiosk_context(request)
    token = _resident_token(request)
    resident = (
        await kiosk.db.run(resident_for_session, kiosk.db, kiosk.settings.data_keys, kiosk.device.id, token)
        if token
        else None
    )
    return MaybeResidentContext(kiosk.db, kiosk.settings, kiosk.device, resident)


async def staff_context(request: Request) -> KioskContext:
    kiosk = await kiosk_context(request)
    if kiosk.device.role != "staff":
        raise StaffOnly("this needs a staff device token, not a kiosk's")
    return kiosk


async def get_database(request: Request) -> Database:
    """For the unauthenticated health check only."""
    database: Database = request.app.state.database
    return database


SECURITY: dict[Callable[..., Any], tuple[SecurityBase, ...]] = {
    kiosk_context: (device_bearer,),
    resident_context: (device_bearer, resident_session_header),
    maybe_resident_context: (device_bearer, resident_session_header),
    staff_context: (device_bearer,),
}
"""The credentials each context checks, in the order the OpenAPI lists them."""

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
