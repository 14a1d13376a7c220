"""The FastAPI application: routers, error bodies, and the database it serves from.

`create_app` is the uvicorn factory (`server.main:create_app`); settings come from the
environment so every worker process builds the same app.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from server.api import (
    alerts,
    appointments,
    family,
    family_staff,
    health,
    hotlines,
    notices,
    progress,
    residents,
    services,
    staff,
)
from server.console.app import add_staff_console
from server.db.database import Database
from server.db.migrate import upgrade_to_head
from server.errors import ApiError
from server.family import pages as family_pages
from server.identity.devices import DeviceDirectory
from server.privacy.field_crypto import FieldUndecryptable
from server.privacy.personal_data import encrypt_plaintext_rows
from server.settings import ServerSettings, settings_from_environment
from server.web.body_limits import BodySizeLimit

API_PREFIX = "/api/v1"
log = logging.getLogger(__name__)

DESCRIPTION = """\
The community centre's local server for its kiosks. Every `/api/v1` route needs a device
token (`Authorization: Bearer …`); routes acting for a resident also need the
`X-Resident-Session` token from `POST /api/v1/residents/identify`. Every error is
`{"error": code, "message": …}` with a stable code; see docs/server.md.
"""


def _package_version() -> str:
    try:
        return version("community-kiosk")
    except PackageNotFoundError:
        return "0"


def create_app(settings: ServerSettings | None = None) -> FastAPI:
    settings = settings or settings_from_environment()
    database = Database(settings.database_url)
    upgrade_to_head(database)
    with database.write() as conn:  # rows from before field encryption, or written by a tool
        encrypt_plaintext_rows(conn, settings.data_keys)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # Everything imported and built so far lives as long as the server. Without this, each
        # full collection walks those ~110,000 objects again: 70-80 ms on the 2-core reference
        # machine, a whole p99 budget, paid by whichever request triggers it.
        gc.freeze()
        yield
        database.dispose()

    app = FastAPI(
        title="Community kiosk server",
        version=_package_version(),
        description=DESCRIPTION,
        lifespan=lifespan,
        generate_unique_id_function=lambda route: f"{route.tags[0]}-{route.name}" if route.tags else route.name,
    )
    app.state.settings = settings
    app.state.database = database
    app.state.devices = DeviceDirectory(database)
    _add_error_handlers(app)
    app.include_router(health.router)
    for module in (services, hotlines, notices, residents, appointments, progress, alerts, staff, family, family_staff):
        app.include_router(module.router, prefix=API_PREFIX)
    add_staff_console(app, database, settings, API_PREFIX)
    app.include_router(family_pages.router)
    app.add_middleware(BodySizeLimit)
    return app


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> JSONResponse:
        if exc.status_code >= 500:  # the server's trouble, not the kiosk's: say why in the log
            log.error("%s %s: %s (%s)", request.method, request.url.path, exc.code, exc.__cause__ or exc)
        headers = {}
        if "retry_after_seconds" in exc.extra:
            headers["Retry-After"] = str(exc.extra["retry_after_seconds"])
        return JSONResponse(exc.body(), status_code=exc.status_code, headers=headers)

    @app.exception_handler(FieldUndecryptable)
    async def personal_data_unreadable(request: Request, exc: FieldUndecryptable) -> JSONResponse:
        # Which row and why go to the log for staff; the answer says neither.
        log.error("%s %s: personal data unreadable: %s", request.method, request.url.path, exc)
        return JSONResponse(
            {"error": "personal_data_unreadable", "message": "stored personal data cannot be read; see the server log"},
            status_code=500,
        )

    @app.exception_handler(RequestValidationError)
    async def validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
        details = [_problem(error) for error in exc.errors()]
        message = "; ".join(f"{d['field']}: {d['problem']}" for d in details)
        return JSONResponse({"error": "validation_error", "message": message, "details": details}, status_code=422)

    @app.exception_handler(HTTPException)
    async def http_error(_request: Request, exc: HTTPException) -> JSONResponse:
        codes = {404: "not_found", 405: "method_not_allowed"}
        return JSONResponse(
            {"error": codes.get(exc.status_code, f"http_{exc.status_code}"), "message": str(exc.detail)},
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(Exception)
    async def unexpected_error(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error in %s %s", request.method, request.url.path, exc_info=exc)
        return JSONResponse(
            {"error": "internal_error", "message": "the server failed; the details are in its log"},
            status_code=500,
        )


def _problem(error: dict[str, Any]) -> dict[str, str]:
    """A validation error without the rejected input: it may be a phone number."""
    field = ".".join(str(part) for part in error.get("loc", ()))
    problem = error.get("msg", "invalid")
    if error.get("type") == "extra_forbidden":
        problem = "unknown field (not part of this request)"
    elif error.get("type") == "missing":
        problem = "required"
    return {"field": field, "problem": problem, "type": str(error.get("type", ""))}
