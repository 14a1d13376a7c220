"""Understanding what a resident said: catalogue, normalisation, matching and slots.

Knows nothing of audio, HTTP or SQL; the kiosk and the server call it.
"""

from .catalogue import Catalogue, Hotline, Intent, Service
from .catalogue_loader import demo_catalogue_path, load_catalogue, parse_catalogue, parse_period
from .errors import CatalogueError

__all__ = [
    "Catalogue",
    "CatalogueError",
    "Hotline",
    "Intent",
    "Service",
    "demo_catalogue_path",
    "load_catalogue",
    "parse_catalogue",
    "parse_period",
]
