"""Initial schema: catalogue copies, slots and appointments, residents, devices, alerts.

Revision ID: 0001
Revises:
Create Date: 2026-11-26 20:49:06.716071
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "device",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("role IN ('kiosk', 'staff')", name=op.f("ck_device_role")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_device")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_device_token_hash")),
    )
    op.create_table(
        "hotline",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("names", sa.JSON(), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("description", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hotline")),
    )
    op.create_table(
        "notice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("title", sa.JSON(), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_to", sa.DateTime(timezone=True), nullable=False),
        sa.Column("pinned", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("valid_to > valid_from", name=op.f("ck_notice_valid_to_after_from")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notice")),
    )
    with op.batch_alter_table("notice", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notice_valid_from_valid_to"), ["valid_from", "valid_to"], unique=False)

    op.create_table(
        "resident",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("phone", sa.String(length=200), nullable=False),
        sa.Column("phone_hash", sa.String(length=64), nullable=False),
        sa.Column("birth_year", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("birth_year BETWEEN 1900 AND 2100", name=op.f("ck_resident_birth_year_plausible")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resident")),
    )
    with op.batch_alter_table("resident", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_resident_phone_hash"), ["phone_hash"], unique=False)

    op.create_table(
        "service",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("names", sa.JSON(), nullable=False),
        sa.Column("location", sa.JSON(), nullable=False),
        sa.Column("hours", sa.JSON(), nullable=False),
        sa.Column("documents", sa.JSON(), nullable=False),
        sa.Column("description", sa.JSON(), nullable=False),
        sa.Column("bookable", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service")),
    )
    op.create_table(
        "alert",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("device_id", sa.Integer(), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("lang", sa.String(length=5), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_by", sa.Integer(), nullable=True),
        sa.CheckConstraint("kind IN ('emergency', 'handoff')", name=op.f("ck_alert_kind")),
        sa.CheckConstraint("status IN ('open', 'acknowledged')", name=op.f("ck_alert_status")),
        sa.ForeignKeyConstraint(["acknowledged_by"], ["device.id"], name=op.f("fk_alert_acknowledged_by_device")),
        sa.ForeignKeyConstraint(["device_id"], ["device.id"], name=op.f("fk_alert_device_id_device")),
        sa.ForeignKeyConstraint(["resident_id"], ["resident.id"], name=op.f("fk_alert_resident_id_resident")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert")),
    )
    with op.batch_alter_table("alert", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_alert_status_created_at"), ["status", "created_at"], unique=False)

    op.create_table(
        "bookable_service",
        sa.Column("service_id", sa.String(length=64), nullable=False),
        sa.Column("hours", sa.JSON(), nullable=False),
        sa.Column("slot_minutes", sa.Integer(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.CheckConstraint("capacity > 0", name=op.f("ck_bookable_service_capacity_positive")),
        sa.CheckConstraint("slot_minutes > 0", name=op.f("ck_bookable_service_slot_minutes_positive")),
        sa.ForeignKeyConstraint(["service_id"], ["service.id"], name=op.f("fk_bookable_service_service_id_service")),
        sa.PrimaryKeyConstraint("service_id", name=op.f("pk_bookable_service")),
    )
    op.create_table(
        "closed_day",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("service_id", sa.String(length=64), nullable=True),
        sa.Column("reason", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["service_id"], ["service.id"], name=op.f("fk_closed_day_service_id_service")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_closed_day")),
        sa.UniqueConstraint("day", "service_id", name=op.f("uq_closed_day_day_service_id")),
    )
    op.create_table(
        "identification_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("device_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["device_id"], ["device.id"], name=op.f("fk_identification_attempt_device_id_device")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identification_attempt")),
    )
    with op.batch_alter_table("identification_attempt", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_identification_attempt_device_id_at"), ["device_id", "at"], unique=False)

    op.create_table(
        "progress_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=8), nullable=False),
        sa.Column("service_id", sa.String(length=64), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('received', 'in_progress', 'needs_documents', 'ready', 'completed', 'rejected')",
            name=op.f("ck_progress_record_status"),
        ),
        sa.ForeignKeyConstraint(["resident_id"], ["resident.id"], name=op.f("fk_progress_record_resident_id_resident")),
        sa.ForeignKeyConstraint(["service_id"], ["service.id"], name=op.f("fk_progress_record_service_id_service")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_progress_record")),
        sa.UniqueConstraint("code", name=op.f("uq_progress_record_code")),
    )
    op.create_table(
        "resident_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("device_id", sa.Integer(), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["device_id"], ["device.id"], name=op.f("fk_resident_session_device_id_device")),
        sa.ForeignKeyConstraint(
            ["resident_id"], ["resident.id"], name=op.f("fk_resident_session_resident_id_resident")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resident_session")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_resident_session_token_hash")),
    )
    op.create_table(
        "progress_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("note", sa.JSON(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('received', 'in_progress', 'needs_documents', 'ready', 'completed', 'rejected')",
            name=op.f("ck_progress_event_status"),
        ),
        sa.ForeignKeyConstraint(
            ["record_id"], ["progress_record.id"], name=op.f("fk_progress_event_record_id_progress_record")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_progress_event")),
    )
    with op.batch_alter_table("progress_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_progress_event_record_id_at"), ["record_id", "at"], unique=False)

    op.create_table(
        "time_slot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("booked", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("closed", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.CheckConstraint("booked <= capacity", name=op.f("ck_time_slot_booked_within_capacity")),
        sa.CheckConstraint("booked >= 0", name=op.f("ck_time_slot_booked_not_negative")),
        sa.CheckConstraint("capacity >= 0", name=op.f("ck_time_slot_capacity_not_negative")),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_time_slot_ends_after_start")),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["bookable_service.service_id"],
            name=op.f("fk_time_slot_service_id_bookable_service"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_time_slot")),
        sa.UniqueConstraint("service_id", "starts_at", name=op.f("uq_time_slot_service_id_starts_at")),
    )
    with op.batch_alter_table("time_slot", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_time_slot_service_id_day"), ["service_id", "day"], unique=False)

    op.create_table(
        "appointment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=8), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("slot_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("device_id", sa.Integer(), nullable=True),
        sa.Column("idempotency_key", sa.String(length=100), nullable=True),
        sa.Column("request_hash", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status_changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cancel_reason", sa.String(length=500), nullable=True),
        sa.Column("cancelled_by", sa.String(length=10), nullable=True),
        sa.CheckConstraint(
            "status <> 'cancelled' OR cancel_reason IS NOT NULL",
            name=op.f("ck_appointment_cancel_has_reason"),
        ),
        sa.CheckConstraint(
            "status IN ('booked', 'cancelled', 'completed', 'no_show')", name=op.f("ck_appointment_status")
        ),
        sa.ForeignKeyConstraint(["device_id"], ["device.id"], name=op.f("fk_appointment_device_id_device")),
        sa.ForeignKeyConstraint(["resident_id"], ["resident.id"], name=op.f("fk_appointment_resident_id_resident")),
        sa.ForeignKeyConstraint(["slot_id"], ["time_slot.id"], name=op.f("fk_appointment_slot_id_time_slot")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appointment")),
        sa.UniqueConstraint("code", name=op.f("uq_appointment_code")),
        sa.UniqueConstraint("device_id", "idempotency_key", name=op.f("uq_appointment_device_id_idempotency_key")),
    )
    with op.batch_alter_table("appointment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_appointment_resident_id"), ["resident_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_appointment_slot_id"), ["slot_id"], unique=False)
        batch_op.create_index(
            "uq_appointment_active_resident_slot",
            ["resident_id", "slot_id"],
            unique=True,
            sqlite_where=sa.text("status = 'booked'"),
            postgresql_where=sa.text("status = 'booked'"),
        )


def downgrade() -> None:
    with op.batch_alter_table("appointment", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_appointment_active_resident_slot",
            sqlite_where=sa.text("status = 'booked'"),
            postgresql_where=sa.text("status = 'booked'"),
        )
        batch_op.drop_index(batch_op.f("ix_appointment_slot_id"))
        batch_op.drop_index(batch_op.f("ix_appointment_resident_id"))

    op.drop_table("appointment")
    with op.batch_alter_table("time_slot", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_time_slot_service_id_day"))

    op.drop_table("time_slot")
    with op.batch_alter_table("progress_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_progress_event_record_id_at"))

    op.drop_table("progress_event")
    op.drop_table("resident_session")
    op.drop_table("progress_record")
    with op.batch_alter_table("identification_attempt", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_identification_attempt_device_id_at"))

    op.drop_table("identification_attempt")
    op.drop_table("closed_day")
    op.drop_table("bookable_service")
    with op.batch_alter_table("alert", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alert_status_created_at"))

    op.drop_table("alert")
    op.drop_table("service")
    with op.batch_alter_table("resident", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_resident_phone_hash"))

    op.drop_table("resident")
    with op.batch_alter_table("notice", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notice_valid_from_valid_to"))

    op.drop_table("notice")
    op.drop_table("hotline")
    op.drop_table("device")
