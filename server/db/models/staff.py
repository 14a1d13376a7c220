"""Tables of the staff console: accounts, sessions, catalogue versions, understanding gaps, the audit log.

On the shared `Base` (models/base.py), so one
metadata describes the whole database and the schema test compares it with the migrations.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from server.db.models.base import Base, one_of

STAFF_ROLES = ("staff", "admin")
CATALOGUE_VERSION_KINDS = ("initial", "publish", "rollback")
GAP_STATUSES = ("open", "added", "dismissed")
TURN_OUTCOMES = ("understood", "not_understood", "out_of_scope")


class AuditEvent(Base):
    """One thing someone did; rows are only ever inserted (triggers refuse UPDATE and DELETE)."""

    __tablename__ = "audit_event"
    __table_args__ = (
        Index(None, "at"),
        Index(None, "actor", "at"),
        Index(None, "action", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime]
    """When, in UTC."""
    actor: Mapped[str] = mapped_column(String(40))
    """"staff:3", "kiosk:2", "proxy:7", "system"."""
    action: Mapped[str] = mapped_column(String(60))
    """A dotted verb: "catalogue.publish", "staff.login_failed"."""
    subject: Mapped[str] = mapped_column(String(200))
    """What was acted on: "catalogue:v4", "appointment:M4827"."""
    on_behalf_of: Mapped[str | None] = mapped_column(String(40))
    """The person the actor acted for, when not themselves."""
    detail: Mapped[dict[str, Any]]
    """Small JSON facts about the action; never secrets."""


class StaffAccount(Base):
    """A person who signs in to the staff console."""

    __tablename__ = "staff_account"
    __table_args__ = (
        CheckConstraint(one_of("role", STAFF_ROLES), name="role"),
        CheckConstraint("failed_logins >= 0", name="failed_logins_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(60), unique=True)
    """Lower-case; what the person types to sign in."""
    role: Mapped[str] = mapped_column(String(10))
    """"staff" keeps the centre's data; "admin" also manages accounts and reads the audit log."""
    password_hash: Mapped[str] = mapped_column(String(200))
    """Argon2id hash in PHC form; the password itself is never stored."""
    created_at: Mapped[datetime]
    password_changed_at: Mapped[datetime]
    failed_logins: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    """Wrong passwords since the last successful sign-in."""
    locked_until: Mapped[datetime | None]
    """Set after too many wrong passwords; an admin may unlock earlier."""
    last_login_at: Mapped[datetime | None]
    disabled_at: Mapped[datetime | None]
    """A disabled account cannot sign in; accounts are never deleted (the audit log names them)."""


class StaffSession(Base):
    """A signed-in browser: the cookie holds a random token, the database only its hash."""

    __tablename__ = "staff_session"
    __table_args__ = (Index(None, "account_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("staff_account.id"))
    csrf_token: Mapped[str] = mapped_column(String(64))
    """Every form of this session carries it; a forged cross-site form cannot know it."""
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    """The absolute end; idleness ends a session earlier (server/console/sessions.py)."""
    ended_at: Mapped[datetime | None]


class LoginAttempt(Base):
    """One sign-in try, kept for rate limiting per browser address and per account name."""

    __tablename__ = "login_attempt"
    __table_args__ = (Index(None, "client", "at"), Index(None, "username", "at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(60))
    client: Mapped[str] = mapped_column(String(64))
    """The address the attempt came from."""
    at: Mapped[datetime]
    succeeded: Mapped[bool] = mapped_column(Boolean)


class CatalogueVersion(Base):
    """A published catalogue; never changed. The highest number is the live one."""

    __tablename__ = "catalogue_version"
    __table_args__ = (CheckConstraint(one_of("kind", CATALOGUE_VERSION_KINDS), name="kind"),)

    number: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    """1, 2, 3…: kiosks compare it to know whether they have the newest."""
    kind: Mapped[str] = mapped_column(String(10))
    """"initial" (from the catalogue file), "publish" (from the draft), "rollback"."""
    restores: Mapped[int | None]
    """For a rollback: the number of the version whose content this one repeats."""
    yaml_text: Mapped[str] = mapped_column(Text)
    """The whole catalogue file, as the kiosks receive it."""
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(40))
    """An audit actor: "staff:3" or "system"."""
    note: Mapped[str] = mapped_column(String(500), default="")
    """What changed, in the publisher's words."""


class CatalogueDraft(Base):
    """The one shared draft staff edit; published as the next version."""

    __tablename__ = "catalogue_draft"

    id: Mapped[int] = mapped_column(primary_key=True)
    """Always 1: one draft per centre, so two staff never publish diverging drafts."""
    yaml_text: Mapped[str] = mapped_column(Text)
    revision: Mapped[int]
    """Raised by every edit; a form made from an older revision is refused, not merged."""
    base_version: Mapped[int]
    """The live version the draft started from."""
    updated_at: Mapped[datetime]
    updated_by: Mapped[str] = mapped_column(String(40))


class UnderstandingGap(Base):
    """Something residents said that no kiosk understood: text only, no audio, nobody's identity."""

    __tablename__ = "understanding_gap"
    __table_args__ = (
        UniqueConstraint("lang", "text"),
        CheckConstraint(one_of("status", GAP_STATUSES), name="status"),
        Index(None, "status", "last_seen_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    lang: Mapped[str] = mapped_column(String(5))
    text: Mapped[str] = mapped_column(String(200))
    """Long digit runs replaced by "#" before storing: a misheard phone number is not kept."""
    out_of_scope: Mapped[bool] = mapped_column(Boolean, default=False)
    """The kiosk judged it something it does not do (chit-chat) rather than not understood."""
    count: Mapped[int]
    first_seen_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(10), default="open")
    resolved_at: Mapped[datetime | None]
    resolved_by: Mapped[str | None] = mapped_column(String(40))
    resolution: Mapped[str | None] = mapped_column(String(64))
    """For "added": the intent it became an example of."""


class UnderstandingTurnCount(Base):
    """How many turns kiosks had per day, intent and outcome: the charts' denominators."""

    __tablename__ = "understanding_turn_count"
    __table_args__ = (CheckConstraint(one_of("outcome", TURN_OUTCOMES), name="outcome"),)

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    """The centre's local date."""
    intent: Mapped[str] = mapped_column(String(64), primary_key=True)
    """The intent understood, or "" when none."""
    outcome: Mapped[str] = mapped_column(String(16), primary_key=True)
    count: Mapped[int]
