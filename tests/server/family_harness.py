"""Driving the family page over HTTP as a relative's phone would: cookies, CSRF token, forms.

Each page client can come from its own loopback address (127.x.y.z), so the per-source
rate limit on code entry is tested as it works for real, and tests do not share a source.
"""

from __future__ import annotations

import html
import itertools
import re
from datetime import date
from typing import Any

import httpx
from server_harness import RunningServer

_sources = itertools.count(2)


def new_source() -> str:
    """A loopback address no other page client of this test run uses."""
    n = next(_sources)
    return f"127.0.{n // 250 + 1}.{n % 250 + 1}"


def family_page(server: RunningServer, source: str | None = None) -> httpx.Client:
    """A fresh 'phone' with an empty cookie jar, its CSRF cookie already set by a first visit."""
    client = httpx.Client(
        base_url=server.base_url,
        transport=httpx.HTTPTransport(local_address=source or new_source()),
        follow_redirects=False,
        timeout=30,
    )
    assert client.get("/family").status_code == 200
    return client


def csrf(page: httpx.Client) -> str:
    token = page.cookies.get("family_csrf")
    assert token, "the family page sets its CSRF cookie on the first visit"
    return token


def grant(kiosk: httpx.Client, session: dict[str, str]) -> dict[str, Any]:
    """The elder asks the kiosk for a consent code."""
    response = kiosk.post("/api/v1/family/consents", headers=session)
    assert response.status_code == 201, response.text
    return response.json()


def link(
    page: httpx.Client,
    code: str,
    phone: str,
    name: str = "女儿小红",
    scopes: tuple[str, ...] = ("view", "book", "cancel"),
    valid_until: str = "",
    **extra: str,
) -> httpx.Response:
    form = {"csrf": csrf(page), "code": code, "phone": phone, "name": name, "scopes": list(scopes),
            "valid_until": valid_until, **extra}  # fmt: skip
    return page.post("/family/link", data=form)


def book_on_page(page: httpx.Client, service: str, day: date, at: str) -> httpx.Response:
    return page.post("/family/book", data={"csrf": csrf(page), "service": service, "date": day.isoformat(), "time": at})


def cancel_on_page(page: httpx.Client, code: str) -> httpx.Response:
    return page.post(f"/family/appointments/{code}/cancel", data={"csrf": csrf(page)})


def text_of(response: httpx.Response) -> str:
    """The page as a reader sees it: tags removed, entities decoded, spaces collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.text)).split())
