"""What residents said that no kiosk understood, and how many turns kiosks had at all.

Kiosks report each turn's outcome (`POST /api/v1/understanding/turns`): the intent and
whether it was understood — for the charts — and, only for a turn that was not
understood, the recognised text, so staff can teach the catalogue that wording. Never
audio, never who said it: the report carries no resident session, and the text is
stored once per distinct wording with a count, not per occasion.

Runs of digits or number words (a phone number misheard as a request, a birth year) are
replaced by "#" on arrival — the kiosk does the same before sending — so the table
cannot turn into a list of residents' phone numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from intents.number_masking import mask_numbers
from server.booking.centre_time import utc_now
from server.db.models import UnderstandingGap, UnderstandingTurnCount
from server.db.rows import AnyRow
from server.privacy import audit_log

GAP = UnderstandingGap.__table__
TURNS = UnderstandingTurnCount.__table__

MAX_TEXT = 200


def _insert(conn: Connection) -> Any:
    """The dialect's INSERT, which has ON CONFLICT DO UPDATE on both SQLite and PostgreSQL."""
    return pg_insert if conn.dialect.name == "postgresql" else sqlite_insert


def record_turn(conn: Connection, *, day: date, intent: str | None, outcome: str) -> None:
    """Count one kiosk turn (an upsert: concurrent kiosks add up, never overwrite)."""
    stmt = _insert(conn)(TURNS).values(day=day, intent=intent or "", outcome=outcome, count=1)
    conn.execute(stmt.on_conflict_do_update(index_elements=["day", "intent", "outcome"],
                                            set_={"count": TURNS.c.count + 1}))  # fmt: skip


def record_gap(conn: Connection, *, lang: str, text: str, out_of_scope: bool) -> None:
    masked = mask_numbers(text)[:MAX_TEXT].strip()
    if not masked or masked.replace("#", "").strip() == "":
        return
    now = utc_now()
    stmt = _insert(conn)(GAP).values(lang=lang, text=masked, out_of_scope=out_of_scope, count=1, first_seen_at=now,
                                     last_seen_at=now, status="open")  # fmt: skip
    conn.execute(stmt.on_conflict_do_update(index_elements=["lang", "text"],
                                            set_={"count": GAP.c.count + 1, "last_seen_at": now}))  # fmt: skip


@dataclass(frozen=True)
class Gap:
    """One distinct wording no kiosk understood."""

    id: int
    lang: str
    text: str
    out_of_scope: bool
    count: int
    first_seen_at: datetime
    last_seen_at: datetime
    status: str
    resolution: str | None


def list_gaps(conn: Connection, status: str = "open", limit: int = 200) -> list[Gap]:
    query = select(GAP).order_by(GAP.c.count.desc(), GAP.c.last_seen_at.desc()).limit(limit)
    if status != "all":
        query = query.where(GAP.c.status == status)
    return [_gap(r) for r in conn.execute(query)]


def gap(conn: Connection, gap_id: int) -> Gap | None:
    return next((g for g in list_gaps_by_id(conn, [gap_id])), None)


def list_gaps_by_id(conn: Connection, ids: list[int]) -> list[Gap]:
    rows = conn.execute(select(GAP).where(GAP.c.id.in_(ids)))
    return [_gap(r) for r in rows]


def _gap(r: AnyRow) -> Gap:
    # `count` is also a tuple method of Row, so that column is read by its key.
    count = r._mapping["count"]
    return Gap(r.id, r.lang, r.text, r.out_of_scope, count, r.first_seen_at, r.last_seen_at, r.status, r.resolution)


def resolve_gap(conn: Connection, gap_id: int, status: str, *, actor: str, resolution: str | None = None) -> None:
    conn.execute(
        update(GAP)
        .where(GAP.c.id == gap_id)
        .values(status=status, resolved_at=utc_now(), resolved_by=actor, resolution=resolution)
    )
    audit_log.record(conn, actor=actor, action=f"gap.{status}", subject=f"gap:{gap_id}",
                     detail={"intent": resolution} if resolution else None)  # fmt: skip


@dataclass(frozen=True)
class TurnTotals:
    """Counts for the charts."""

    intents: list[tuple[str, int]]
    """Understood turns per intent, most first."""
    weeks: list[tuple[date, int, int]]
    """(Monday of the week, turns, turns not understood), oldest first."""


def turn_totals(conn: Connection, today: date, *, intent_days: int = 30, weeks: int = 8) -> TurnTotals:
    since = today - timedelta(days=intent_days - 1)
    intents = conn.execute(
        select(TURNS.c.intent, func.sum(TURNS.c.count).label("n"))
        .where(TURNS.c.day >= since, TURNS.c.outcome == "understood", TURNS.c.intent != "")
        .group_by(TURNS.c.intent)
        .order_by(func.sum(TURNS.c.count).desc())
        .limit(8)
    )
    monday = today - timedelta(days=today.weekday())
    first = monday - timedelta(weeks=weeks - 1)
    per_week: dict[date, list[int]] = {first + timedelta(weeks=n): [0, 0] for n in range(weeks)}
    for row in conn.execute(
        select(TURNS.c.day, TURNS.c.outcome, func.sum(TURNS.c.count).label("n"))
        .where(TURNS.c.day >= first)
        .group_by(TURNS.c.day, TURNS.c.outcome)
    ):
        week = row.day - timedelta(days=row.day.weekday())
        if week in per_week:
            per_week[week][0] += int(row.n)
            if row.outcome != "understood":
                per_week[week][1] += int(row.n)
    return TurnTotals(
        intents=[(r.intent, int(r.n)) for r in intents],
        weeks=[(week, total, missed) for week, (total, missed) in sorted(per_week.items())],
    )
