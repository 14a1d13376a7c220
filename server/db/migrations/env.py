"""Alembic environment: migrate the connection `server.db.migrate` hands over, or the URL in
KIOSK_DATABASE_URL when a developer runs the `alembic` command."""

from __future__ import annotations

import os
from logging.config import fileConfig
from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import Connection, create_engine

from server.db.models import Base, UTCDateTime
from server.settings import normalise_database_url

config = context.config


def render_item(kind: str, obj: Any, _context: AutogenContext) -> str | Literal[False]:
    """Write plain SQLAlchemy types into migrations: a migration must not change when models do."""
    if kind == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite cannot ALTER most things
        compare_type=True,
        render_item=render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported; run against a database")

given = config.attributes.get("connection")
if given is not None:
    run_migrations(given)
else:
    if config.config_file_name is not None:
        fileConfig(config.config_file_name)
    url = os.environ.get("KIOSK_DATABASE_URL")
    if not url:
        raise SystemExit("set KIOSK_DATABASE_URL to the database to migrate")
    with create_engine(normalise_database_url(url)).begin() as connection:
        run_migrations(connection)
