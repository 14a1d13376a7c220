"""Fetching the catalogue a centre's server publishes, once (`kiosk parse --server`).

Kept apart from catalogue_sync.py (the running kiosk's poller) so `kiosk parse` does not
load the dialogue to read one file.
"""

from __future__ import annotations

from intents import Catalogue, CatalogueError, parse_catalogue
from kiosk.centre.client import CentreClient
from kiosk.centre.errors import CentreError
from kiosk.errors import KioskError


class CatalogueFetchError(KioskError):
    """The server's catalogue could not be had; the message says why."""


def fetch_catalogue(base_url: str, device_token: str) -> tuple[int, Catalogue]:
    """The live catalogue and its version number, once (for `kiosk parse --server`)."""
    try:
        with CentreClient(base_url, device_token) as client:
            published = client.published_catalogue()
    except CentreError as exc:
        raise CatalogueFetchError(f"cannot have the catalogue of {base_url}: {exc}") from None
    assert published is not None  # asked without an ETag, the server always sends it
    try:
        return published.version, parse_catalogue(published.text, f"catalogue version {published.version} "
                                                                  f"from {base_url}")  # fmt: skip
    except CatalogueError as exc:
        raise CatalogueFetchError(str(exc)) from None
