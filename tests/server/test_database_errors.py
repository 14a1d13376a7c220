"""A database error the server did not expect is logged without the values of its statement:
they may be a resident's phone hash, a name's ciphertext or a note. SQLAlchemy hides the bound
parameters; PostgreSQL's own message repeats them ("Failing row contains (…)"), so the server
logs a summary (server/errors.py `database_error_summary`) instead of the message."""

from __future__ import annotations

import pytest
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from server.db.database import Database
from server.db.migrate import upgrade_to_head
from server.db.models import Service
from server.errors import database_error_summary


def test_a_failed_statement_names_the_problem_but_not_the_values(fresh_database_url: str) -> None:
    db = Database(fresh_database_url)
    try:
        upgrade_to_head(db)
        secret = "resident-13800138000"
        with pytest.raises(IntegrityError) as caught, db.write() as conn:
            conn.execute(insert(Service.__table__).values(id=secret, position=1))  # required fields missing
        assert "parameters hidden" in str(caught.value)
        summary = database_error_summary(caught.value)
        assert "service" in summary and "names" in summary and secret not in summary, summary
    finally:
        db.dispose()
