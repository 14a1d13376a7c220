"""Catalogue versions: the shared draft, publishing it as a numbered version, rolling back.

Versions are never changed or deleted; the highest number is live, and kiosks fetch it
from `GET /api/v1/catalogue` (ETag = the number). A rollback publishes the old content
again under a *new* number, so the history reads in order and a kiosk that has version
7 knows that 8 is newer even when 8 repeats 5.

Who owns what: the catalogue owns what the kiosk *understands and says* — intents,
examples, replies, and the names and synonyms of services and hotlines. The database
owns what staff change day to day — where a service is, its hours, documents,
capacity, slot length, hotline numbers — edited on the content pages and live at once.
When a version is published, those details are copied from the database into it, so
the file kiosks keep for when the server is unreachable is as current as it can be.
Publishing writes back only names, and inserts services and hotlines that are new.

The heavy work (ruamel round trip, building parsers: about a second) runs before the
write transaction, which then re-checks that nothing moved in between.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from intents import CatalogueError, demo_catalogue_path
from server.booking.centre_time import utc_now
from server.catalogue.editing import CatalogueDocument, hours_for_yaml
from server.catalogue.importer import import_catalogue
from server.catalogue.parsers import loaded_catalogue, text_sha256
from server.db.database import Database
from server.db.models import BookableService, CatalogueDraft, CatalogueVersion, Hotline, Service
from server.privacy import audit_log
from server.settings import ServerSettings

VERSION = CatalogueVersion.__table__
DRAFT = CatalogueDraft.__table__
SERVICE = Service.__table__
BOOKABLE = BookableService.__table__
HOTLINE = Hotline.__table__

DRAFT_ID = 1


class CatalogueVersionError(Exception):
    """A publish, rollback or draft edit that cannot be done; the message says why."""


class DraftChanged(CatalogueVersionError):
    """Someone else changed the draft since this page was made: reload and look again."""


class DraftInvalid(CatalogueVersionError):
    """The edit would make the catalogue unusable; `problems` are the loader's messages."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class VersionSummary:
    """One published version, for lists and the kiosk feed."""

    number: int
    kind: str
    restores: int | None
    sha256: str
    created_at: datetime
    created_by: str
    note: str


@dataclass(frozen=True)
class Draft:
    yaml_text: str
    revision: int
    base_version: int
    updated_at: datetime
    updated_by: str


def _summary(row: Any) -> VersionSummary:
    return VersionSummary(row.number, row.kind, row.restores, row.sha256, row.created_at, row.created_by, row.note)


_SUMMARY_COLUMNS = (VERSION.c.number, VERSION.c.kind, VERSION.c.restores, VERSION.c.sha256, VERSION.c.created_at,
                    VERSION.c.created_by, VERSION.c.note)  # fmt: skip


def live_version(conn: Connection) -> VersionSummary | None:
    row = conn.execute(select(*_SUMMARY_COLUMNS).order_by(VERSION.c.number.desc()).limit(1)).first()
    return _summary(row) if row else None


def live_text(conn: Connection) -> tuple[int, str] | None:
    row = conn.execute(select(VERSION.c.number, VERSION.c.yaml_text).order_by(VERSION.c.number.desc()).limit(1)).first()
    return (row.number, row.yaml_text) if row else None


def version_text(conn: Connection, number: int) -> str:
    text: str | None = conn.scalar(select(VERSION.c.yaml_text).where(VERSION.c.number == number))
    if text is None:
        raise CatalogueVersionError(f"there is no catalogue version {number}")
    return text


def versions(conn: Connection, limit: int = 50) -> list[VersionSummary]:
    rows = conn.execute(select(*_SUMMARY_COLUMNS).order_by(VERSION.c.number.desc()).limit(limit))
    return [_summary(r) for r in rows]


def read_draft(conn: Connection) -> Draft:
    row = conn.execute(select(DRAFT).where(DRAFT.c.id == DRAFT_ID)).first()
    if row is None:
        raise CatalogueVersionError("there is no catalogue draft yet; the server creates it on start")
    return Draft(row.yaml_text, row.revision, row.base_version, row.updated_at, row.updated_by)


# ---------------------------------------------------------------------- the first version


