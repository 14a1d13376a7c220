"""Mounting the staff console on the FastAPI app: pages, static files, the catalogue feed.

Called once from `create_app`; kept here so the app factory stays a list of parts.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.staticfiles import StaticFiles
from starlette.responses import Response

from server.api import catalogue_feed
from server.catalogue.versions import ensure_initial_version
from server.console.deps import ConsoleRefusal, refusal_response
from server.console.routers import admin as console_admin
from server.console.routers import auth as console_auth
from server.console.routers import catalogue as console_catalogue
from server.console.routers import content as console_content
from server.console.routers import day as console_day
from server.console.routers import gaps as console_gaps
from server.db.database import Database
from server.settings import ServerSettings

STATIC_DIR = Path(__file__).parent.parent / "static"


def add_staff_console(app: FastAPI, database: Database, settings: ServerSettings, api_prefix: str) -> None:
    ensure_initial_version(database, settings)
    app.include_router(catalogue_feed.router, prefix=api_prefix)
    for module in (console_auth, console_day, console_catalogue, console_gaps, console_content, console_admin):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.exception_handler(ConsoleRefusal)
    async def console_refusal(request: Request, exc: ConsoleRefusal) -> Response:
        return refusal_response(request, exc)
