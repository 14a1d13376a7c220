"""The FastAPI application: routers, error bodies, and the database it serves from.

`create_app` is the app factory: `kiosk serve` hands it the settings it built; as the
uvicorn factory (`server.main:create_app`, several workers) it reads them from the
environment, so every worker process builds the same app.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import PackageNotFoundError, version

from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.telemetry import TelemetryConfig

from server.api import (
    alerts,
    appointments,
    catalogue_feed,
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
from server.booking.slot_horizon import extend_slots, keep_extending
from server.console.app import add_staff_console
from server.db.database import Database
from server.db.migrate import upgrade_to_head
from server.db.wal_checkpoints import keep_checkpointing
from server.deps import SECURITY
from server.errors import add_error_handlers
from server.family import pages as family_pages
from server.identity.devices import DeviceDirectory
from server.privacy.personal_data import encrypt_plaintext_rows
from server.settings import ServerSettings, settings_from_environment
from server.web.body_limits import BodySizeLimit
from server.web.openapi_security import document_security
from server.web.worker_spreading import WorkerSpreading

API_PREFIX = "/api/v1"

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


API_MODULES = (appointments, residents, services, hotlines, notices, progress, alerts, staff, family, family_staff)
"""In the order a request's path is matched against them: the kiosks' busiest first, as FastAPI
tries the routers one after the other (5% of a booking's CPU when bookings came fifth)."""

NO_TELEMETRY: TelemetryConfig = {"tracing": False, "metrics": False, "logs": False}
"""Nothing leaves the centre's machine, so FastAPI's OpenTelemetry hooks stay off; left on, they
looked for a configured exporter on every request (1.4% of a booking's CPU)."""


def _operation_id(route: APIRoute) -> str:
    return f"{route.tags[0]}-{route.name}" if route.tags else route.name


def create_app(settings: ServerSettings | None = None) -> FastAPI:
    settings = settings or settings_from_environment()
    database = Database(settings.database_url)
    upgrade_to_head(database)
    with database.write() as conn:  # rows from before field encryption, or written by a tool
        encrypt_plaintext_rows(conn, settings.data_keys)
    extend_slots(database, settings.timezone, settings.slot_horizon_days)  # with or without --demo

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # Everything imported and built so far lives as long as the server. Without this, each
        # full collection walks those ~110,000 objects again: 70-80 ms on the 2-core reference
        # machine, a whole p99 budget, paid by whichever request triggers it.
        gc.freeze()
        tasks = [asyncio.create_task(keep_extending(database, settings.timezone, settings.slot_horizon_days))]
        if database.is_sqlite:
            tasks.append(asyncio.create_task(keep_checkpointing(database)))
        yield
        for task in tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        database.dispose()

    app = FastAPI(
        title="Community kiosk server",
        version=_package_version(),
        description=DESCRIPTION,
        lifespan=lifespan,
        telemetry=NO_TELEMETRY,
        generate_unique_id_function=_operation_id,
    )
    app.state.settings = settings
    app.state.database = database
    app.state.devices = DeviceDirectory(database)
    add_error_handlers(app)
    app.include_router(health.router)
    for module in API_MODULES:
        app.include_router(module.router, prefix=API_PREFIX)
    add_staff_console(app, database, settings, API_PREFIX)
    app.include_router(family_pages.router)
    routers = [health.router, catalogue_feed.router, *(module.router for module in API_MODULES)]
    document_security(app, routers, SECURITY, _operation_id)
    app.add_middleware(BodySizeLimit)
    app.add_middleware(WorkerSpreading)
    return app
