"""Tables of family proxies: consent codes, proxies, their sessions, and what they did.

An elder agrees at the kiosk (or at the desk) and gets a short code; a family member
who enters it on the family page becomes a *proxy* of that one elder, with scopes and an
optional end date, until the elder or staff revoke it. Every booking or cancellation a
proxy makes is kept as a `ProxyAction`, which the elder hears at the next kiosk session.

On the shared `Base` (models/base.py), so one metadata describes the whole
database and the schema test compares it with the migrations.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from server.db.models.base import Base

PROXY_SCOPES = ("view", "book", "cancel")
"""What a proxy may do for the elder: see appointments, book, cancel."""
PROXY_ACTIONS = ("booked", "cancelled")


class ConsentCode(Base):
    """A resident's agreement that a family member may act for them, as a short-lived code."""

    __tablename__ = "consent_code"
    __table_args__ = (
        CheckConstraint("extensions >= 0", name="extensions_not_negative"),
        Index(None, "code_hash"),
        Index(None, "resident_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id"))
    code_hash: Mapped[str] = mapped_column(String(64))
    """Keyed hash of the 6-digit code; the code itself is only shown (and spoken) to the elder."""
    scopes: Mapped[str] = mapped_column(String(40))
    """Comma-separated `PROXY_SCOPES` the proxy gets at most."""
    proxy_until: Mapped[datetime | None]
    """Latest end of the proxy's permission (None: until revoked)."""
    granted_by: Mapped[str] = mapped_column(String(40))
    """Audit actor that recorded the consent: "kiosk:2" (the elder), "device:3" (staff desk)."""
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    """The code can be entered until then (10 minutes, extendable)."""
    extensions: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    used_at: Mapped[datetime | None]
    """When a family member entered it; a code works once."""
    withdrawn_at: Mapped[datetime | None]
    """The elder changed their mind before it was used, or asked for a new code."""


class Proxy(Base):
    """A family member allowed to act for one resident."""

    __tablename__ = "proxy"
    __table_args__ = (
        Index(
            "uq_proxy_active_resident_phone",
            "resident_id",
            "phone_hash",
            unique=True,
            sqlite_where=text("revoked_at IS NULL"),
            postgresql_where=text("revoked_at IS NULL"),
        ),
        Index(None, "resident_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id"))
    """The only resident this proxy can ever act for."""
    consent_id: Mapped[int] = mapped_column(ForeignKey("consent_code.id"))
    """The consent it was made from (the latest one, when a proxy linked again)."""
    name: Mapped[str] = mapped_column(String(600))
    """Encrypted (server/privacy/field_crypto.py): how the elder will hear who acted, e.g. "女儿小红"."""
    phone: Mapped[str] = mapped_column(String(200))
    """Encrypted normalised phone number."""
    phone_hash: Mapped[str] = mapped_column(String(64))
    """Keyed hash of the phone: the same family member linking again updates this proxy."""
    scopes: Mapped[str] = mapped_column(String(40))
    """Comma-separated `PROXY_SCOPES`."""
    valid_until: Mapped[datetime | None]
    """End of the permission (None: until revoked)."""
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    revoked_by: Mapped[str | None] = mapped_column(String(40))
    """Audit actor who revoked it: the elder at a kiosk ("kiosk:2") or staff."""
    revoke_reason: Mapped[str | None] = mapped_column(String(200))


class ProxySession(Base):
    """The family page signed in as one proxy (a cookie; only its hash is stored)."""

    __tablename__ = "proxy_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    proxy_id: Mapped[int] = mapped_column(ForeignKey("proxy.id"), index=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]


class ProxyAction(Base):
    """A booking or cancellation a proxy made, until the elder has heard about it."""

    __tablename__ = "proxy_action"
    __table_args__ = (
        CheckConstraint(f"action IN ({', '.join(repr(a) for a in PROXY_ACTIONS)})", name="action"),
        Index(None, "resident_id", "told_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    proxy_id: Mapped[int] = mapped_column(ForeignKey("proxy.id"))
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id"))
    appointment_id: Mapped[int] = mapped_column(ForeignKey("appointment.id"))
    action: Mapped[str] = mapped_column(String(10))
    at: Mapped[datetime]
    told_at: Mapped[datetime | None]
    """When a kiosk told the elder (None: not yet)."""


class ConsentCodeAttempt(Base):
    """One try to enter a consent code on the family page; failures are rate-limited."""

    __tablename__ = "consent_code_attempt"
    __table_args__ = (Index(None, "at"), Index(None, "source_hash", "at"), Index(None, "phone_hash", "at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    source_hash: Mapped[str] = mapped_column(String(64))
    """Keyed hash of the client's address: limits per source without storing addresses."""
    phone_hash: Mapped[str | None] = mapped_column(String(64))
    """Keyed hash of the family member's phone: limits one person guessing from many addresses."""
    at: Mapped[datetime]
    succeeded: Mapped[bool] = mapped_column(Boolean)
