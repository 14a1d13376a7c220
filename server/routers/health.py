"""`/healthz`: is the server up and its database reachable (for the kiosk and for monitors)."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import text

from ..deps import DatabaseDep
from ..schemas import HealthOut, error_responses

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=HealthOut, responses=error_responses(503))
def healthz(db: DatabaseDep) -> HealthOut:
    with db.read() as conn:
        revision = conn.scalar(text("SELECT version_num FROM alembic_version"))
    return HealthOut(status="ok", database=db.dialect, schema_revision=revision)
