"""A family member enters the elder's consent code and their own phone: they become a proxy.

Six digits are guessable by brute force, so entering codes is rate-limited in the
database (every worker agrees, and a restart forgets nothing): a few failures per source
address, a few per family member's phone (one person moving between networks), and a
ceiling on failures from everywhere together, per window. With at most a handful of live codes
among a million, the global ceiling keeps the chance that guessing ever hits a live
code negligible, whatever addresses an attacker uses. Addresses are stored only as a
keyed hash.

The phone number is not a password (the kiosk has no way to send an SMS offline): it
says who the proxy is, so the elder hears "李小红 (尾号8000)" and the same person linking
again updates their permission instead of adding a second one.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import Connection, delete, func, insert, select, update

from server.booking.centre_time import local_moment, utc_now
from server.db.database import Database
from server.db.models import ConsentCode, ConsentCodeAttempt, Proxy, ProxySession
from server.db.rows import AnyRow
from server.errors import ConsentCodeExpired, ConsentCodeInvalid, ConsentCodeUsed, TooManyAttempts
from server.family.consents import CODE_LIFETIME_FOR_MATCHING, consent_code_hash, scopes_of, scopes_text
from server.privacy.audit_log import record
from server.privacy.personal_data import add_proxy_row, clean_name, set_proxy_name
from server.privacy.phone_numbers import normalise_phone, phone_lookup_hash
from server.privacy.tokens import new_token, token_hash
from server.settings import ServerSettings

CONSENT = ConsentCode.__table__
ATTEMPT = ConsentCodeAttempt.__table__
PROXY = Proxy.__table__
PROXY_SESSION = ProxySession.__table__

PROXY_SESSION_PREFIX = "ps_"
SOURCE_MAX_FAILURES = 5
"""Wrong codes allowed per source address per window."""
PHONE_MAX_FAILURES = 5
"""Wrong codes allowed per family member's phone number per window, from any address."""
ALL_MAX_FAILURES = 30
"""Wrong codes allowed from all sources together per window."""
WINDOW = timedelta(minutes=10)
PROXY_SESSION_DAYS = 30
"""How long the family page stays signed in on one phone (never past the permission's end)."""

_CODE_SEPARATORS = re.compile(r"[\s\-]")

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LinkRequest:
    """What the family member typed on the page."""

    code: str
    phone: str
    name: str
    """How the elder will hear who acted ("女儿小红", "your son David")."""
    scopes: tuple[str, ...]
    """Asked for; the proxy gets those the elder allowed."""
    valid_until: date | None
    """Last local day of the permission, if they want it to end (capped by the elder's)."""
    source: str
    """The client's address, for the rate limit only."""


@dataclass(frozen=True)
class NewProxySession:
    token: str
    """For the page's cookie; only its hash is stored."""
    proxy_id: int
    resident_id: int
    expires_at: datetime


