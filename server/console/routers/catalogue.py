"""The catalogue editor: the draft, "try a sentence", the regression check, publish, rollback.

Every edit is checked by the same loader kiosks use (`intents.parse_catalogue`); an edit
that would break the catalogue is refused with the loader's own messages ("intent
appointment.book: zh example 3 is empty"), and the draft stays as it was. The draft is
therefore always publishable; the regression check decides whether it *should* be.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from intents import Catalogue, CatalogueError
from server.catalogue.editing import CatalogueDocument, DraftEditError
from server.catalogue.parsers import LoadedCatalogue, loaded_catalogue
from server.catalogue.regression_check import RegressionReport, compare
from server.catalogue.understanding_gaps import list_gaps
from server.catalogue.versions import (
    CatalogueVersionError,
    Draft,
    DraftInvalid,
    discard_draft,
    edit_draft,
    live_text,
    live_version,
    publish,
    read_draft,
    rollback,
    save_draft,
    versions,
)
from server.console.deps import Console, StaffAction, StaffPage
from server.privacy import audit_log

router = APIRouter(prefix="/staff/catalogue", include_in_schema=False)

MAX_IMPORT_BYTES = 2_000_000


def _state(console: Console) -> tuple[Draft, int, LoadedCatalogue, LoadedCatalogue]:
    """The draft, the live number, and both parsed (cached per text)."""
    with console.db.read() as conn:
        draft = read_draft(conn)
        live = live_text(conn)
    assert live is not None
    cache = console.settings.index_cache
    return (draft, live[0], loaded_catalogue(draft.yaml_text, "draft", cache),
            loaded_catalogue(live[1], f"version {live[0]}", cache))


def intent_label(catalogue: Catalogue, intent_id: str, lang: str) -> str:
    """The intent's own `label` reply ("预约") when it has one, else its id."""
    try:
        label = catalogue.intent(intent_id).replies.get(lang, {}).get("label")
    except StopIteration:
        label = None
    return f"{label} ({intent_id})" if label else intent_id


def _revision(console: Console) -> int:
    try:
        return int(str(console.form.get("revision", "")))
    except ValueError:
        return -1


def _problem_page(console: Console, problems: list[str], back: str, status_code: int = 422) -> HTMLResponse:
    return console.page("staff/catalogue_problems.html", status_code=status_code, problems=problems, back=back)


# ---------------------------------------------------------------------- overview and trying


@router.get("")
def catalogue_home(console: StaffPage) -> HTMLResponse:
    return _catalogue_page(console, "")


@router.get("/try")
def try_sentence(console: StaffPage) -> HTMLResponse:
    """Parse a sentence with the draft (and the live version, to compare)."""
    return _catalogue_page(console, console.request.query_params.get("text", "").strip()[:300])


def _catalogue_page(console: Console, tried: str) -> HTMLResponse:
    draft, live_number, draft_loaded, live_loaded = _state(console)
    catalogue = draft_loaded.catalogue
    lang = console.t.lang
    nothing = console.t("try.not_understood")
    intents = [
        {"id": i.id, "label": intent_label(catalogue, i.id, lang),
         "zh": len(i.examples.get("zh", ())), "en": len(i.examples.get("en", ()))}
        for i in catalogue.intents
    ]  # fmt: skip
    return console.page(
        "staff/catalogue.html", draft=draft, live_number=live_number, intents=intents,
        services=catalogue.services, hotlines=catalogue.hotlines,
        unpublished=draft_loaded.sha256 != live_loaded.sha256, tried=tried,
        result=draft_loaded.parser.parse(tried) if tried else None,
        live_result=live_loaded.parser.parse(tried) if tried else None,
        label=lambda intent_id: intent_label(catalogue, intent_id, lang) if intent_id else nothing,
    )  # fmt: skip


# ---------------------------------------------------------------------- intents


@router.get("/intents/{intent_id}")
def intent_form(intent_id: str, console: StaffPage) -> HTMLResponse:
    with console.db.read() as conn:
        draft = read_draft(conn)
    document = CatalogueDocument(draft.yaml_text)
    if intent_id not in document.intent_ids():
        return _problem_page(console, [f"the draft has no intent {intent_id!r}"], "/staff/catalogue", 404)
    return _intent_page(console, draft, document, intent_id)


