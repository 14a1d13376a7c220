"""The schema itself: migrations match the models, undo cleanly, and the rules live in the database."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from server_harness import Centre, book
from sqlalchemy import insert, inspect, select, text, update
from sqlalchemy.exc import IntegrityError

from server.db.database import Database
from server.db.migrate import downgrade_to_base, head_revision, upgrade_to_head
from server.db.models import Appointment, Base, TimeSlot

APPOINTMENT = Appointment.__table__
SLOT = TimeSlot.__table__


@pytest.fixture
def fresh_database(backend: str, request: pytest.FixtureRequest, tmp_path) -> Database:
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    else:
        url = request.getfixturevalue("postgres").create_database(f"fresh_{uuid.uuid4().hex[:8]}")
    database = Database(url)
    yield database
    database.dispose()


def test_migrations_build_exactly_the_models_and_undo_cleanly(fresh_database: Database) -> None:
    upgrade_to_head(fresh_database)
    with fresh_database.read() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
        assert conn.scalar(text("SELECT version_num FROM alembic_version")) == head_revision()

    downgrade_to_base(fresh_database)
    with fresh_database.read() as conn:
        assert set(inspect(conn).get_table_names()) == {"alembic_version"}
    upgrade_to_head(fresh_database)
    upgrade_to_head(fresh_database)  # at head: a no-op


def test_connection_settings_the_server_relies_on(centre: Centre, backend: str) -> None:
    with centre.server.database.read() as conn:
        if backend == "sqlite":
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() > 0
        else:
            assert conn.exec_driver_sql("SHOW server_encoding").scalar() == "UTF8"  # Chinese text
            assert conn.exec_driver_sql("SHOW transaction_isolation").scalar() == "read committed"


def test_the_database_itself_refuses_overbooking_and_double_booking(centre: Centre) -> None:
    service = centre.service(capacity=2)
    kiosk = centre.kiosk()
    resident = centre.resident()
    session = centre.identify(kiosk, resident)
    day = centre.day(1)
    code = book(kiosk, session, service, day, "09:00").json()["code"]
    slot = centre.slot(service, day, "09:00")
    db = centre.server.database
    now = datetime.now(UTC)

    with pytest.raises(IntegrityError), db.write() as conn:  # CHECK (booked <= capacity)
        conn.execute(update(SLOT).where(SLOT.c.id == slot.id).values(booked=3))
    with pytest.raises(IntegrityError), db.write() as conn:  # one active booking per resident and slot
        conn.execute(
            insert(APPOINTMENT).values(
                code="Y00000", resident_id=resident.id, slot_id=slot.id, status="booked",
                created_at=now, status_changed_at=now,
            )
        )  # fmt: skip
    with pytest.raises(IntegrityError), db.write() as conn:  # a cancellation keeps its reason
        conn.execute(update(APPOINTMENT).where(APPOINTMENT.c.code == code).values(status="cancelled"))
    with pytest.raises(IntegrityError), db.write() as conn:  # foreign keys are enforced
        conn.execute(
            insert(APPOINTMENT).values(
                code="Y00001", resident_id=resident.id, slot_id=999_999_999, status="booked",
                created_at=now, status_changed_at=now,
            )
        )  # fmt: skip
    with db.read() as conn:
        assert conn.scalar(select(SLOT.c.booked).where(SLOT.c.id == slot.id)) == 1
