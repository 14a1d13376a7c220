"""Mounting the staff console on the FastAPI app: pages, static files, the catalogue feed.

Called once from `create_app`; kept here so the app factory stays a list of parts.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.staticfiles import StaticFiles
from starlette.responses import Response

from .catalogue_versions import ensure_initial_version
from .console_deps import ConsoleRefusal, refusal_response
from .db import Database
from .routers import (
    catalogue_feed,
    console_admin,
    console_auth,
    console_catalogue,
    console_content,
    console_day,
    console_gaps,
)
from .settings import ServerSettings

STATIC_DIR = Path(__file__).parent / "static"


def add_staff_console(app: FastAPI, database: Database, settings: ServerSettings, api_prefix: str) -> None:
    ensure_initial_version(database, settings)
    app.include_router(catalogue_feed.router, prefix=api_prefix)
    for module in (console_auth, console_day, console_catalogue, console_gaps, console_content, console_admin):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.exception_handler(ConsoleRefusal)
    async def console_refusal(request: Request, exc: ConsoleRefusal) -> Response:
        return refusal_response(request, exc)
