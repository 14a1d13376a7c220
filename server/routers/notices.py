"""Notices in force now (or at a given moment): pinned first, then newest."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import select

from ..centre_time import utc_now
from ..deps import DatabaseDep, DeviceDep, SettingsDep
from ..models import Notice
from ..schemas import NoticeOut, error_responses

router = APIRouter(prefix="/notices", tags=["notices"], responses=error_responses(401))

NOTICE = Notice.__table__


@router.get("", response_model=list[NoticeOut])
def current_notices(
    db: DatabaseDep,
    settings: SettingsDep,
    _device: DeviceDep,
    at: Annotated[dt.datetime | None, Query(description="Moment to ask about (with offset); default now.")] = None,
    lang: Annotated[str | None, Query(pattern="^(zh|en)$", description="Only notices written in it.")] = None,
) -> list[NoticeOut]:
    if at is None:
        moment = utc_now()
    elif at.tzinfo is None:
        moment = at.replace(tzinfo=settings.timezone)  # a bare time means the centre's
    else:
        moment = at
    with db.read() as conn:
        rows = conn.execute(
            select(NOTICE)
            .where(NOTICE.c.valid_from <= moment, NOTICE.c.valid_to > moment)
            .order_by(NOTICE.c.pinned.desc(), NOTICE.c.valid_from.desc(), NOTICE.c.id.desc())
        ).all()
    notices = []
    for row in rows:
        if lang is not None and lang not in row.title:
            continue
        notice = NoticeOut.model_validate(row._mapping)
        notice.valid_from = row.valid_from.astimezone(settings.timezone)
        notice.valid_to = row.valid_to.astimezone(settings.timezone)
        notices.append(notice)
    return notices
