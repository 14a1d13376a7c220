"""Server settings: one object, built from the environment (KIOSK_*) and the command line.

The server commands (server/commands/) build it from their options and the environment
and hand it to `create_app`; only with several uvicorn workers does each worker build its
own from the environment (see server/commands/serve.py).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from intents.index_cache import DIRECTORY_NAME as INDEX_CACHE_DIRECTORY
from intents.index_cache import IndexCache
from server.errors import SettingsError
from server.privacy.field_crypto import Keyring, KeyringError, load_keyring

DEFAULT_DATA_DIR = Path("data")
"""Relative to the working directory; gitignored."""

PHONE_KEY_FILE = "phone-lookup.key"
"""File in the data directory holding the key for the phone lookup hash."""


@dataclass(frozen=True)
class ServerSettings:
    """Everything the server needs to know before it touches the database."""

    data_dir: Path
    """Directory for the SQLite file and the phone lookup key (KIOSK_DATA_DIR)."""

    database_url: str
    """SQLAlchemy URL (KIOSK_DATABASE_URL); default: SQLite file `kiosk.sqlite3` in the data dir."""

    timezone: ZoneInfo
    """The centre's time zone (KIOSK_TIMEZONE): residents say "九点" in local time."""

    phone_key: bytes
    """Key of the keyed hash used to find a resident by phone without a plaintext index
    (KIOSK_PHONE_KEY, else the key file in the data dir, created on first start)."""

    data_keys: Keyring
    """Keys encrypting personal data at rest (KIOSK_DATA_KEYS, else the key file in the data dir,
    created on first start); see server/privacy/field_crypto.py."""

    catalogue_path: str | None = None
    """Catalogue YAML for `--demo` seeding (KIOSK_CATALOGUE); None = the demo catalogue."""

    resident_session_minutes: int = 10
    """How long an identified resident may act at a kiosk before identifying again."""

    identify_max_failures: int = 5
    """Failed identifications allowed per kiosk within `identify_window_minutes`."""

    identify_window_minutes: int = 10
    """The window for `identify_max_failures`."""

    alternatives: int = 3
    """How many nearby free slots a refusal offers."""

    slot_horizon_days: int = 30
    """Days of slots the server keeps ahead for every bookable service (KIOSK_SLOT_HORIZON_DAYS)."""

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def index_cache(self) -> IndexCache:
        """The console's prepared catalogue examples, kept in the data directory between starts."""
        return IndexCache(self.data_dir / INDEX_CACHE_DIRECTORY)


def settings_from_environment(environ: Mapping[str, str] | None = None) -> ServerSettings:
    """Build settings from KIOSK_* variables, creating the data dir and phone key if needed."""
    env = os.environ if environ is None else environ
    data_dir = Path(env.get("KIOSK_DATA_DIR") or DEFAULT_DATA_DIR).resolve()
    database_url = env.get("KIOSK_DATABASE_URL") or f"sqlite:///{data_dir / 'kiosk.sqlite3'}"
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SettingsError(f"cannot create the data directory {data_dir}: {exc}") from None
    zone_name = env.get("KIOSK_TIMEZONE") or "Asia/Shanghai"
    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingsError(f"KIOSK_TIMEZONE={zone_name!r} is not a known time zone") from None
    return ServerSettings(
        data_dir=data_dir,
        database_url=normalise_database_url(database_url),
        timezone=zone,
        phone_key=_phone_key(env, data_dir),
        data_keys=_data_keys(env, data_dir),
        catalogue_path=env.get("KIOSK_CATALOGUE") or None,
        resident_session_minutes=_positive_int(env, "KIOSK_RESIDENT_SESSION_MINUTES", 10),
        identify_max_failures=_positive_int(env, "KIOSK_IDENTIFY_MAX_FAILURES", 5),
        identify_window_minutes=_positive_int(env, "KIOSK_IDENTIFY_WINDOW_MINUTES", 10),
        slot_horizon_days=_positive_int(env, "KIOSK_SLOT_HORIZON_DAYS", 30),
    )


def normalise_database_url(url: str) -> str:
    """Accept the usual `postgresql://` spelling and pick the psycopg 3 driver we ship."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    if not url.startswith(("sqlite", "postgresql+psycopg")):
        raise SettingsError(
            f"database URL {url.split(':', 1)[0]}:… is not supported; use sqlite:///PATH or postgresql://…"
        )
    return url


def _phone_key(env: Mapping[str, str], data_dir: Path) -> bytes:
    if env.get("KIOSK_PHONE_KEY"):
        return env["KIOSK_PHONE_KEY"].encode()
    key_file = data_dir / PHONE_KEY_FILE
    if not key_file.exists():
        # Created once and kept: losing it makes every resident unfindable by phone.
        try:
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another worker created it a moment ago
        else:
            with os.fdopen(fd, "w") as out:
                out.write(secrets.token_hex(32))
    return key_file.read_text().strip().encode()


def _data_keys(env: Mapping[str, str], data_dir: Path) -> Keyring:
    try:
        return load_keyring(env, data_dir)
    except KeyringError as exc:
        raise SettingsError(str(exc)) from None


def _positive_int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name}={raw!r} should be a whole number") from None
    if value <= 0:
        raise SettingsError(f"{name}={raw!r} should be greater than 0")
    return value
