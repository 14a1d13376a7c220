"""Text holding NUL refused before any statement runs, on either database.

PostgreSQL cannot store or even compare text with U+0000 (psycopg raises DataError, which
would be a 500); SQLite would store it. Request bodies are checked by name
(server/schemas.py); this covers every other way in: path and query parameters
(`GET /services/a%00b`), the staff console's forms. Every statement run through
SQLAlchemy passes here (an engine event, server/db/database.py); the prepared statements
of server/db/prepared.py call it themselves.

It runs for every statement, five times a booking, so plain values are looked at
directly and only containers (JSON, an `executemany`'s rows) are walked: walking every
parameter recursively cost 2% of a booking request's CPU (issue #11). The names of a
statement's own parameters are not looked at: they come from the code, not from a request.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from protocol.bodies import NUL, NUL_PROBLEM, holds_nul
from server.errors import NulCharacter


def refuse_nul(parameters: Any) -> None:
    """Raise `NulCharacter` (422) when any text among the statement's parameters holds NUL.

    `parameters`: a statement's values by name, or in order, or a list of such rows."""
    values: Iterable[Any]
    if isinstance(parameters, dict):
        values = parameters.values()
    elif isinstance(parameters, list | tuple):
        values = parameters
    else:
        values = (parameters,)
    for value in values:
        if isinstance(value, str):
            if NUL in value:
                raise NulCharacter(NUL_PROBLEM)
        elif isinstance(value, list | tuple | dict) and holds_nul(value):
            raise NulCharacter(NUL_PROBLEM)
