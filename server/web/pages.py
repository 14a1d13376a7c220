"""What every HTML page of the server shares: one Jinja2 environment and the security headers.

The staff console (server/console/) and the family page (server/family/) render from the
same templates folder with this one environment, built once on first use. Their security
headers differ only where the areas differ (the console runs its own script and keeps the
referrer within the site; the family page has no script and sends no referrer).
"""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

Area = Literal["console", "family"]

CONTENT_SECURITY_POLICY: dict[Area, str] = {
    # Nothing but this server's own files: no inline script, no third-party anything.
    "console": "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    # No script at all: an old phone, and nothing to inject into.
    "family": "default-src 'none'; style-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
}
REFERRER_POLICY: dict[Area, str] = {"console": "same-origin", "family": "no-referrer"}


def security_headers(area: Area) -> dict[str, str]:
    """Headers of every page and redirect of `area`."""
    return {
        "Content-Security-Policy": CONTENT_SECURITY_POLICY[area],
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": REFERRER_POLICY[area],
        # Pages show residents' names and an elder's appointments: not for the browser's disk cache.
        "Cache-Control": "no-store",
    }


@functools.cache
def templates() -> Environment:
    """The one template environment (server/templates/), built on first use."""
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
