"""What one kiosk needs to know to start, gathered once and passed as an object.

Every front-end (`kiosk chat`, `kiosk run`, `kiosk screen`) builds one `KioskSettings` from
its command line over the environment, and hands it to `kiosk.app.build_kiosk`; nothing
below reads `os.environ` again.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from intents.index_cache import DIRECTORY_NAME as INDEX_CACHE_DIRECTORY
from kiosk.centre.catalogue_sync import DEFAULT_POLL_SECONDS
from kiosk.errors import KioskError

TOKEN_VARIABLE = "KIOSK_DEVICE_TOKEN"
TIMEZONE_VARIABLE = "KIOSK_TIMEZONE"
DEFAULT_TIMEZONE = "Asia/Shanghai"


class KioskSettingsError(KioskError, ValueError):
    """A setting the kiosk cannot start with; the message says which and how to fix it."""


@dataclass(frozen=True)
class KioskSettings:
    """One kiosk's start-up settings."""

    server_url: str | None = None
    """The centre's server; None starts the demo centre's server here (`kiosk serve --demo`)."""
    token: str | None = None
    """This kiosk's device token; None with the demo server means the demo kiosk's token."""
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo(DEFAULT_TIMEZONE))
    """The centre's local time: residents say "明天九点" in it."""
    data_dir: Path = Path("data")
    """The last good catalogue, the demo server's database, installed speech models."""
    catalogue_file: Path | None = None
    """A catalogue used as it is, never replaced by a published one; None: the demo catalogue,
    then whatever staff publish."""
    catalogue_poll_s: float = DEFAULT_POLL_SECONDS
    """How often to ask the server for a newly published catalogue; 0 never asks."""
    lang: str = "zh"
    """Language of the welcome, and of answers that carry none of their own ("1948")."""
    now: datetime | None = None
    """A fixed moment for scripted runs; None follows the clock."""
    index_cache: bool = True
    """Keep each catalogue's prepared texts in `index_cache_dir`, so a restart, or going back to a
    catalogue seen before, builds its parser in a third of the time (intents/index_cache.py).
    Off (`--no-index-cache`) it prepares every example at every load; nothing else changes."""

    @property
    def index_cache_dir(self) -> Path | None:
        """Where the prepared-index cache lives: in the data directory, never in the package."""
        return self.data_dir / INDEX_CACHE_DIRECTORY if self.index_cache else None

    @property
    def follows_publishes(self) -> bool:
        return self.catalogue_file is None and self.catalogue_poll_s > 0

    def clock(self) -> datetime:
        if self.now is None:
            return datetime.now(self.timezone)
        return self.now if self.now.tzinfo else self.now.replace(tzinfo=self.timezone)

    @classmethod
    def build(cls, environ: Mapping[str, str] | None = None, **given: object) -> KioskSettings:
        """The command line's values (`given`, None meaning "not given") over the environment."""
        environ = os.environ if environ is None else environ
        values = {key: value for key, value in given.items() if value is not None}
        values.setdefault("token", environ.get(TOKEN_VARIABLE) or None)
        zone = values.get("timezone") or environ.get(TIMEZONE_VARIABLE) or DEFAULT_TIMEZONE
        try:
            values["timezone"] = zone if isinstance(zone, ZoneInfo) else ZoneInfo(str(zone))
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise KioskSettingsError(f"unknown time zone {zone!r} (${TIMEZONE_VARIABLE}); e.g. Asia/Shanghai") from exc
        for key in ("data_dir", "catalogue_file"):
            if key in values:
                values[key] = Path(str(values[key]))
        settings = cls(**values)  # type: ignore[arg-type]
        if settings.server_url and not settings.token:
            raise KioskSettingsError(
                f"give this kiosk's device token with --token or ${TOKEN_VARIABLE} "
                "(`kiosk serve --new-device NAME` registers a kiosk and prints one)"
            )
        return settings
