"""Application progress by the reference code on the resident's receipt.

The answer holds no personal data (service, status, dates, notes), like a parcel
tracking number, so a code read aloud at the kiosk is enough to ask.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from fastapi import APIRouter, Path
from sqlalchemy import select

from protocol.bodies import ProgressEventOut, ProgressOut
from server.db.database import Database
from server.db.models import ProgressEvent, ProgressRecord
from server.deps import KioskDep
from server.errors import ProgressNotFound, error_responses

router = APIRouter(prefix="/progress", tags=["progress"], responses=error_responses(401))

RECORD = ProgressRecord.__table__
EVENT = ProgressEvent.__table__


@router.get("/{code}", response_model=ProgressOut, responses=error_responses(404))
async def get_progress(
    ctx: KioskDep,
    code: str = Path(pattern="^[A-Za-z][0-9]{3,6}$", examples=["A1023"]),
) -> ProgressOut:
    return await ctx.db.run(_progress, ctx.db, code.upper(), ctx.settings.timezone)


def _progress(db: Database, code: str, zone: ZoneInfo) -> ProgressOut:
    with db.read() as conn:
        record = conn.execute(select(RECORD).where(RECORD.c.code == code)).first()
        if record is None:
            raise ProgressNotFound(f"no application with reference {code}")
        events = conn.execute(
            select(EVENT.c.status, EVENT.c.note, EVENT.c.at)
            .where(EVENT.c.record_id == record.id)
            .order_by(EVENT.c.at, EVENT.c.id)
        ).all()
    return ProgressOut(
        code=record.code,
        service_id=record.service_id,
        status=record.status,
        updated_at=record.updated_at.astimezone(zone),
        history=[ProgressEventOut(status=e.status, note=e.note, at=e.at.astimezone(zone)) for e in events],
    )