def ensure_initial_version(db: Database, settings: ServerSettings) -> None:
    """On a database without versions, publish the catalogue file as version 1 (and the draft)."""
    with db.read() as conn:
        if conn.scalar(select(func.count()).select_from(VERSION)):
            return
    path = Path(settings.catalogue_path) if settings.catalogue_path else demo_catalogue_path()
    text = path.read_text(encoding="utf-8")
    catalogue = loaded_catalogue(text, str(path), settings.index_cache).catalogue
    now = utc_now()
    try:
        with db.write() as conn:
            conn.execute(insert(VERSION).values(number=1, kind="initial", restores=None, yaml_text=text,
                                                sha256=text_sha256(text), created_at=now, created_by="system",
                                                note=f"from {path.name}"))  # fmt: skip
            conn.execute(insert(DRAFT).values(id=DRAFT_ID, yaml_text=text, revision=1, base_version=1,
                                              updated_at=now, updated_by="system"))  # fmt: skip
            import_catalogue(conn, catalogue, details_from="database", slots_zone=settings.timezone)
            audit_log.record(conn, actor="system", action="catalogue.initial", subject="catalogue:v1",
                             detail={"file": path.name, "sha256": text_sha256(text)})  # fmt: skip
    except IntegrityError:
        pass  # another worker stored version 1 a moment ago


# ---------------------------------------------------------------------- the draft


def save_draft(db: Database, text: str, *, expected_revision: int, actor: str, action: str,
               detail: dict[str, Any]) -> Draft:  # fmt: skip
    """Replace the draft after checking it with the catalogue loader; audited as `action`."""
    try:
        loaded_catalogue(text, "draft")
    except CatalogueError as exc:
        raise DraftInvalid(exc.problems) from None
    now = utc_now()
    with db.write() as conn:
        current = read_draft(conn)
        if current.revision != expected_revision:
            raise DraftChanged(
                f"the draft was changed by {current.updated_by} since you opened this page; reload and redo the edit"
            )
        if current.yaml_text == text:
            return current
        conn.execute(
            update(DRAFT)
            .where(DRAFT.c.id == DRAFT_ID)
            .values(yaml_text=text, revision=current.revision + 1, updated_at=now, updated_by=actor)
        )
        audit_log.record(conn, actor=actor, action=action, subject="catalogue:draft",
                         detail={**detail, "revision": current.revision + 1})  # fmt: skip
        return read_draft(conn)


def edit_draft(db: Database, edit: Any, *, expected_revision: int, actor: str, action: str,
               detail: dict[str, Any]) -> Draft:  # fmt: skip
    """Apply `edit(document)` to the draft and save it (see `save_draft`)."""
    with db.read() as conn:
        draft = read_draft(conn)
    if draft.revision != expected_revision:
        raise DraftChanged(f"the draft was changed by {draft.updated_by} since you opened this page; reload it")
    document = CatalogueDocument(draft.yaml_text)
    edit(document)
    return save_draft(db, document.text(), expected_revision=expected_revision, actor=actor, action=action,
                      detail=detail)  # fmt: skip


def discard_draft(db: Database, *, actor: str) -> None:
    """Throw the draft's unpublished changes away: it becomes the live version again."""
    with db.write() as conn:
        live = live_text(conn)
        assert live is not None
        current = read_draft(conn)
        conn.execute(update(DRAFT).where(DRAFT.c.id == DRAFT_ID).values(
            yaml_text=live[1], base_version=live[0], revision=current.revision + 1, updated_at=utc_now(),
            updated_by=actor))  # fmt: skip
        audit_log.record(conn, actor=actor, action="catalogue.discard_draft", subject="catalogue:draft")


# ---------------------------------------------------------------------- publishing


def with_live_details(text: str, details: tuple[dict[str, Any], dict[str, Any]]) -> str:
    """The catalogue text with services' and hotlines' details as `live_details` read them."""
    services, hotlines = details
    document = CatalogueDocument(text)
    changed = False
    for service_id in document.entry_ids("services"):
        for field, value in services.get(service_id, {}).items():
            changed |= document.set_field("services", service_id, field, value)
    for hotline_id in document.entry_ids("hotlines"):
        for field, value in hotlines.get(hotline_id, {}).items():
            changed |= document.set_field("hotlines", hotline_id, field, value)
    return document.text() if changed else text


