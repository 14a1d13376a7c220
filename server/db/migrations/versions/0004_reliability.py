"""Alerts that kiosks resend from an outbox carry an idempotency key (unique per kiosk);
identification and consent-code attempts remember the phone tried, so guessing is limited
per phone across every kiosk and address, not only per kiosk or address.

Only new nullable columns and indexes: no table is rebuilt on SQLite.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("alert", sa.Column("idempotency_key", sa.String(length=100), nullable=True))
    op.create_index(op.f("ix_alert_device_id_idempotency_key"), "alert", ["device_id", "idempotency_key"], unique=True)
    op.add_column("identification_attempt", sa.Column("phone_hash", sa.String(length=64), nullable=True))
    op.create_index(
        op.f("ix_identification_attempt_phone_hash_at"), "identification_attempt", ["phone_hash", "at"], unique=False
    )
    op.add_column("consent_code_attempt", sa.Column("phone_hash", sa.String(length=64), nullable=True))
    op.create_index(
        op.f("ix_consent_code_attempt_phone_hash_at"), "consent_code_attempt", ["phone_hash", "at"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_consent_code_attempt_phone_hash_at"), table_name="consent_code_attempt")
    with op.batch_alter_table("consent_code_attempt") as batch_op:
        batch_op.drop_column("phone_hash")
    op.drop_index(op.f("ix_identification_attempt_phone_hash_at"), table_name="identification_attempt")
    with op.batch_alter_table("identification_attempt") as batch_op:
        batch_op.drop_column("phone_hash")
    op.drop_index(op.f("ix_alert_device_id_idempotency_key"), table_name="alert")
    with op.batch_alter_table("alert") as batch_op:
        batch_op.drop_column("idempotency_key")