def _intent_page(console: Console, draft: Draft, document: CatalogueDocument, intent_id: str,
                 problems: list[str] | None = None, status_code: int = 200,
                 typed: dict[str, Any] | None = None) -> HTMLResponse:  # fmt: skip
    examples = {lang: "\n".join(document.examples(intent_id, lang)) for lang in ("zh", "en")}
    replies = {lang: document.replies(intent_id, lang) for lang in ("zh", "en")}
    if typed:
        examples = {lang: str(typed.get(f"examples_{lang}", examples[lang])) for lang in ("zh", "en")}
    names = sorted(set(replies["zh"]) | set(replies["en"]))
    return console.page("staff/intent.html", status_code=status_code, intent_id=intent_id, draft=draft,
                        examples=examples, replies=replies, reply_names=names,
                        problems=problems or [])  # fmt: skip


@router.post("/intents/{intent_id}")
def save_intent(intent_id: str, console: StaffAction) -> Response:
    form = console.form

    def edit(document: CatalogueDocument) -> None:
        for lang in ("zh", "en"):
            if f"examples_{lang}" in form:
                document.set_examples(intent_id, lang, str(form[f"examples_{lang}"]).splitlines())
            for name in document.replies(intent_id, lang):
                key = f"reply_{lang}_{name}"
                if key in form:
                    document.set_reply(intent_id, lang, name, str(form[key]).strip())

    return _apply(console, edit, f"/staff/catalogue/intents/{intent_id}", "catalogue.edit_intent",
                  {"intent": intent_id}, intent_id=intent_id)  # fmt: skip


@router.post("/intents/{intent_id}/example")
def add_example(intent_id: str, console: StaffAction) -> Response:
    """The quick way: one new example phrase, one click."""
    text = str(console.form.get("text", "")).strip()
    lang = str(console.form.get("lang", ""))
    if not text:
        return console.redirect(f"/staff/catalogue/intents/{intent_id}")

    def edit(document: CatalogueDocument) -> None:
        document.add_example(intent_id, lang, text)

    return _apply(console, edit, f"/staff/catalogue/intents/{intent_id}", "catalogue.add_example",
                  {"intent": intent_id, "lang": lang, "text": text[:100]}, intent_id=intent_id)  # fmt: skip


def _apply(console: Console, edit: Any, back: str, action: str, detail: dict[str, Any], *,
           intent_id: str | None = None) -> Response:  # fmt: skip
    try:
        edit_draft(console.db, edit, expected_revision=_revision(console), actor=console.actor, action=action,
                   detail=detail)  # fmt: skip
    except DraftInvalid as exc:
        if intent_id is None:
            return _problem_page(console, exc.problems, back)
        with console.db.read() as conn:
            draft = read_draft(conn)
        return _intent_page(console, draft, CatalogueDocument(draft.yaml_text), intent_id, exc.problems, 422,
                            typed=console.form)  # fmt: skip
    except (CatalogueVersionError, DraftEditError) as exc:
        return _problem_page(console, [str(exc)], back, 409)
    return console.redirect(back, "saved")


# ---------------------------------------------------------------------- services and hotlines: names


@router.get("/{kind}/{entry_id}")
def names_form(kind: str, entry_id: str, console: StaffPage) -> HTMLResponse:
    with console.db.read() as conn:
        draft = read_draft(conn)
    document = CatalogueDocument(draft.yaml_text)
    if kind not in ("services", "hotlines") or entry_id not in document.entry_ids(kind):
        return _problem_page(console, [f"the draft has no {kind[:-1]} {entry_id!r}"], "/staff/catalogue", 404)
    names = {lang: "\n".join(document.names(kind, entry_id, lang)) for lang in ("zh", "en")}
    return console.page("staff/names.html", kind=kind, entry_id=entry_id, names=names, draft=draft, problems=[])


@router.post("/{kind}/{entry_id}")
def save_names(kind: str, entry_id: str, console: StaffAction) -> Response:
    form = console.form

    def edit(document: CatalogueDocument) -> None:
        for lang in ("zh", "en"):
            if f"names_{lang}" in form:
                document.set_names(kind, entry_id, lang, str(form[f"names_{lang}"]).splitlines())

    return _apply(console, edit, f"/staff/catalogue/{kind}/{entry_id}", "catalogue.edit_names",
                  {"entry": f"{kind[:-1]}:{entry_id}"})  # fmt: skip


# ---------------------------------------------------------------------- regression check and publishing


def _report(console: Console) -> tuple[Draft, int, RegressionReport]:
    draft, live_number, draft_loaded, live_loaded = _state(console)
    with console.db.read() as conn:
        gaps = [(g.id, g.lang, g.text, g.count) for g in list_gaps(conn, "open", limit=300)]
    return draft, live_number, compare(live_loaded, draft_loaded, gaps)


@router.get("/check")
def check(console: StaffPage) -> HTMLResponse:
    draft, live_number, report = _report(console)
    return console.page("staff/check.html", draft=draft, live_number=live_number, report=report, problems=[])


