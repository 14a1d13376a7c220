"""Family proxies and privacy: consent codes, proxies, their sessions and actions; room for
encrypted resident names; appointments that outlive the link to their resident.

The residents' names and phones themselves are encrypted by the server at start-up
(`server.privacy.personal_data.encrypt_plaintext_rows`): a migration has no access to the keys.
A downgrade leaves them encrypted.

SQLite cannot ALTER a column, and rebuilding `resident` or `appointment` (Alembic's batch
mode) would drop a table other tables' foreign keys point at, inside a transaction where
foreign keys cannot be switched off. Both changes here only widen a declared length and
drop a NOT NULL, which SQLite's documented "other kinds of table schema changes" procedure
does by editing the stored CREATE TABLE text (https://sqlite.org/lang_altertable.html,
section 7): no data moves, and `PRAGMA integrity_check` stays clean.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    _redeclare("resident", "name", ("VARCHAR(100) NOT NULL", "VARCHAR(600) NOT NULL"), sa.String(600), False)
    _redeclare("appointment", "resident_id", ("INTEGER NOT NULL", "INTEGER"), sa.Integer(), True)

    op.create_table(
        "consent_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("scopes", sa.String(length=40), nullable=False),
        sa.Column("proxy_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("granted_by", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("extensions", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("extensions >= 0", name=op.f("ck_consent_code_extensions_not_negative")),
        sa.ForeignKeyConstraint(["resident_id"], ["resident.id"], name=op.f("fk_consent_code_resident_id_resident")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent_code")),
    )
    with op.batch_alter_table("consent_code", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_consent_code_code_hash"), ["code_hash"], unique=False)
        batch_op.create_index(batch_op.f("ix_consent_code_resident_id"), ["resident_id"], unique=False)

    op.create_table(
        "consent_code_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_hash", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent_code_attempt")),
    )
    with op.batch_alter_table("consent_code_attempt", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_consent_code_attempt_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_consent_code_attempt_source_hash_at"), ["source_hash", "at"], unique=False)

    op.create_table(
        "proxy",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("consent_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=600), nullable=False),
        sa.Column("phone", sa.String(length=200), nullable=False),
        sa.Column("phone_hash", sa.String(length=64), nullable=False),
        sa.Column("scopes", sa.String(length=40), nullable=False),
        sa.Column("valid_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_by", sa.String(length=40), nullable=True),
        sa.Column("revoke_reason", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(["consent_id"], ["consent_code.id"], name=op.f("fk_proxy_consent_id_consent_code")),
        sa.ForeignKeyConstraint(["resident_id"], ["resident.id"], name=op.f("fk_proxy_resident_id_resident")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proxy")),
    )
    with op.batch_alter_table("proxy", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_proxy_resident_id"), ["resident_id"], unique=False)
        batch_op.create_index(
            "uq_proxy_active_resident_phone",
            ["resident_id", "phone_hash"],
            unique=True,
            sqlite_where=sa.text("revoked_at IS NULL"),
            postgresql_where=sa.text("revoked_at IS NULL"),
        )

    op.create_table(
        "proxy_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("proxy_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["proxy_id"], ["proxy.id"], name=op.f("fk_proxy_session_proxy_id_proxy")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proxy_session")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_proxy_session_token_hash")),
    )
    with op.batch_alter_table("proxy_session", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_proxy_session_proxy_id"), ["proxy_id"], unique=False)

    op.create_table(
        "proxy_action",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proxy_id", sa.Integer(), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("appointment_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=10), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("told_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("action IN ('booked', 'cancelled')", name=op.f("ck_proxy_action_action")),
        sa.ForeignKeyConstraint(
            ["appointment_id"], ["appointment.id"], name=op.f("fk_proxy_action_appointment_id_appointment")
        ),
        sa.ForeignKeyConstraint(["proxy_id"], ["proxy.id"], name=op.f("fk_proxy_action_proxy_id_proxy")),
        sa.ForeignKeyConstraint(["resident_id"], ["resident.id"], name=op.f("fk_proxy_action_resident_id_resident")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proxy_action")),
    )
    with op.batch_alter_table("proxy_action", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_proxy_action_resident_id_told_at"), ["resident_id", "told_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("proxy_action", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_proxy_action_resident_id_told_at"))
    op.drop_table("proxy_action")
    with op.batch_alter_table("proxy_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_proxy_session_proxy_id"))
    op.drop_table("proxy_session")
    with op.batch_alter_table("proxy", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_proxy_active_resident_phone",
            sqlite_where=sa.text("revoked_at IS NULL"),
            postgresql_where=sa.text("revoked_at IS NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_proxy_resident_id"))
    op.drop_table("proxy")
    with op.batch_alter_table("consent_code_attempt", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consent_code_attempt_source_hash_at"))
        batch_op.drop_index(batch_op.f("ix_consent_code_attempt_at"))
    op.drop_table("consent_code_attempt")
    with op.batch_alter_table("consent_code", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consent_code_resident_id"))
        batch_op.drop_index(batch_op.f("ix_consent_code_code_hash"))
    op.drop_table("consent_code")

    bind = op.get_bind()
    if bind.scalar(sa.text("SELECT count(*) FROM appointment WHERE resident_id IS NULL")):
        raise RuntimeError(
            "cannot downgrade below 0003: the retention job has anonymised appointments "
            "(resident_id is empty), which the older schema does not allow"
        )
    _redeclare("appointment", "resident_id", ("INTEGER", "INTEGER NOT NULL"), sa.Integer(), False)
    _redeclare("resident", "name", ("VARCHAR(600) NOT NULL", "VARCHAR(100) NOT NULL"), sa.String(100), False)


def _redeclare(
    table: str, column: str, declared: tuple[str, str], type_: sa.types.TypeEngine[Any], nullable: bool
) -> None:
    """Change a column's declared type or NOT NULL: ALTER on PostgreSQL; on SQLite, edit the stored
    CREATE TABLE text (see the module docstring) — the on-disk format is the same either way."""
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        op.alter_column(table, column, type_=type_, nullable=nullable)
        return
    old, new = (f"\t{column} {d}," for d in declared)
    sql = bind.scalar(sa.text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = :t"), {"t": table})
    if sql is None or sql.count(old) != 1:
        raise RuntimeError(f"migration 0003: {table}.{column} is not declared as {declared[0]!r}; cannot change it")
    version = bind.scalar(sa.text("PRAGMA schema_version"))
    bind.exec_driver_sql("PRAGMA writable_schema=ON")
    bind.execute(
        sa.text("UPDATE sqlite_master SET sql = :sql WHERE type = 'table' AND name = :t"),
        {"sql": sql.replace(old, new), "t": table},
    )
    bind.exec_driver_sql(f"PRAGMA schema_version={int(version) + 1}")
    bind.exec_driver_sql("PRAGMA writable_schema=OFF")
    problems = bind.exec_driver_sql("PRAGMA integrity_check").scalar()
    if problems != "ok":
        raise RuntimeError(f"migration 0003: integrity check after changing {table}.{column}: {problems}")
