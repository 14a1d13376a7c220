"""Consent codes: an elder's "my daughter may book for me", as six digits valid for ten minutes.

The elder identifies at the kiosk (or staff check them at the desk) and gets a code to
give to the family member, who types it on the family page. A short code is enough
because it lives for minutes, works once, is limited per source and overall
(server/family/linking.py), and an elder has at most one live code. Only a keyed hash of
the code is stored, so the database does not reveal a code that could still be used.

Ten minutes, extendable: the Chinese web-accessibility rules ask that time-limited codes
be announced by voice and extendable (docs: /work/shared/reference elder-friendly §1.2),
and WCAG 2.2.1 asks for a simple way to get more time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Connection, insert, select, update

from protocol.bodies import Scope
from server.db.models import PROXY_SCOPES, ConsentCode, Resident
from server.errors import ConsentNotExtendable, ConsentNotFound
from server.privacy.audit_log import record

CONSENT = ConsentCode.__table__
RESIDENT = Resident.__table__

CODE_DIGITS = 6
CODE_MINUTES = 10
"""How long a code can be entered; each extension gives this again from the moment of asking."""
MAX_EXTENSIONS = 3
CODE_LIFETIME_FOR_MATCHING = timedelta(days=2)
"""A code typed long after it expired is matched to its consent for a clear "expired" answer only this long."""


class ScopesInvalid(ValueError):
    """Scopes not among view/book/cancel, or none at all."""


@dataclass(frozen=True)
class IssuedConsent:
    """A live consent code, as the kiosk shows and speaks it."""

    consent_id: int
    code: str
    """Six digits; shown only here, never stored."""
    expires_at: datetime
    extensions_left: int
    scopes: tuple[Scope, ...]
    proxy_until: datetime | None


@dataclass(frozen=True)
class ExtendedConsent:
    consent_id: int
    expires_at: datetime
    extensions_left: int


def consent_code_hash(code: str, key: bytes) -> str:
    """Keyed, so the 10^6 possible codes cannot be tried against a copy of the table."""
    return hmac.new(key, b"consent-code:" + code.encode(), hashlib.sha256).hexdigest()


def scopes_text(scopes: list[str] | tuple[str, ...] | set[str]) -> str:
    """The stored form: known scopes, in a fixed order, comma-separated."""
    unknown = set(scopes) - set(PROXY_SCOPES)
    if unknown:
        raise ScopesInvalid(f"unknown scopes {sorted(unknown)}; allowed: {', '.join(PROXY_SCOPES)}")
    if not scopes:
        raise ScopesInvalid("at least one scope (view, book or cancel) is needed")
    return ",".join(s for s in PROXY_SCOPES if s in scopes)


def scopes_of(text: str) -> tuple[Scope, ...]:
    # The stored text is written by scopes_text, which lets only PROXY_SCOPES through.
    return cast(tuple[Scope, ...], tuple(s for s in text.split(",") if s))


def issue_consent(
    conn: Connection,
    code_key: bytes,
    *,
    resident_id: int,
    granted_by: str,
    scopes: tuple[str, ...] = PROXY_SCOPES,
    proxy_until: datetime | None = None,
    now: datetime,
) -> IssuedConsent:
    """A new code for the resident; any earlier live code of theirs stops working."""
    stored_scopes = scopes_text(scopes)
    conn.execute(
        update(CONSENT)
        .where(
            CONSENT.c.resident_id == resident_id,
            CONSENT.c.used_at.is_(None),
            CONSENT.c.withdrawn_at.is_(None),
            CONSENT.c.expires_at > now,
        )
        .values(withdrawn_at=now)
    )
    code, digest = _unused_code(conn, code_key, now)
    expires_at = now + timedelta(minutes=CODE_MINUTES)
    consent_id = conn.execute(
        insert(CONSENT)
        .values(
            resident_id=resident_id,
            code_hash=digest,
            scopes=stored_scopes,
            proxy_until=proxy_until,
            granted_by=granted_by,
            created_at=now,
            expires_at=expires_at,
            extensions=0,
        )
        .returning(CONSENT.c.id)
    ).scalar_one()
    record(
        conn,
        actor=granted_by,
        action="consent.grant",
        subject=f"consent:{consent_id}",
        on_behalf_of=f"resident:{resident_id}",
        detail={"scopes": stored_scopes, "proxy_until": proxy_until.isoformat() if proxy_until else None},
    )
    return IssuedConsent(consent_id, code, expires_at, MAX_EXTENSIONS, scopes_of(stored_scopes), proxy_until)


def extend_consent(
    conn: Connection, *, consent_id: int, resident_id: int, actor: str, now: datetime
) -> ExtendedConsent:
    """Ten more minutes from now, for a code still live and not extended too often."""
    row = _own_consent(conn, consent_id, resident_id)
    if row.used_at is not None or row.withdrawn_at is not None or row.expires_at <= now:
        raise ConsentNotExtendable("this code was used, withdrawn or has expired; ask for a new one")
    if row.extensions >= MAX_EXTENSIONS:
        raise ConsentNotExtendable(f"a code can be extended {MAX_EXTENSIONS} times; ask for a new one")
    expires_at = now + timedelta(minutes=CODE_MINUTES)
    conn.execute(
        update(CONSENT)
        .where(CONSENT.c.id == consent_id)
        .values(expires_at=expires_at, extensions=CONSENT.c.extensions + 1)
    )
    record(
        conn,
        actor=actor,
        action="consent.extend",
        subject=f"consent:{consent_id}",
        on_behalf_of=f"resident:{resident_id}",
    )
    return ExtendedConsent(consent_id, expires_at, MAX_EXTENSIONS - row.extensions - 1)


def withdraw_consent(conn: Connection, *, consent_id: int, resident_id: int, actor: str, now: datetime) -> None:
    """The elder changed their mind before the code was used (a used code made a proxy: revoke that)."""
    row = _own_consent(conn, consent_id, resident_id)
    if row.used_at is None and row.withdrawn_at is None:
        conn.execute(update(CONSENT).where(CONSENT.c.id == consent_id).values(withdrawn_at=now))
        record(
            conn,
            actor=actor,
            action="consent.withdraw",
            subject=f"consent:{consent_id}",
            on_behalf_of=f"resident:{resident_id}",
        )


def _own_consent(conn: Connection, consent_id: int, resident_id: int) -> Any:
    row = conn.execute(select(CONSENT).where(CONSENT.c.id == consent_id, CONSENT.c.resident_id == resident_id)).first()
    if row is None:  # someone else's consent answers exactly like one that does not exist
        raise ConsentNotFound(f"no consent #{consent_id} for this resident")
    return row


def _unused_code(conn: Connection, key: bytes, now: datetime) -> tuple[str, str]:
    """A code no other recent consent has, so a typed code names one consent only."""
    for _ in range(20):
        code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
        digest = consent_code_hash(code, key)
        clash = conn.scalar(
            select(CONSENT.c.id).where(
                CONSENT.c.code_hash == digest, CONSENT.c.created_at > now - CODE_LIFETIME_FOR_MATCHING
            )
        )
        if clash is None:
            return code, digest
    raise RuntimeError("no free consent code after 20 tries; the consent_code table needs cleaning")
