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

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, case, delete, exists, or_, select, update

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


def run_retention(db: Database, older_than_days: int, *, now: datetime | None = None) -> RetentionReport:
    """Remove or anonymise personal data older than `older_than_days`, in one transaction."""
    if older_than_days < 1:
        raise RetentionPeriodInvalid("the retention period must be at least 1 day (live appointments need their data)")
    cutoff = (now or utc_now()) - timedelta(days=older_than_days)
    with db.write() as conn:
        old_slots = select(SLOT.c.id).where(SLOT.c.ends_at < cutoff)
        appointments = conn.execute(
            update(APPOINTMENT)
            .where(APPOINTMENT.c.slot_id.in_(old_slots), APPOINTMENT.c.resident_id.is_not(None))
            .values(
                resident_id=None,
                idempotency_key=None,
                request_hash=None,
                cancel_reason=case((APPOINTMENT.c.cancel_reason.is_(None), None), else_=REMOVED_REASON),
            )
        ).rowcount
        alerts = conn.execute(
            update(ALERT)
            .where(ALERT.c.created_at < cutoff, or_(ALERT.c.note.is_not(None), ALERT.c.resident_id.is_not(None)))
            .values(note=None, resident_id=None)
        ).rowcount
        ended_proxies = select(PROXY.c.id).where(
            or_(PROXY.c.revoked_at < cutoff, and_(PROXY.c.valid_until.is_not(None), PROXY.c.valid_until < cutoff))
        )
        actions = conn.execute(
            delete(ACTION).where(or_(ACTION.c.at < cutoff, ACTION.c.proxy_id.in_(ended_proxies)))
        ).rowcount
        sessions = conn.execute(
            delete(PROXY_SESSION).where(
                or_(PROXY_SESSION.c.expires_at < cutoff, PROXY_SESSION.c.proxy_id.in_(ended_proxies))
            )
        ).rowcount
        proxies = conn.execute(delete(PROXY).where(PROXY.c.id.in_(ended_proxies))).rowcount
        consents = conn.execute(
            delete(CONSENT).where(CONSENT.c.created_at < cutoff, ~exists().where(PROXY.c.consent_id == CONSENT.c.id))
        ).rowcount
        sessions += conn.execute(delete(SESSION).where(SESSION.c.expires_at < cutoff)).rowcount
        attempts = conn.execute(delete(ATTEMPT).where(ATTEMPT.c.at < cutoff)).rowcount
        attempts += conn.execute(delete(CODE_ATTEMPT).where(CODE_ATTEMPT.c.at < cutoff)).rowcount
        report = RetentionReport(
            cutoff=cutoff,
            appointments_anonymised=appointments,
            alerts_anonymised=alerts,
            proxy_actions_deleted=actions,
            proxies_deleted=proxies,
            consent_codes_deleted=consents,
            sessions_deleted=sessions,
            attempts_deleted=attempts,
        )
        detail = {k: v for k, v in asdict(report).items() if k != "cutoff"} | {"cutoff": cutoff.isoformat()}
        record(conn, actor="system", action="retention.run", subject="database", detail=detail)
    return report