def live_details(conn: Connection) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    services: dict[str, dict[str, Any]] = {}
    rules = {r.service_id: r for r in conn.execute(select(BOOKABLE))}
    for row in conn.execute(select(SERVICE)):
        details: dict[str, Any] = {"location": dict(row.location), "hours": hours_for_yaml(row.hours),
                                   "bookable": bool(row.bookable)}  # fmt: skip
        if any(row.documents.values()):
            details["documents"] = {lang: list(docs) for lang, docs in row.documents.items() if docs}
        if any(row.description.values()):
            details["description"] = {lang: text for lang, text in row.description.items() if text}
        rule = rules.get(row.id)
        if rule is not None and row.bookable:
            details["slot_minutes"] = rule.slot_minutes
            details["capacity"] = rule.capacity
        services[row.id] = details
    hotlines: dict[str, dict[str, Any]] = {}
    for row in conn.execute(select(HOTLINE)):
        details = {"number": row.number}
        if any(row.description.values()):
            details["description"] = {lang: text for lang, text in row.description.items() if text}
        hotlines[row.id] = details
    return services, hotlines


def publish(db: Database, settings: ServerSettings, *, expected_revision: int, actor: str,
            note: str) -> VersionSummary:  # fmt: skip
    """Publish the draft as the next version; kiosks pick it up at their next poll."""
    with db.read() as conn:
        draft = read_draft(conn)
        if draft.revision != expected_revision:
            raise DraftChanged(f"the draft was changed by {draft.updated_by} after your regression check; check again")
        details = live_details(conn)
    text = with_live_details(draft.yaml_text, details)
    try:
        catalogue = loaded_catalogue(text, "draft").catalogue
    except CatalogueError as exc:
        raise DraftInvalid(exc.problems) from None
    now = utc_now()
    with db.write() as conn:
        current = read_draft(conn)
        if current.revision != expected_revision:
            raise DraftChanged(f"the draft was changed by {current.updated_by} a moment ago; check again")
        if live_details(conn) != details:
            raise CatalogueVersionError("a service's details changed while publishing; publish again")
        live = live_version(conn)
        number = (live.number if live else 0) + 1
        conn.execute(insert(VERSION).values(number=number, kind="publish", restores=None, yaml_text=text,
                                            sha256=text_sha256(text), created_at=now, created_by=actor,
                                            note=note.strip()[:500]))  # fmt: skip
        conn.execute(
            update(DRAFT)
            .where(DRAFT.c.id == DRAFT_ID)
            .values(
                yaml_text=text, base_version=number, revision=current.revision + 1, updated_at=now, updated_by=actor
            )
        )
        added = import_catalogue(conn, catalogue, details_from="database", slots_zone=settings.timezone)
        audit_log.record(conn, actor=actor, action="catalogue.publish", subject=f"catalogue:v{number}",
                         detail={"note": note.strip()[:200], "sha256": text_sha256(text),
                                 "draft_revision": expected_revision, "new_entries": added})  # fmt: skip
        return _summary(conn.execute(select(*_SUMMARY_COLUMNS).where(VERSION.c.number == number)).one())


def rollback(db: Database, settings: ServerSettings, *, to_number: int, actor: str) -> tuple[VersionSummary, bool]:
    """Make version `to_number`'s content live again, as a new version.

    Returns the new version and whether the draft followed (it does unless it held
    unpublished changes, which are kept for staff to publish or discard).
    """
    with db.read() as conn:
        text = version_text(conn, to_number)
        live = live_version(conn)
    assert live is not None
    if live.number == to_number:
        raise CatalogueVersionError(f"version {to_number} is already the live one")
    catalogue = loaded_catalogue(text, f"version {to_number}").catalogue
    now = utc_now()
    with db.write() as conn:
        current_live = live_text(conn)
        assert current_live is not None
        if current_live[0] != live.number:
            raise CatalogueVersionError("another version was published a moment ago; look at the list again")
        number = live.number + 1
        conn.execute(insert(VERSION).values(number=number, kind="rollback", restores=to_number, yaml_text=text,
                                            sha256=text_sha256(text), created_at=now, created_by=actor,
                                            note=""))  # fmt: skip
        draft = read_draft(conn)
        follows = draft.yaml_text == current_live[1]
        if follows:
            conn.execute(
                update(DRAFT)
                .where(DRAFT.c.id == DRAFT_ID)
                .values(
                    yaml_text=text, base_version=number, revision=draft.revision + 1, updated_at=now, updated_by=actor
                )
            )
        import_catalogue(conn, catalogue, details_from="database", slots_zone=settings.timezone)
        audit_log.record(
            conn,
            actor=actor,
            action="catalogue.rollback",
            subject=f"catalogue:v{number}",
            detail={"restores": to_number, "replaces": live.number, "draft_follows": follows},
        )
        summary = _summary(conn.execute(select(*_SUMMARY_COLUMNS).where(VERSION.c.number == number)).one())
    return summary, follows
