"""The append-only audit log: who did what, to what, for whom, and when.

Every staff action, every proxy action and every change to residents' data writes one
row here in the *same* transaction as the change itself, so the log can never claim a
change that was rolled back, nor miss one that was committed. The database refuses
UPDATE and DELETE on the table (a trigger on SQLite and on PostgreSQL, see migration
0002): not even a bug in the server, nor a member of staff with a SQL prompt through
the server's own account, can quietly rewrite history.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, insert

from server.db.models import AuditEvent
from server.db.prepared import Prepared

ACTOR_PREFIXES = ("staff:", "kiosk:", "proxy:", "device:", "system")
"""Who can act: a staff account, a kiosk device, a family proxy, a staff desk device, or the server."""


class AuditActorInvalid(ValueError):
    """An audit record names its actor in a form the admin page cannot filter on."""


_INSERT = Prepared(insert(AuditEvent), columns=("at", "actor", "action", "subject", "on_behalf_of", "detail"))
"""Prepared (server/db/prepared.py): every booking writes an event inside its write
transaction, and a plain `execute` cost about three times the insert itself."""


def record(
    conn: Connection,
    *,
    actor: str,
    action: str,
    subject: str,
    on_behalf_of: str | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Add one event to the log, inside the caller's transaction.

    `actor` is "staff:3", "kiosk:2", "proxy:7" or "system"; `action` a dotted verb such
    as "catalogue.publish"; `subject` what was acted on ("catalogue:v4", "resident:12");
    `on_behalf_of` the person the actor acted for (a proxy acting for "resident:12");
    `detail` small JSON facts — never a phone number or another secret in clear.
    """
    if not actor.startswith(ACTOR_PREFIXES):
        raise AuditActorInvalid(f"audit actor {actor!r} must look like 'staff:3', 'kiosk:2', 'proxy:7' or 'system'")
    _INSERT.execute(
        conn,
        {
            "at": datetime.now(UTC),
            "actor": actor[:40],
            "action": action[:60],
            "subject": subject[:200],
            "on_behalf_of": on_behalf_of[:40] if on_behalf_of else None,
            "detail": detail or {},
        },
    )
