"""Bring the database schema to the newest migration, from code (no alembic.ini needed).

Runs on every start; at head it is a quick no-op. On SQLite it runs inside the same
serialised write transaction as any write, so two starting workers cannot interleave.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from server.db.database import Database

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(db: Database) -> str | None:
    with db.read() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        revision: str | None = conn.scalar(text("SELECT version_num FROM alembic_version"))
        return revision


def upgrade_to_head(db: Database) -> None:
    if current_revision(db) == head_revision():
        return
    config = alembic_config()
    with db.write() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")


def downgrade_to_base(db: Database) -> None:
    """For tests that prove every migration can be undone."""
    config = alembic_config()
    with db.write() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "base")
