"""Hotlines (from the catalogue): numbers the kiosk reads out digit by digit."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import select

from ..deps import DatabaseDep, DeviceDep
from ..errors import HotlineNotFound
from ..models import Hotline
from ..schemas import HotlineOut, error_responses

router = APIRouter(prefix="/hotlines", tags=["hotlines"], responses=error_responses(401))

HOTLINE = Hotline.__table__
_COLUMNS = (HOTLINE.c.id, HOTLINE.c.names, HOTLINE.c.number, HOTLINE.c.description)


@router.get("", response_model=list[HotlineOut])
def list_hotlines(db: DatabaseDep, _device: DeviceDep) -> list[HotlineOut]:
    with db.read() as conn:
        rows = conn.execute(select(*_COLUMNS).order_by(HOTLINE.c.position, HOTLINE.c.id)).all()
    return [HotlineOut.model_validate(row._mapping) for row in rows]


@router.get("/{hotline_id}", response_model=HotlineOut, responses=error_responses(404))
def get_hotline(hotline_id: str, db: DatabaseDep, _device: DeviceDep) -> HotlineOut:
    with db.read() as conn:
        row = conn.execute(select(*_COLUMNS).where(HOTLINE.c.id == hotline_id)).first()
    if row is None:
        raise HotlineNotFound(f"no hotline with id {hotline_id!r}")
    return HotlineOut.model_validate(row._mapping)
