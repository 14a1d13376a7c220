"""What must hold in the database after any crash: checked with plain SQL, on SQLite and PostgreSQL.

Each query returns the rows that break a promise, so an empty result is the proof and a
non-empty one says exactly what was lost or half-written.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

BOOKING_PROMISES: dict[str, str] = {
    "seat counter differs from active appointments": """
        SELECT s.id, s.booked, s.capacity,
               (SELECT count(*) FROM appointment a WHERE a.slot_id = s.id AND a.status = 'booked') AS active
        FROM time_slot s
        WHERE s.booked <> (SELECT count(*) FROM appointment a WHERE a.slot_id = s.id AND a.status = 'booked')
           OR s.booked > s.capacity
    """,
    "appointment without its slot or code": """
        SELECT a.id FROM appointment a LEFT JOIN time_slot s ON s.id = a.slot_id
        WHERE s.id IS NULL OR a.code IS NULL OR a.code = ''
    """,
    "appointment without its booking audit row": """
        SELECT a.code FROM appointment a
        WHERE a.device_id IS NOT NULL AND NOT EXISTS (
            SELECT 1 FROM audit_event e WHERE e.action = 'appointment.book' AND e.subject = 'appointment:' || a.code)
    """,
    "booking audit row without its appointment": """
        SELECT e.id, e.subject FROM audit_event e
        WHERE e.action = 'appointment.book' AND NOT EXISTS (
            SELECT 1 FROM appointment a WHERE e.subject = 'appointment:' || a.code)
    """,
    "resident cancellation without its audit row": """
        SELECT a.code FROM appointment a
        WHERE a.status = 'cancelled' AND a.cancelled_by = 'resident' AND NOT EXISTS (
            SELECT 1 FROM audit_event e WHERE e.action = 'appointment.cancel' AND e.subject = 'appointment:' || a.code)
    """,
    "one resident twice in one slot": """
        SELECT resident_id, slot_id FROM appointment WHERE status = 'booked' AND resident_id IS NOT NULL
        GROUP BY resident_id, slot_id HAVING count(*) > 1
    """,
}


def broken_booking_promises(conn: Connection) -> dict[str, list[tuple]]:
    """Every promise with the rows that break it; {} when all hold."""
    found = {name: [tuple(row) for row in conn.execute(text(sql))] for name, sql in BOOKING_PROMISES.items()}
    return {name: rows for name, rows in found.items() if rows}


def appointment_statuses(conn: Connection, codes: set[str]) -> dict[str, str]:
    """code → status for the given codes that exist."""
    if not codes:
        return {}
    rows = conn.execute(text("SELECT code, status FROM appointment")).all()
    return {code: status for code, status in rows if code in codes}
