"""Staff accounts: creating them, signing in, and the brakes on guessing passwords.

Two brakes, because they stop different attacks:

- an *account* locks for `LOCK_MINUTES` after `LOCK_AFTER_FAILURES` wrong passwords in a
  row (someone guessing one colleague's password); an admin can unlock it earlier;
- an *address* that failed `CLIENT_MAX_FAILURES` times within `CLIENT_WINDOW_MINUTES` is
  refused outright for the rest of the window (someone trying many user names).

Every sign-in, failure and lock is written to the audit log. The password check (about
50 ms of Argon2) runs outside any write transaction: on SQLite a write holds the one
write lock, and kiosks' bookings must not wait for it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, case, func, insert, literal, select, update

from server.booking.centre_time import utc_now
from server.db.database import Database
from server.db.models import STAFF_ROLES, LoginAttempt, StaffAccount, StaffSession
from server.db.rows import AnyRow
from server.privacy import audit_log
from server.privacy.passwords import check_new_password, hash_password, needs_rehash, password_matches

ACCOUNT = StaffAccount.__table__
ATTEMPT = LoginAttempt.__table__
SESSION = StaffSession.__table__

LOCK_AFTER_FAILURES = 5
LOCK_MINUTES = 15
CLIENT_MAX_FAILURES = 20
CLIENT_WINDOW_MINUTES = 10
USERNAME_PATTERN = re.compile(r"^[a-z][a-z0-9._-]{1,59}$")


@dataclass(frozen=True)
class StaffMember:
    """A signed-in person, as every console page sees them."""

    id: int
    username: str
    role: str
    """"staff" or "admin"."""

    @property
    def actor(self) -> str:
        """How the audit log names them."""
        return f"staff:{self.id}"

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


class AccountError(ValueError):
    """An account cannot be created or changed as asked; the message says why."""


class LoginRefused(Exception):
    """A sign-in that did not succeed. `reason` picks the words on the login page."""

    def __init__(self, reason: str, retry_after_seconds: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        """"wrong" (name or password; never which), "locked", "too_many"."""
        self.retry_after_seconds = retry_after_seconds


def normalise_username(username: str) -> str:
    return username.strip().lower()


def create_account(conn: Connection, username: str, password: str, role: str, *, actor: str) -> StaffMember:
    """Add an account; `actor` ("system" for the command line, "staff:1" for an admin) is audited."""
    name = normalise_username(username)
    if not USERNAME_PATTERN.match(name):
        raise AccountError(
            f"user name {username!r} must be 2-60 lower-case letters, digits, '.', '_' or '-', starting with a letter"
        )
    if role not in STAFF_ROLES:
        raise AccountError(f"role {role!r} must be one of {', '.join(STAFF_ROLES)}")
    try:
        check_new_password(password, name)
    except ValueError as exc:
        raise AccountError(str(exc)) from None
    if conn.scalar(select(ACCOUNT.c.id).where(ACCOUNT.c.username == name)) is not None:
        raise AccountError(f"there is already an account named {name!r}")
    now = utc_now()
    account_id = conn.execute(
        insert(ACCOUNT)
        .values(username=name, role=role, password_hash=hash_password(password), created_at=now,
                password_changed_at=now, failed_logins=0)
        .returning(ACCOUNT.c.id)
    ).scalar_one()  # fmt: skip
    audit_log.record(conn, actor=actor, action="account.create", subject=f"staff:{account_id}",
                     detail={"username": name, "role": role})  # fmt: skip
    return StaffMember(account_id, name, role)


def sign_in(db: Database, username: str, password: str, client: str) -> StaffMember:
    """Check a sign-in; raises `LoginRefused`. Records the attempt either way."""
    name = normalise_username(username)[:60]
    client = client[:64]
    now = utc_now()
    with db.read() as conn:
        recent_failures = conn.execute(
            select(func.count())
            .select_from(ATTEMPT)
            .where(
                ATTEMPT.c.client == client,
                ATTEMPT.c.succeeded.is_(False),
                ATTEMPT.c.at > now - timedelta(minutes=CLIENT_WINDOW_MINUTES),
            )
        ).scalar_one()
        account = conn.execute(select(ACCOUNT).where(ACCOUNT.c.username == name)).first()
    if recent_failures >= CLIENT_MAX_FAILURES:
        with db.write() as conn:  # committed, then refused
            audit_log.record(conn, actor="system", action="staff.login_throttled", subject=f"client:{client}",
                             detail={"failures": recent_failures})  # fmt: skip
        raise LoginRefused("too_many", retry_after_seconds=CLIENT_WINDOW_MINUTES * 60)

    live = account if account is not None and account.disabled_at is None else None
    usable = live is not None
    locked = live is not None and live.locked_until is not None and live.locked_until > now
    # Always spend the hashing time, so timing tells nothing about which names exist.
    right = password_matches(live.password_hash if live is not None and not locked else None, password)

    # The refusal is raised after the transaction commits: the attempt, the failure count
    # and the audit events must be kept precisely when the sign-in fails.
    refusal: LoginRefused | None = None
    with db.write() as conn:
        conn.execute(insert(ATTEMPT).values(username=name, client=client, at=now, succeeded=right))
        if account is None or not usable:
            audit_log.record(conn, actor="system", action="staff.login_failed", subject="staff:unknown",
                             detail={"client": client, "known": account is not None})  # fmt: skip
            refusal = LoginRefused("wrong")
        elif locked:
            audit_log.record(conn, actor="system", action="staff.login_refused_locked", subject=f"staff:{account.id}",
                             detail={"client": client})  # fmt: skip
            seconds = int((account.locked_until - now).total_seconds()) + 1
            refusal = LoginRefused("locked", retry_after_seconds=seconds)
        elif not right:
            refusal = _count_failure(conn, account, client, now)
        else:
            values: dict[str, object] = {"failed_logins": 0, "locked_until": None, "last_login_at": now}
            if needs_rehash(account.password_hash):
                values["password_hash"] = hash_password(password)
            conn.execute(update(ACCOUNT).where(ACCOUNT.c.id == account.id).values(**values))
            audit_log.record(conn, actor=f"staff:{account.id}", action="staff.login", subject=f"staff:{account.id}",
                             detail={"client": client})  # fmt: skip
    if refusal is not None:
        raise refusal
    assert account is not None  # no refusal: the password was right for a usable account
    return StaffMember(account.id, account.username, account.role)


def _count_failure(conn: Connection, account: AnyRow, client: str, now: datetime) -> LoginRefused:
    """One more wrong password; the one that reaches the limit locks the account."""
    subject = f"staff:{account.id}"
    lock_at = literal(now + timedelta(minutes=LOCK_MINUTES), ACCOUNT.c.locked_until.type)
    conn.execute(
        update(ACCOUNT)
        .where(ACCOUNT.c.id == account.id)
        .values(
            failed_logins=ACCOUNT.c.failed_logins + 1,
            locked_until=case((ACCOUNT.c.failed_logins + 1 >= LOCK_AFTER_FAILURES, lock_at),
                              else_=ACCOUNT.c.locked_until),
        )
    )  # fmt: skip
    failures: int = conn.execute(select(ACCOUNT.c.failed_logins).where(ACCOUNT.c.id == account.id)).scalar_one()
    audit_log.record(conn, actor="system", action="staff.login_failed", subject=subject,
                     detail={"client": client, "failures": failures})  # fmt: skip
    if failures >= LOCK_AFTER_FAILURES:
        audit_log.record(conn, actor="system", action="staff.locked", subject=subject, detail={"minutes": LOCK_MINUTES})
        return LoginRefused("locked", retry_after_seconds=LOCK_MINUTES * 60)
    return LoginRefused("wrong")


@dataclass(frozen=True)
class AccountRow:
    """One line of the admin's account list."""

    id: int
    username: str
    role: str
    created_at: datetime
    last_login_at: datetime | None
    locked_until: datetime | None
    failed_logins: int
    disabled: bool


