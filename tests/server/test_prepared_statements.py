"""A prepared statement (server/db/prepared.py) stores and reads exactly what a plain
`execute` does, on both databases, and keeps its guards: NUL refused, errors as
SQLAlchemy's without the values."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import bindparam, insert, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from server.db.database import Database
from server.db.migrate import upgrade_to_head
from server.db.models import AuditEvent, Service
from server.db.prepared import Prepared
from server.errors import DatabaseUnavailable, NulCharacter, database_error_summary

AUDIT = AuditEvent.__table__
COLUMNS = ("at", "actor", "action", "subject", "on_behalf_of", "detail")
INSERT = Prepared(insert(AUDIT), columns=COLUMNS)
BY_SUBJECT = Prepared(
    select(AUDIT.c.id, AUDIT.c.at, AUDIT.c.actor, AUDIT.c.on_behalf_of, AUDIT.c.detail).where(
        AUDIT.c.subject == bindparam("subject")
    )
)


@pytest.fixture
def db(fresh_database_url: str) -> Database:
    database = Database(fresh_database_url)
    upgrade_to_head(database)
    yield database  # type: ignore[misc]
    database.dispose()


def test_a_prepared_statement_stores_and_reads_what_a_plain_one_does(db: Database) -> None:
    at = datetime(2026, 3, 4, 9, 30, 15, 123456, tzinfo=ZoneInfo("Asia/Shanghai"))
    row = {"at": at, "actor": "kiosk:1", "action": "test.same", "on_behalf_of": None, "detail": {"说": "中文"}}
    with db.write() as conn:
        assert INSERT.execute(conn, {**row, "subject": "prepared"}) == 1
        conn.execute(insert(AUDIT).values(**row, subject="plain"))
    with db.read() as conn:
        stored = conn.execute(text(
            "SELECT at, actor, on_behalf_of, detail FROM audit_event WHERE action = 'test.same' ORDER BY subject DESC"
        )).all()  # fmt: skip
        prepared = BY_SUBJECT.first(conn, {"subject": "prepared"})
        plain = conn.execute(select(AUDIT).where(AUDIT.c.subject == "plain")).one()
        missing = BY_SUBJECT.first(conn, {"subject": "nobody"})
    assert stored[0] == stored[1]  # the same text (SQLite) or values (PostgreSQL) in the database
    assert (prepared.at, prepared.actor, prepared.on_behalf_of, prepared.detail) == (
        plain.at, plain.actor, plain.on_behalf_of, plain.detail
    )  # fmt: skip
    assert prepared.at == at and prepared.at.utcoffset() == UTC.utcoffset(None)
    assert prepared.detail == {"说": "中文"} and isinstance(prepared.id, int)
    assert missing is None


def test_a_prepared_statement_refuses_nul_before_it_runs(db: Database) -> None:
    with pytest.raises(NulCharacter), db.read() as conn:
        BY_SUBJECT.first(conn, {"subject": "appointment:M\x001234"})


def test_a_failing_prepared_statement_raises_sqlalchemys_error_without_the_values(db: Database) -> None:
    secret = "resident-13800138000"
    at = datetime.now(UTC)
    with pytest.raises(IntegrityError) as caught, db.write() as conn:
        INSERT.execute(conn, {"at": at, "actor": "kiosk:1", "action": "test.fail", "subject": secret,
                              "on_behalf_of": None, "detail": {}})  # fmt: skip
        INSERT.execute(conn, {"at": at, "actor": None, "action": "test.fail", "subject": secret,
                              "on_behalf_of": None, "detail": {}})  # fmt: skip
    summary = database_error_summary(caught.value)  # what the server logs (PostgreSQL's message repeats the row)
    assert "audit_event" in summary and secret not in summary, summary
    with db.read() as conn:  # the whole transaction was rolled back, and the connection still works
        assert BY_SUBJECT.first(conn, {"subject": secret}) is None


def test_a_read_straight_on_a_pooled_connection_reads_the_same_and_keeps_the_guards(db: Database) -> None:
    """`Database.first` runs a prepared statement on a connection from the pool, with no
    SQLAlchemy `Connection` around it (the kiosk session check of every request)."""
    at = datetime(2026, 3, 4, 9, 30, 15, 123456, tzinfo=UTC)
    with db.write() as conn:
        INSERT.execute(conn, {"at": at, "actor": "kiosk:1", "action": "test.pooled", "subject": "pooled",
                              "on_behalf_of": "resident:3", "detail": {"说": "中文"}})  # fmt: skip
    with db.read() as conn:
        through_connection = BY_SUBJECT.first(conn, {"subject": "pooled"})
    pooled = db.first(BY_SUBJECT, {"subject": "pooled"})
    assert pooled == through_connection and pooled.at == at and pooled.detail == {"说": "中文"}
    assert db.first(BY_SUBJECT, {"subject": "nobody"}) is None
    with pytest.raises(NulCharacter):
        db.first(BY_SUBJECT, {"subject": "appointment:M\x001234"})
    broken = Prepared(select(AUDIT.c.id).where(AUDIT.c.subject == bindparam("subject"), text("no_such_column = 1")))
    with pytest.raises((DBAPIError, DatabaseUnavailable)):  # SQLAlchemy's error (SQLite's turned into a 503)
        db.first(broken, {"subject": "pooled"})
    for _ in range(3):  # the pool's connections still work (PostgreSQL's failed transaction was rolled back)
        assert db.first(BY_SUBJECT, {"subject": "pooled"}) == pooled


def test_a_column_sqlalchemy_would_fill_in_must_be_given(db: Database) -> None:
    lacking = Prepared(insert(Service.__table__), columns=("id", "position"))  # `bookable` has a Python default
    with pytest.raises(ValueError, match="bookable"), db.write() as conn:
        lacking.execute(conn, {"id": "x", "position": 1})
