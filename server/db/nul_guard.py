"""Text holding NUL refused before any statement runs, on either database.

PostgreSQL cannot store or even compare text with U+0000 (psycopg raises DataError, which
would be a 500); SQLite would store it. Request bodies are checked by name
(server/schemas.py); this covers every other way in: path and query parameters
(`GET /services/a%00b`), the staff console's forms. Every statement run through
SQLAlchemy passes here (an engine event, server/db/database.py); the prepared statements
of server/db/prepared.py call it themselves. Cheap: a few parameters a statement.
"""

from __future__ import annotations

from typing import Any

from protocol.bodies import NUL_PROBLEM, holds_nul
from server.errors import NulCharacter


def refuse_nul(parameters: Any) -> None:
    """Raise `NulCharacter` (422) when any text among the statement's parameters holds NUL."""
    if holds_nul(parameters):
        raise NulCharacter(NUL_PROBLEM)