def link_proxy(db: Database, settings: ServerSettings, request: LinkRequest) -> NewProxySession:
    """Redeem a consent code, or raise why not (each refusal counts towards the rate limit)."""
    now = utc_now()
    phone = normalise_phone(request.phone)
    clean_name(request.name)  # refuse a bad name before the code is spent
    code = _CODE_SEPARATORS.sub("", request.code)
    source_hash = hmac.new(settings.phone_key, b"client:" + request.source.encode(), hashlib.sha256).hexdigest()
    phone_hash = phone_lookup_hash(phone, settings.phone_key)
    refusal: Exception
    with db.write() as conn:
        conn.execute(delete(ATTEMPT).where(ATTEMPT.c.at < now - WINDOW))
        failures = select(func.count(), func.min(ATTEMPT.c.at)).where(
            ATTEMPT.c.succeeded.is_(False), ATTEMPT.c.at > now - WINDOW
        )
        mine = conn.execute(failures.where(ATTEMPT.c.source_hash == source_hash)).one()
        this_phone = conn.execute(failures.where(ATTEMPT.c.phone_hash == phone_hash)).one()
        everyone = conn.execute(failures).one()
        brakes = ((*mine, SOURCE_MAX_FAILURES), (*this_phone, PHONE_MAX_FAILURES), (*everyone, ALL_MAX_FAILURES))
        for count, first, limit in brakes:
            if count >= limit:
                log.warning("consent code entry blocked: %s failures in the window (limit %s)", count, limit)
                raise TooManyAttempts(
                    "too many wrong codes; wait a few minutes or ask the elder for a new code",
                    retry_after_seconds=int((first + WINDOW - now).total_seconds()) + 1,
                )
        consent = None
        if code.isascii() and code.isdigit():
            consent = conn.execute(
                select(CONSENT)
                .where(
                    CONSENT.c.code_hash == consent_code_hash(code, settings.phone_key),
                    CONSENT.c.created_at > now - CODE_LIFETIME_FOR_MATCHING,
                )
                .order_by(CONSENT.c.created_at.desc())
                .limit(1)
            ).first()
        if consent is None:
            refusal = ConsentCodeInvalid("no such code; check the six digits the elder was given")
        elif consent.used_at is not None:
            refusal = ConsentCodeUsed("this code was already used; ask the elder for a new one at the kiosk")
        elif consent.withdrawn_at is not None or consent.expires_at <= now:
            refusal = ConsentCodeExpired("this code has expired; ask the elder for a new one at the kiosk")
        else:
            conn.execute(insert(ATTEMPT).values(source_hash=source_hash, phone_hash=phone_hash, at=now, succeeded=True))
            return _become_proxy(conn, settings, request, consent, phone, now)
        conn.execute(insert(ATTEMPT).values(source_hash=source_hash, phone_hash=phone_hash, at=now, succeeded=False))
    # Outside the transaction, so the failed attempt above is committed before refusing.
    raise refusal


def _become_proxy(
    conn: Connection, settings: ServerSettings, request: LinkRequest, consent: AnyRow, phone: str, now: datetime
) -> NewProxySession:
    allowed = scopes_of(consent.scopes)
    scopes = scopes_text([s for s in request.scopes if s in allowed])
    valid_until = consent.proxy_until
    if request.valid_until is not None:
        chosen = local_moment(request.valid_until + timedelta(days=1), time(0), settings.timezone)
        valid_until = chosen if valid_until is None else min(chosen, valid_until)
    resident_id = consent.resident_id
    conn.execute(update(CONSENT).where(CONSENT.c.id == consent.id).values(used_at=now))
    existing = conn.scalar(
        select(PROXY.c.id).where(
            PROXY.c.resident_id == resident_id,
            PROXY.c.phone_hash == phone_lookup_hash(phone, settings.phone_key),
            PROXY.c.revoked_at.is_(None),
        )
    )
    values = {"consent_id": consent.id, "scopes": scopes, "valid_until": valid_until}
    if existing is None:
        proxy_id = add_proxy_row(
            conn, settings.data_keys, settings.phone_key, name=request.name, phone=phone,
            resident_id=resident_id, created_at=now, **values,
        )  # fmt: skip
        action = "proxy.link"
    else:
        proxy_id = existing
        conn.execute(update(PROXY).where(PROXY.c.id == proxy_id).values(**values))
        set_proxy_name(conn, settings.data_keys, proxy_id, request.name)
        action = "proxy.relink"
    token = new_token(PROXY_SESSION_PREFIX)
    expires_at = now + timedelta(days=PROXY_SESSION_DAYS)
    if valid_until is not None:
        expires_at = min(expires_at, valid_until)
    conn.execute(
        insert(PROXY_SESSION).values(
            token_hash=token_hash(token), proxy_id=proxy_id, created_at=now, expires_at=expires_at
        )
    )
    record(
        conn,
        actor=f"proxy:{proxy_id}",
        action=action,
        subject=f"consent:{consent.id}",
        on_behalf_of=f"resident:{resident_id}",
        detail={"scopes": scopes, "valid_until": valid_until.isoformat() if valid_until else None},
    )
    log.info("proxy %s linked to resident %s", proxy_id, resident_id)
    return NewProxySession(token, proxy_id, resident_id, expires_at)
