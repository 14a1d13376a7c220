"""Fetching the catalogue a centre's server publishes, once (`kiosk parse --server`).

Kept apart from catalogue_sync.py (the running kiosk's poller) so `kiosk parse` does not
load the dialogue to read one file.
"""

from __future__ import annotations

import httpx

from intents import Catalogue, CatalogueError, parse_catalogue


class CatalogueFetchError(Exception):
    """The server's catalogue could not be had; the message says why."""


def fetch_catalogue(base_url: str, device_token: str, *, timeout: float = 10.0) -> tuple[int, Catalogue]:
    """The live catalogue and its version number, once (for `kiosk parse --server`)."""
    url = base_url.rstrip("/") + "/api/v1/catalogue"
    try:
        response = httpx.get(url, headers={"Authorization": f"Bearer {device_token}"}, timeout=timeout)
    except httpx.HTTPError as exc:
        raise CatalogueFetchError(f"cannot reach {url}: {exc}") from None
    if response.status_code != 200:
        raise CatalogueFetchError(f"{url} answered {response.status_code}: {response.text[:200]}")
    version = int(response.headers.get("X-Catalogue-Version", "0"))
    try:
        return version, parse_catalogue(response.text, f"catalogue version {version} from {url}")
    except CatalogueError as exc:
        raise CatalogueFetchError(str(exc)) from None