def list_accounts(conn: Connection) -> list[AccountRow]:
    rows = conn.execute(select(ACCOUNT).order_by(ACCOUNT.c.username))
    return [
        AccountRow(r.id, r.username, r.role, r.created_at, r.last_login_at, r.locked_until, r.failed_logins,
                   r.disabled_at is not None)
        for r in rows
    ]  # fmt: skip


def _account(conn: Connection, account_id: int) -> object:
    row = conn.execute(select(ACCOUNT).where(ACCOUNT.c.id == account_id)).first()
    if row is None:
        raise AccountError(f"there is no account #{account_id}")
    return row


def unlock(conn: Connection, account_id: int, *, actor: str) -> None:
    _account(conn, account_id)
    conn.execute(update(ACCOUNT).where(ACCOUNT.c.id == account_id).values(failed_logins=0, locked_until=None))
    audit_log.record(conn, actor=actor, action="account.unlock", subject=f"staff:{account_id}")


def set_disabled(conn: Connection, account_id: int, disabled: bool, *, actor: str) -> None:
    """Disable (or enable again) an account; disabling ends its sessions at once."""
    if disabled and actor == f"staff:{account_id}":
        raise AccountError("you cannot disable your own account")
    _account(conn, account_id)
    now = utc_now()
    conn.execute(update(ACCOUNT).where(ACCOUNT.c.id == account_id).values(disabled_at=now if disabled else None))
    if disabled:
        end_sessions_of(conn, account_id)
    audit_log.record(conn, actor=actor, action="account.disable" if disabled else "account.enable",
                     subject=f"staff:{account_id}")  # fmt: skip


def set_role(conn: Connection, account_id: int, role: str, *, actor: str) -> None:
    if role not in STAFF_ROLES:
        raise AccountError(f"role {role!r} must be one of {', '.join(STAFF_ROLES)}")
    if actor == f"staff:{account_id}" and role != "admin":
        raise AccountError("you cannot take away your own admin role; ask another admin")
    _account(conn, account_id)
    conn.execute(update(ACCOUNT).where(ACCOUNT.c.id == account_id).values(role=role))
    end_sessions_of(conn, account_id)  # the new role applies from the next sign-in
    audit_log.record(conn, actor=actor, action="account.role", subject=f"staff:{account_id}", detail={"role": role})


def set_password(conn: Connection, account_id: int, password: str, *, actor: str) -> None:
    """A new password (own, or set by an admin); every open session of the account ends."""
    row = _account(conn, account_id)
    try:
        check_new_password(password, row.username)  # type: ignore[attr-defined]
    except ValueError as exc:
        raise AccountError(str(exc)) from None
    conn.execute(
        update(ACCOUNT)
        .where(ACCOUNT.c.id == account_id)
        .values(password_hash=hash_password(password), password_changed_at=utc_now(), failed_logins=0,
                locked_until=None)
    )  # fmt: skip
    end_sessions_of(conn, account_id)
    audit_log.record(conn, actor=actor, action="account.password", subject=f"staff:{account_id}")


def end_sessions_of(conn: Connection, account_id: int) -> None:
    conn.execute(
        update(SESSION)
        .where(SESSION.c.account_id == account_id, SESSION.c.ended_at.is_(None))
        .values(ended_at=utc_now())
    )
