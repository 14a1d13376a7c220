"""Hotlines (from the catalogue): numbers the kiosk reads out digit by digit."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import select

from protocol.bodies import HotlineOut
from server.db.database import Database
from server.db.models import Hotline
from server.deps import KioskDep
from server.errors import HotlineNotFound, error_responses

router = APIRouter(prefix="/hotlines", tags=["hotlines"], responses=error_responses(401))

HOTLINE = Hotline.__table__
HOTLINES = select(HOTLINE.c.id, HOTLINE.c.names, HOTLINE.c.number, HOTLINE.c.description).order_by(
    HOTLINE.c.position, HOTLINE.c.id
)


@router.get("", response_model=list[HotlineOut])
async def list_hotlines(ctx: KioskDep) -> list[HotlineOut]:
    return await ctx.db.run(_hotlines, ctx.db)


@router.get("/{hotline_id}", response_model=HotlineOut, responses=error_responses(404))
async def get_hotline(hotline_id: str, ctx: KioskDep) -> HotlineOut:
    found = await ctx.db.run(_hotlines, ctx.db, hotline_id)
    if not found:
        raise HotlineNotFound(f"no hotline with id {hotline_id!r}")
    return found[0]


def _hotlines(db: Database, hotline_id: str | None = None) -> list[HotlineOut]:
    query = HOTLINES if hotline_id is None else HOTLINES.where(HOTLINE.c.id == hotline_id)
    with db.read() as conn:
        return [HotlineOut.model_validate(row._mapping) for row in conn.execute(query)]
