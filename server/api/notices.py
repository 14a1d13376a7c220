"""Notices in force now (or at a given moment): pinned first, then newest."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.exceptions import RequestValidationError
from sqlalchemy import select

from protocol.bodies import FIRST_DATE, LAST_DATE, NoticeOut
from server.booking.centre_time import utc_now
from server.db.database import Database
from server.db.models import Notice
from server.deps import KioskDep
from server.errors import error_responses

router = APIRouter(prefix="/notices", tags=["notices"], responses=error_responses(401))

NOTICE = Notice.__table__


@router.get("", response_model=list[NoticeOut])
async def current_notices(
    ctx: KioskDep,
    at: Annotated[dt.datetime | None, Query(description="Moment to ask about (with offset); default now.")] = None,
    lang: Annotated[str | None, Query(pattern="^(zh|en)$", description="Only notices written in it.")] = None,
) -> list[NoticeOut]:
    if at is not None and not FIRST_DATE <= at.date() <= LAST_DATE:  # year 1 would overflow in UTC
        raise RequestValidationError(
            [{"loc": ("query", "at"), "msg": f"a moment between {FIRST_DATE} and {LAST_DATE}", "type": "value_error"}]
        )
    if at is None:
        moment = utc_now()
    elif at.tzinfo is None:
        moment = at.replace(tzinfo=ctx.settings.timezone)  # a bare time means the centre's
    else:
        moment = at
    notices = await ctx.db.run(_notices_in_force, ctx.db, moment)
    for notice in notices:
        notice.valid_from = notice.valid_from.astimezone(ctx.settings.timezone)
        notice.valid_to = notice.valid_to.astimezone(ctx.settings.timezone)
    return [n for n in notices if lang is None or lang in n.title]


def _notices_in_force(db: Database, moment: dt.datetime) -> list[NoticeOut]:
    with db.read() as conn:
        rows = conn.execute(
            select(NOTICE)
            .where(NOTICE.c.valid_from <= moment, NOTICE.c.valid_to > moment)
            .order_by(NOTICE.c.pinned.desc(), NOTICE.c.valid_from.desc(), NOTICE.c.id.desc())
        ).all()
    return [NoticeOut.model_validate(row._mapping) for row in rows]
