"""Opening the centre server's database from a maintenance command (`kiosk keys`, `kiosk retention`).

The same options and environment as `kiosk serve` (`--db`, `--data-dir`, KIOSK_DATABASE_URL,
KIOSK_DATA_DIR), so a command run next to the server finds its database and its keys;
the schema is brought to the newest version first, as the server itself would.
"""

from __future__ import annotations

import argparse
import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the server's modules load only when a command runs
    from server.db.database import Database
    from server.settings import ServerSettings


def add_database_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", metavar="URL", help="database URL (default: SQLite in the data dir)")
    parser.add_argument("--data-dir", metavar="DIR", help="data directory with the key files (default ./data)")


def open_server_database(args: argparse.Namespace) -> tuple[ServerSettings, Database]:
    """Settings and a migrated database; the caller disposes of the database."""
    from server.db.database import Database
    from server.db.migrate import upgrade_to_head
    from server.settings import settings_from_environment

    for variable, value in (("KIOSK_DATABASE_URL", args.db), ("KIOSK_DATA_DIR", args.data_dir)):
        if value:
            os.environ[variable] = value
    settings = settings_from_environment()
    database = Database(settings.database_url)
    upgrade_to_head(database)
    return settings, database
