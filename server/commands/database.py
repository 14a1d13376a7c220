"""Settings and the database for a server command (`serve`, `admin`, `keys`, `retention`).

Every command takes the same options (`--db`, `--data-dir`) and reads the same environment
as the server (KIOSK_DATABASE_URL, KIOSK_DATA_DIR, …; see server/settings.py): an option
given wins over its variable. The settings are built as an object from both; the process
environment is never written (see `serve.worker_environment` for the one exception), so
a command run next to the server finds its database and its keys, and the schema is
brought to the newest version first, as the server itself would.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the server's modules load only when a command runs
    from server.db.database import Database
    from server.settings import ServerSettings

OPTION_VARIABLES = {"db": "KIOSK_DATABASE_URL", "data_dir": "KIOSK_DATA_DIR", "catalogue": "KIOSK_CATALOGUE"}
"""Command-line options that stand for a settings variable (server/settings.py)."""


DATA_DIR_HELP = "data directory with the key files"


def add_database_options(parser: argparse.ArgumentParser, data_dir_help: str = DATA_DIR_HELP) -> None:
    parser.add_argument("--db", metavar="URL", help="database URL (default: SQLite in the data dir)")
    parser.add_argument("--data-dir", metavar="DIR", help=f"{data_dir_help} (default ./data)")


def option_variables(args: argparse.Namespace) -> dict[str, str]:
    """The settings variables the command line gives, e.g. {"KIOSK_DATABASE_URL": …}."""
    given = {name: getattr(args, option, None) for option, name in OPTION_VARIABLES.items()}
    return {name: value for name, value in given.items() if value}


def command_settings(args: argparse.Namespace, environ: Mapping[str, str] | None = None) -> ServerSettings:
    """Settings from the environment, with the command's options in place of their variables."""
    from server.settings import settings_from_environment

    env = os.environ if environ is None else environ
    return settings_from_environment({**env, **option_variables(args)})


def open_database(settings: ServerSettings) -> Database:
    """The settings' database, migrated to the newest schema; the caller disposes of it."""
    from server.db.database import Database
    from server.db.migrate import upgrade_to_head

    database = Database(settings.database_url)
    upgrade_to_head(database)
    return database


def open_server_database(args: argparse.Namespace) -> tuple[ServerSettings, Database]:
    """Settings and a migrated database; the caller disposes of the database."""
    settings = command_settings(args)
    return settings, open_database(settings)
