"""Rendering the staff console's pages: Jinja2 templates, the words, and what every page shows.

Every page gets the same frame (`templates/base.html`): the navigation, the language
switch, and the open alerts — emergencies first — with an acknowledge button, on every
page until someone acknowledges them. Pages are plain HTML forms; the only script
(`static/console.js`) refreshes that alert banner while a page stays open.
"""

from __future__ import annotations

import functools
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from sqlalchemy import Connection, select

from server.console.text import ConsoleText
from server.db.models import Alert, Device

ALERT = Alert.__table__
DEVICE = Device.__table__

SECURITY_HEADERS = {
    # Nothing but this server's own files: no inline script, no third-party anything.
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",  # pages show residents' names: not for the browser's disk cache
}


@functools.cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("server", "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,  # a misspelt variable fails the test, not the page silently
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["local"] = _local_time
    return env


def _local_time(value: datetime | None, zone: ZoneInfo, pattern: str = "%Y-%m-%d %H:%M") -> str:
    return value.astimezone(zone).strftime(pattern) if value else ""


def open_alerts(conn: Connection) -> list[Any]:
    kiosk = DEVICE.alias("kiosk")
    return list(
        conn.execute(
            select(ALERT.c.id, ALERT.c.kind, ALERT.c.note, ALERT.c.created_at, kiosk.c.name.label("device"))
            .select_from(ALERT.join(kiosk, kiosk.c.id == ALERT.c.device_id))
            .where(ALERT.c.status == "open")
            .order_by((ALERT.c.kind == "emergency").desc(), ALERT.c.created_at)
        )
    )


def render(template: str, *, t: ConsoleText, status_code: int = 200, **values: Any) -> HTMLResponse:
    html = environment().get_template(template).render(t=t, lang=t.lang, **values)
    return HTMLResponse(html, status_code=status_code, headers=SECURITY_HEADERS)


def parse_day(value: str | None, today: date) -> date:
    if not value:
        return today
    try:
        return date.fromisoformat(value)
    except ValueError:
        return today
