"""The retention job: personal data older than the retention period is removed or anonymised.

PIPL art. 19 and 47 ask for personal data to be kept no longer than needed. What the
centre still needs from an old appointment is that it happened — how many health checks
in March, how many no-shows — not who came. So for everything older than the cutoff:

- appointments lose the link to their resident, their free-text cancel reason, and the
  kiosk's idempotency key; service, time, status and kiosk stay, so every count by
  service, day and status is the same before and after;
- alerts lose the recognised words (a transcript) and the link to the resident;
- what proxies did, resident and family sessions, identification and code attempts,
  and unused consent codes are deleted;
- family proxies that were revoked or ended before the cutoff are deleted with their
  encrypted name and phone.

Residents themselves are not deleted: enrolling and removing a resident is a decision
for staff. The audit log is never touched (it holds ids, not names). SQLite runs with
`secure_delete`, so removed values are overwritten in the file, not left in free pages.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, Table, and_, case, delete, exists, or_, select, update

from server.booking.centre_time import utc_now
from server.db.database import Database
from server.db.models import (
    Alert,
    Appointment,
    ConsentCode,
    ConsentCodeAttempt,
    IdentificationAttempt,
    Proxy,
    ProxyAction,
    ProxySession,
    ResidentSession,
    TimeSlot,
)
from server.privacy.audit_log import record

APPOINTMENT = Appointment.__table__
SLOT = TimeSlot.__table__
ALERT = Alert.__table__
SESSION = ResidentSession.__table__
ATTEMPT = IdentificationAttempt.__table__
CONSENT = ConsentCode.__table__
CODE_ATTEMPT = ConsentCodeAttempt.__table__
PROXY = Proxy.__table__
PROXY_SESSION = ProxySession.__table__
ACTION = ProxyAction.__table__

BATCH_ROWS = 500
"""Rows changed per transaction: small enough that kiosks never wait long for the write lock."""

REMOVED_REASON = "(removed after the retention period)"
"""What an anonymised cancellation keeps as its reason (the schema requires one)."""


class RetentionPeriodInvalid(ValueError):
    """A retention period that would remove data still in use."""


@dataclass(frozen=True)
class RetentionReport:
    """What one run changed."""

    cutoff: datetime
    appointments_anonymised: int
    alerts_anonymised: int
    proxy_actions_deleted: int
    proxies_deleted: int
    consent_codes_deleted: int
    sessions_deleted: int
    attempts_deleted: int

    def lines(self) -> list[str]:
        return [f"{name.replace('_', ' ')}: {value}" for name, value in asdict(self).items()]


def run_retention(
    db: Database, older_than_days: int, *, now: datetime | None = None, batch_rows: int = BATCH_ROWS
) -> RetentionReport:
    """Remove or anonymise personal data older than `older_than_days`, in batches.

    Each batch is one transaction with its own audit row ("retention.batch"), so a run
    killed half-way leaves every batch either done and logged or not begun, and running
    the job again finishes the rest. Short batches also keep SQLite's single write lock
    free for the kiosks: one transaction over a year of rows would hold it for seconds.
    """
    if older_than_days < 1:
        raise RetentionPeriodInvalid("the retention period must be at least 1 day (live appointments need their data)")
    cutoff = (now or utc_now()) - timedelta(days=older_than_days)
    done = dict.fromkeys(STEP_TOTALS, 0)
    for step, (total, work) in STEPS.items():  # in order: a proxy goes after its actions and sessions
        while True:
            with db.write() as conn:
                changed = work(conn, cutoff, batch_rows)
                if changed:
                    record(conn, actor="system", action="retention.batch", subject=step,
                           detail={"rows": changed, "cutoff": cutoff.isoformat()})  # fmt: skip
            done[total] += changed
            if changed < batch_rows:
                break
    report = RetentionReport(cutoff=cutoff, **done)
    with db.write() as conn:
        detail = {k: v for k, v in asdict(report).items() if k != "cutoff"} | {"cutoff": cutoff.isoformat()}
        record(conn, actor="system", action="retention.run", subject="database", detail=detail)
    return report


def _first(table: Table, condition: ColumnElement[bool], limit: int) -> Select[Any]:
    """The ids of the first `limit` rows matching: one batch (a subquery both databases accept)."""
    return select(table.c.id).where(condition).order_by(table.c.id).limit(limit)


def _appointments(conn: Connection, cutoff: datetime, limit: int) -> int:
    old = and_(
        APPOINTMENT.c.slot_id.in_(select(SLOT.c.id).where(SLOT.c.ends_at < cutoff)),
        APPOINTMENT.c.resident_id.is_not(None),
    )
    return conn.execute(
        update(APPOINTMENT)
        .where(APPOINTMENT.c.id.in_(_first(APPOINTMENT, old, limit)))
        .values(
            resident_id=None,
            idempotency_key=None,
            request_hash=None,
            cancel_reason=case((APPOINTMENT.c.cancel_reason.is_(None), None), else_=REMOVED_REASON),
        )
    ).rowcount


def _alerts(conn: Connection, cutoff: datetime, limit: int) -> int:
    old = and_(ALERT.c.created_at < cutoff, or_(ALERT.c.note.is_not(None), ALERT.c.resident_id.is_not(None)))
    return conn.execute(
        update(ALERT).where(ALERT.c.id.in_(_first(ALERT, old, limit))).values(note=None, resident_id=None)
    ).rowcount


def _proxy_ended(cutoff: datetime) -> ColumnElement[bool]:
    return or_(PROXY.c.revoked_at < cutoff, and_(PROXY.c.valid_until.is_not(None), PROXY.c.valid_until < cutoff))


def _ended_proxies(cutoff: datetime) -> Select[Any]:
    return select(PROXY.c.id).where(_proxy_ended(cutoff))


def _deleting(table: Table, condition: Callable[[datetime], ColumnElement[bool]]) -> Step:
    def work(conn: Connection, cutoff: datetime, limit: int) -> int:
        return conn.execute(delete(table).where(table.c.id.in_(_first(table, condition(cutoff), limit)))).rowcount

    return work


Step = Callable[[Connection, datetime, int], int]
STEPS: dict[str, tuple[str, Step]] = {
    "appointment": ("appointments_anonymised", _appointments),
    "alert": ("alerts_anonymised", _alerts),
    "proxy_action": ("proxy_actions_deleted", _deleting(
        ACTION, lambda cutoff: or_(ACTION.c.at < cutoff, ACTION.c.proxy_id.in_(_ended_proxies(cutoff))))),
    "proxy_session": ("sessions_deleted", _deleting(
        PROXY_SESSION,
        lambda cutoff: or_(PROXY_SESSION.c.expires_at < cutoff, PROXY_SESSION.c.proxy_id.in_(_ended_proxies(cutoff))),
    )),
    "proxy": ("proxies_deleted", _deleting(
        PROXY,
        lambda cutoff: and_(
            _proxy_ended(cutoff),
            ~exists().where(ACTION.c.proxy_id == PROXY.c.id),
            ~exists().where(PROXY_SESSION.c.proxy_id == PROXY.c.id),
        ),
    )),
    "consent_code": ("consent_codes_deleted", _deleting(
        CONSENT, lambda cutoff: and_(CONSENT.c.created_at < cutoff, ~exists().where(PROXY.c.consent_id == CONSENT.c.id))
    )),
    "resident_session": ("sessions_deleted", _deleting(SESSION, lambda cutoff: SESSION.c.expires_at < cutoff)),
    "identification_attempt": ("attempts_deleted", _deleting(ATTEMPT, lambda cutoff: ATTEMPT.c.at < cutoff)),
    "consent_code_attempt": ("attempts_deleted", _deleting(CODE_ATTEMPT, lambda cutoff: CODE_ATTEMPT.c.at < cutoff)),
}  # fmt: skip
"""Each step: the report total it adds to, and one batch of its work (returns rows changed)."""
STEP_TOTALS = tuple(dict.fromkeys(total for total, _work in STEPS.values()))
