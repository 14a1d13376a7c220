"""Rendering the staff console's pages (server/web/pages.py): the words, and what every page shows.

Every page gets the same frame (`templates/base.html`): the navigation, the language
switch, and the open alerts — emergencies first — with an acknowledge button, on every
page until someone acknowledges them. Pages are plain HTML forms; the only script
(`static/console.js`) refreshes that alert banner while a page stays open.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi.responses import HTMLResponse
from sqlalchemy import Connection, select

from server.console.text import ConsoleText
from server.db.models import Alert, Device
from server.web.pages import security_headers, templates

ALERT = Alert.__table__
DEVICE = Device.__table__

SECURITY_HEADERS = security_headers("console")


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
    html = templates().get_template(template).render(t=t, lang=t.lang, **values)
    return HTMLResponse(html, status_code=status_code, headers=SECURITY_HEADERS)


def parse_day(value: str | None, today: date) -> date:
    if not value:
        return today
    try:
        return date.fromisoformat(value)
    except ValueError:
        return today
