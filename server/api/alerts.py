"""Alerts from kiosks: an emergency, or a resident asking for a person.

A kiosk that could not reach the server keeps an emergency in its outbox and resends it
until it is stored here; it sends the same `Idempotency-Key` every time, and a key this
kiosk already used answers 200 with the alert stored the first time (header
`Idempotent-Replayed: true`), so a resend never calls staff twice.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Header, Response, status
from sqlalchemy import Row, insert, select
from sqlalchemy.exc import IntegrityError

from protocol.bodies import AlertIn, AlertOut
from protocol.paths import IDEMPOTENCY_KEY_HEADER, IDEMPOTENT_REPLAYED_HEADER
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

AlertKeyDep = Annotated[
    str | None,
    Header(alias=IDEMPOTENCY_KEY_HEADER, min_length=8, max_length=100,
           description="Unique per alert (e.g. a UUID); resend it unchanged from the kiosk's outbox."),
]  # fmt: skip


@router.post(
    "",
    response_model=AlertOut,
    status_code=status.HTTP_201_CREATED,
    responses={200: {"model": AlertOut, "description": "A resend: the alert this key already raised."},
               **error_responses(422)},
)  # fmt: skip
async def raise_alert(body: AlertIn, ctx: MaybeResidentDep, response: Response, key: AlertKeyDep = None) -> AlertOut:
    """Tell staff now. The kiosk has already given the resident 120 (emergency) — this only
    brings a person over; it never replaces calling the emergency number."""
    device, resident = ctx.device, ctx.resident
    row, replayed = await ctx.db.run(_store_alert, ctx.db, body, device, resident, utc_now(), key)
    if replayed:
        response.status_code = status.HTTP_200_OK
        response.headers[IDEMPOTENT_REPLAYED_HEADER] = "true"
        log.info("alert #%s from kiosk %r sent again (key already used): not raised twice", row.id, device.name)
    else:
        level = logging.ERROR if body.kind == "emergency" else logging.WARNING
        log.log(level, "ALERT %s #%s from kiosk %r", body.kind.upper(), row.id, device.name)
    same_resident = resident is not None and resident.resident_id == row.resident_id
    zone = ctx.settings.timezone
    return AlertOut(
        id=row.id,
        kind=row.kind,
        status=row.status,
        device=device.name,
        resident=resident.name if resident is not None and same_resident else None,
        note=row.note,
        lang=row.lang,
        created_at=row.created_at.astimezone(zone),
        acknowledged_at=row.acknowledged_at.astimezone(zone) if row.acknowledged_at else None,
    )


def _store_alert(
    db: Database,
    body: AlertIn,
    device: AuthenticatedDevice,
    resident: IdentifiedResident | None,
    now: datetime,
    key: str | None,
) -> tuple[Row[Any], bool]:
    """The stored alert, and whether it was there already (a resend with a used key)."""
    if key is not None:
        earlier = _by_key(db, device.id, key)
        if earlier is not None:
            return earlier, True
    try:
        return _insert_alert(db, body, device, resident, now, key), False
    except IntegrityError:  # the same key sent twice at once: the other request stored it
        earlier = _by_key(db, device.id, key) if key is not None else None
        if earlier is None:
            raise
        return earlier, True


def _by_key(db: Database, device_id: int, key: str) -> Row[Any] | None:
    with db.read() as conn:
        return conn.execute(select(ALERT).where(ALERT.c.device_id == device_id, ALERT.c.idempotency_key == key)).first()


def _insert_alert(
    db: Database,
    body: AlertIn,
    device: AuthenticatedDevice,
    resident: IdentifiedResident | None,
    now: datetime,
    key: str | None,
) -> Row[Any]:
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
                idempotency_key=key,
            )
            .returning(ALERT.c.id)
        ).scalar_one()
        if resident is not None:  # the alert names the resident to staff
            record(conn, actor=f"kiosk:{device.id}", action=f"alert.{body.kind}", subject=f"alert:{alert_id}",
                   on_behalf_of=f"resident:{resident.resident_id}")  # fmt: skip
        return conn.execute(select(ALERT).where(ALERT.c.id == alert_id)).one()
