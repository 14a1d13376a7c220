"""Cookie sessions and CSRF tokens for the staff console.

The cookie holds a random token (192 bits); the database keeps only its SHA-256, like
device tokens, so a copied database opens no session. The cookie is `HttpOnly` (page
scripts cannot read it), `SameSite=Strict` (another site's page cannot make the
browser send it) and `Secure` when the console is served over HTTPS.

Every state-changing request must also carry the session's CSRF token — as the form
field `csrf_token` or the header `X-CSRF-Token` — which only pages of this console
know. The login form, which has no session yet, uses a double-submit token: a random
cookie that the form repeats.

A session ends after `IDLE_MINUTES` without a request, after `ABSOLUTE_HOURS` in any
case, when its owner signs out, changes password, or is disabled.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from fastapi import Request, Response
from sqlalchemy import Connection, insert, select, update

from server.booking.centre_time import utc_now
from server.console.accounts import StaffMember
from server.db.database import Database
from server.db.models import StaffAccount, StaffSession
from server.privacy.tokens import token_hash

SESSION_COOKIE = "kiosk_staff_session"
LOGIN_CSRF_COOKIE = "kiosk_login_csrf"
LANG_COOKIE = "kiosk_console_lang"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"

IDLE_MINUTES = 120
"""A desk left alone for two hours signs out; a shift's work does not."""
ABSOLUTE_HOURS = 12
TOUCH_SECONDS = 60
"""`last_seen_at` is written at most this often: every page view need not be a write."""

SESSION = StaffSession.__table__
ACCOUNT = StaffAccount.__table__


@dataclass(frozen=True)
class ConsoleSession:
    """A live signed-in browser."""

    id: int
    member: StaffMember
    csrf_token: str


def open_session(conn: Connection, member: StaffMember) -> str:
    """Start a session for `member`; returns the cookie token (shown to the browser only)."""
    token = secrets.token_urlsafe(24)
    now = utc_now()
    conn.execute(
        insert(SESSION).values(
            token_hash=token_hash(token),
            account_id=member.id,
            csrf_token=secrets.token_urlsafe(32),
            created_at=now,
            last_seen_at=now,
            expires_at=now + timedelta(hours=ABSOLUTE_HOURS),
        )
    )
    return token


def session_for(db: Database, token: str | None) -> ConsoleSession | None:
    """The live session behind a cookie token, or None (unknown, ended, idle, expired, disabled)."""
    if not token:
        return None
    now = utc_now()
    query = (
        select(SESSION.c.id, SESSION.c.csrf_token, SESSION.c.last_seen_at, SESSION.c.expires_at,
               ACCOUNT.c.id.label("account_id"), ACCOUNT.c.username, ACCOUNT.c.role)
        .select_from(SESSION.join(ACCOUNT, ACCOUNT.c.id == SESSION.c.account_id))
        .where(SESSION.c.token_hash == token_hash(token), SESSION.c.ended_at.is_(None),
               ACCOUNT.c.disabled_at.is_(None))
    )  # fmt: skip
    with db.read() as conn:
        row = conn.execute(query).first()
    if row is None or row.expires_at <= now or row.last_seen_at <= now - timedelta(minutes=IDLE_MINUTES):
        return None
    if (now - row.last_seen_at).total_seconds() > TOUCH_SECONDS:
        with db.write() as conn:
            conn.execute(update(SESSION).where(SESSION.c.id == row.id).values(last_seen_at=now))
    return ConsoleSession(row.id, StaffMember(row.account_id, row.username, row.role), row.csrf_token)


def end_session(conn: Connection, session_id: int) -> None:
    conn.execute(update(SESSION).where(SESSION.c.id == session_id).values(ended_at=utc_now()))


def tokens_match(expected: str | None, given: str | None) -> bool:
    """Constant-time comparison, so the token cannot be found a character at a time."""
    return bool(expected) and bool(given) and hmac.compare_digest(str(expected), str(given))


def is_https(request: Request) -> bool:
    return request.url.scheme == "https"


def set_session_cookie(response: Response, request: Request, token: str) -> None:
    response.set_cookie(
        SESSION_COOKIE, token, httponly=True, samesite="strict", secure=is_https(request), path="/staff",
        max_age=ABSOLUTE_HOURS * 3600,
    )  # fmt: skip


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/staff")


def login_csrf_token(request: Request) -> str:
    """The double-submit token for the login form: the cookie's, or a new one."""
    return request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(24)


def set_login_csrf_cookie(response: Response, request: Request, token: str) -> None:
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", secure=is_https(request),
                        path="/staff")  # fmt: skip


def session_token(request: Request) -> str | None:
    return request.cookies.get(SESSION_COOKIE)
