"""`/healthz`: is the server up and its database reachable (for the kiosk and for monitors)."""

from __future__ import annotations

from fastapi import APIRouter

from protocol.bodies import HealthOut
from server.db.database import Database
from server.db.migrate import current_revision
from server.deps import DatabaseDep
from server.errors import error_responses

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=HealthOut, responses=error_responses(503))
async def healthz(db: DatabaseDep) -> HealthOut:
    return await db.run(_health, db)


def _health(db: Database) -> HealthOut:
    return HealthOut(status="ok", database=db.dialect, schema_revision=current_revision(db))