@router.post("/publish")
def publish_draft(console: StaffAction) -> Response:
    draft, live_number, report = _report(console)
    if _revision(console) != draft.revision:
        return console.page("staff/check.html", status_code=409, draft=draft, live_number=live_number,
                            report=report, problems=[console.t("check.draft_moved")])  # fmt: skip
    if report.identical and draft.base_version == live_number and not report.gaps_now_understood:
        with console.db.read() as conn:
            live = live_text(conn)
        if live is not None and live[1] == draft.yaml_text:
            return console.page("staff/check.html", status_code=409, draft=draft, live_number=live_number,
                                report=report, problems=[console.t("check.nothing_to_publish")])  # fmt: skip
    if report.broken and console.form.get("accept_broken") != "yes":
        return console.page(
            "staff/check.html",
            status_code=409,
            draft=draft,
            live_number=live_number,
            report=report,
            problems=[console.t("check.confirm_broken", n=len(report.broken))],
        )
    try:
        version = publish(console.db, console.settings, expected_revision=draft.revision, actor=console.actor,
                          note=str(console.form.get("note", "")))  # fmt: skip
    except DraftInvalid as exc:
        return _problem_page(console, exc.problems, "/staff/catalogue/check")
    except CatalogueVersionError as exc:
        return console.page("staff/check.html", status_code=409, draft=draft, live_number=live_number,
                            report=report, problems=[str(exc)])  # fmt: skip
    return console.redirect(f"/staff/catalogue/versions?published={version.number}", "published")


@router.get("/versions")
def version_list(console: StaffPage) -> HTMLResponse:
    with console.db.read() as conn:
        listed = versions(conn)
        draft = read_draft(conn)
        live = live_version(conn)
    return console.page("staff/versions.html", versions=listed, draft=draft, live=live, problems=[])


@router.post("/rollback")
def rollback_version(console: StaffAction) -> Response:
    try:
        to_number = int(str(console.form.get("to", "")))
        _version, follows = rollback(console.db, console.settings, to_number=to_number, actor=console.actor)
    except ValueError:
        return console.redirect("/staff/catalogue/versions")
    except CatalogueVersionError as exc:
        with console.db.read() as conn:
            listed, draft, live = versions(conn), read_draft(conn), live_version(conn)
        return console.page("staff/versions.html", status_code=409, versions=listed, draft=draft, live=live,
                            problems=[str(exc)])  # fmt: skip
    return console.redirect("/staff/catalogue/versions", "rolled_back" if follows else "rolled_back_draft_kept")


@router.post("/discard")
def discard(console: StaffAction) -> Response:
    discard_draft(console.db, actor=console.actor)
    return console.redirect("/staff/catalogue", "discarded")


# ---------------------------------------------------------------------- import and export


@router.get("/export")
def export(console: StaffPage) -> Response:
    which = console.request.query_params.get("which", "live")
    with console.db.read() as conn:
        if which == "draft":
            text, name = read_draft(conn).yaml_text, "catalogue-draft.yaml"
        else:
            number, text = live_text(conn) or (0, "")
            name = f"catalogue-v{number}.yaml"
    with console.db.write() as conn:
        audit_log.record(conn, actor=console.actor, action="catalogue.export", subject=f"catalogue:{which}")
    return Response(
        text.encode("utf-8"),
        media_type="application/yaml; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
    )


@router.post("/import")
async def import_file(console: StaffAction) -> Response:
    upload = console.form.get("file")
    if not isinstance(upload, UploadFile):
        return _problem_page(console, [console.t("import.no_file")], "/staff/catalogue")
    raw = await upload.read(MAX_IMPORT_BYTES + 1)
    if len(raw) > MAX_IMPORT_BYTES:
        return _problem_page(console, [console.t("import.too_big")], "/staff/catalogue")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return _problem_page(console, [console.t("import.not_utf8")], "/staff/catalogue")
    try:
        await run_in_threadpool(
            save_draft, console.db, text, expected_revision=_revision(console), actor=console.actor,
            action="catalogue.import", detail={"file": (upload.filename or "")[:100], "bytes": len(raw)},
        )  # fmt: skip
    except DraftInvalid as exc:
        return _problem_page(console, [f"{upload.filename}: {p}" for p in exc.problems], "/staff/catalogue")
    except CatalogueVersionError as exc:
        return _problem_page(console, [str(exc)], "/staff/catalogue", 409)
    except CatalogueError as exc:  # pragma: no cover - save_draft turns these into DraftInvalid
        return _problem_page(console, exc.problems, "/staff/catalogue")
    return console.redirect("/staff/catalogue", "imported")
