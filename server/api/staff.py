"""Staff desk routes (staff device token): see and acknowledge alerts, close appointments, revoke devices."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from sqlalchemy import Select, select, update

from protocol.bodies import AlertOut, AppointmentOut, DeviceOut, StaffStatusIn
from server.booking.bookings import cancel, record_outcome
from server.booking.centre_time import utc_now
from server.db.database import Database
from server.db.models import Alert, Device, Resident
from server.db.rows import AnyRow
from server.deps import StaffDep
from server.errors import AlertNotFound, ReasonRequired, error_responses
from server.identity.devices import revoke_device
from server.privacy.personal_data import resident_name
from server.settings import ServerSettings

router = APIRouter(prefix="/staff", tags=["staff"], responses=error_responses(401, 403))

ALERT = Alert.__table__
DEVICE = Device.__table__
RESIDENT = Resident.__table__


def _alert_query() -> Select[Any]:
    kiosk = DEVICE.alias("kiosk")
    return select(ALERT, kiosk.c.name.label("device_name"), RESIDENT.c.name.label("resident_name")).select_from(
        ALERT.join(kiosk, kiosk.c.id == ALERT.c.device_id).outerjoin(RESIDENT, RESIDENT.c.id == ALERT.c.resident_id)
    )


def _alert_view(row: AnyRow, settings: ServerSettings) -> AlertOut:
    zone = settings.timezone
    return AlertOut(
        id=row.id,
        kind=row.kind,
        status=row.status,
        device=row.device_name,
        resident=resident_name(settings.data_keys, row.resident_id, row.resident_name) if row.resident_name else None,
        note=row.note,
        lang=row.lang,
        created_at=row.created_at.astimezone(zone),
        acknowledged_at=row.acknowledged_at.astimezone(zone) if row.acknowledged_at else None,
    )


@router.get("/alerts", response_model=list[AlertOut])
async def list_alerts(
    ctx: StaffDep,
    state: Annotated[str, Query(alias="status", pattern="^(open|acknowledged|all)$")] = "open",
) -> list[AlertOut]:
    """Emergencies first, then oldest first: the one waiting longest gets help next."""
    return await ctx.db.run(_alerts, ctx.db, ctx.settings, state)


@router.post("/alerts/{alert_id}/acknowledge", response_model=AlertOut, responses=error_responses(404))
async def acknowledge_alert(alert_id: Annotated[int, Path(ge=1, le=2_147_483_647)], ctx: StaffDep) -> AlertOut:
    return await ctx.db.run(_acknowledge, ctx.db, ctx.settings, alert_id, ctx.device.id)


@router.post("/appointments/{code}/status", response_model=AppointmentOut, responses=error_responses(404, 409, 422))
async def set_appointment_status(
    body: StaffStatusIn,
    ctx: StaffDep,
    code: str = Path(pattern="^[A-Za-z][0-9]{4,6}$"),
) -> AppointmentOut:
    """Completed or no-show after the visit; cancelled (with a reason) e.g. when a day closes."""
    if body.status == "cancelled":
        if not body.reason:
            raise ReasonRequired("a staff cancellation needs a reason the resident can be told")
        zone = ctx.settings.timezone
        return await ctx.db.run_write(cancel, ctx.db, zone, code, body.reason, resident_id=None, by="staff")
    return await ctx.db.run_write(record_outcome, ctx.db, ctx.settings.timezone, code, body.status)


@router.post("/devices/{device_id}/revoke", response_model=DeviceOut, responses=error_responses(404))
async def revoke_device_token(device_id: Annotated[int, Path(ge=1, le=2_147_483_647)], ctx: StaffDep) -> DeviceOut:
    """A kiosk was lost, stolen or replaced: its token is refused from its very next request."""
    return await ctx.db.run(_revoke, ctx.db, device_id, ctx.device.id)


def _revoke(db: Database, device_id: int, staff_device_id: int) -> DeviceOut:
    with db.write() as conn:
        device = revoke_device(conn, device_id, by=f"device:{staff_device_id}")
    return DeviceOut(id=device.id, name=device.name, role=device.role, revoked=True)  # type: ignore[arg-type]


def _alerts(db: Database, settings: ServerSettings, state: str) -> list[AlertOut]:
    query = _alert_query()
    if state != "all":
        query = query.where(ALERT.c.status == state)
    query = query.order_by((ALERT.c.kind == "emergency").desc(), ALERT.c.created_at)
    with db.read() as conn:
        return [_alert_view(row, settings) for row in conn.execute(query)]


def _acknowledge(db: Database, settings: ServerSettings, alert_id: int, staff_id: int) -> AlertOut:
    with db.write() as conn:
        conn.execute(
            update(ALERT)
            .where(ALERT.c.id == alert_id, ALERT.c.status == "open")
            .values(status="acknowledged", acknowledged_at=utc_now(), acknowledged_by=staff_id)
        )
        row = conn.execute(_alert_query().where(ALERT.c.id == alert_id)).first()
    if row is None:
        raise AlertNotFound(f"no alert #{alert_id}")
    return _alert_view(row, settings)
