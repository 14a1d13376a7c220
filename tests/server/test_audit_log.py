"""The audit log is append-only in the database itself, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import pytest
from server_harness import RunningServer
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DatabaseError

from server.db.models import AuditEvent
from server.privacy import audit_log

AUDIT = AuditEvent.__table__


def test_events_are_recorded_with_utc_time_and_detail(server: RunningServer) -> None:
    with server.database.write() as conn:
        audit_log.record(conn, actor="proxy:7", action="test.record", subject="appointment:M1234",
                         on_behalf_of="resident:12", detail={"why": "测试"})  # fmt: skip
    with server.database.read() as conn:
        row = conn.execute(select(AUDIT).where(AUDIT.c.action == "test.record").order_by(AUDIT.c.id.desc())).first()
    assert (row.actor, row.subject, row.on_behalf_of, row.detail) == (
        "proxy:7", "appointment:M1234", "resident:12", {"why": "测试"})  # fmt: skip
    assert row.at.utcoffset().total_seconds() == 0


def test_an_event_rolls_back_with_the_change_it_describes(server: RunningServer) -> None:
    with pytest.raises(RuntimeError), server.database.write() as conn:
        audit_log.record(conn, actor="system", action="test.rolled_back", subject="nothing")
        raise RuntimeError("the change failed")
    with server.database.read() as conn:
        assert conn.scalar(select(AUDIT.c.id).where(AUDIT.c.action == "test.rolled_back")) is None


def test_the_database_refuses_to_change_or_delete_events(server: RunningServer, backend: str) -> None:
    with server.database.write() as conn:
        audit_log.record(conn, actor="system", action="test.append_only", subject="audit")
    statements = [update(AUDIT).values(actor="staff:999"), delete(AUDIT)]
    if backend == "postgresql":
        statements.append(text("TRUNCATE audit_event"))
    for statement in statements:
        with pytest.raises(DatabaseError, match="append-only"), server.database.write() as conn:
            conn.execute(statement)
    with server.database.read() as conn:
        assert conn.scalar(select(AUDIT.c.id).where(AUDIT.c.action == "test.append_only")) is not None


def test_actors_must_be_named_the_way_the_admin_page_filters_them(server: RunningServer) -> None:
    with pytest.raises(audit_log.AuditActorInvalid), server.database.write() as conn:
        audit_log.record(conn, actor="anna", action="x", subject="y")
