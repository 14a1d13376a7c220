"""Alerts from kiosks: an emergency, or a resident asking for a person."""

from __future__ import annotations

import logging
from datetime import datetime

from fastapi import APIRouter, status
from sqlalchemy import insert

from protocol.bodies import AlertIn, AlertOut
from server.booking.centre_time import utc_now
from server.db.database import Database
from server.db.models import Alert
from server.deps import MaybeResidentDep
from server.errors import error_responses
from server.identity.devices import AuthenticatedDevice
from server.identity.residents import IdentifiedResident
from server.privacy.audit_log import record

router = APIRouter(prefix="/alerts", tags=["alerts"], responses=error_responses(401))

ALERT = Alert.__table__
log = logging.getLogger(__name__)


@router.post("", response_model=AlertOut, status_code=status.HTTP_201_CREATED, responses=error_responses(422))
async def raise_alert(body: AlertIn, ctx: MaybeResidentDep) -> AlertOut:
    """Tell staff now. The kiosk has already given the resident 120 (emergency) — this only
    brings a person over; it never replaces calling the emergency number."""
    now = utc_now()
    device, resident = ctx.device, ctx.resident
    alert_id = await ctx.db.run(_store_alert, ctx.db, body, device, resident, now)
    level = logging.ERROR if body.kind == "emergency" else logging.WARNING
    log.log(level, "ALERT %s #%s from kiosk %r", body.kind.upper(), alert_id, device.name)
    return AlertOut(
        id=alert_id,
        kind=body.kind,
        status="open",
        device=device.name,
        resident=resident.name if resident else None,
        note=body.note,
        lang=body.lang,
        created_at=now.astimezone(ctx.settings.timezone),
        acknowledged_at=None,
    )


def _store_alert(
    db: Database, body: AlertIn, device: AuthenticatedDevice, resident: IdentifiedResident | None, now: datetime
) -> int:
    with db.write() as conn:
        alert_id: int = conn.execute(
            insert(ALERT)
            .values(
                kind=body.kind,
                device_id=device.id,
                resident_id=resident.resident_id if resident else None,
                note=body.note,
                lang=body.lang,
                status="open",
                created_at=now,
            )
            .returning(ALERT.c.id)
        ).scalar_one()
        if resident is not None:  # the alert names the resident to staff
            record(conn, actor=f"kiosk:{device.id}", action=f"alert.{body.kind}", subject=f"alert:{alert_id}",
                   on_behalf_of=f"resident:{resident.resident_id}")  # fmt: skip
        return alert_id
