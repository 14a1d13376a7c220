"""Understanding gaps: what residents said that no kiosk understood, made an example in one click."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from server.catalogue.editing import CatalogueDocument, DraftEditError
from server.catalogue.parsers import loaded_catalogue
from server.catalogue.understanding_gaps import gap, list_gaps, resolve_gap
from server.catalogue.versions import CatalogueVersionError, DraftInvalid, edit_draft, live_text, read_draft
from server.console.deps import StaffAction, StaffPage
from server.console.routers.catalogue import intent_label

router = APIRouter(prefix="/staff/gaps", include_in_schema=False)

STATUSES = ("open", "added", "dismissed", "all")


@router.get("")
def gaps_page(console: StaffPage) -> HTMLResponse:
    status = console.request.query_params.get("status", "open")
    status = status if status in STATUSES else "open"
    with console.db.read() as conn:
        gaps = list_gaps(conn, status)
        draft = read_draft(conn)
        live = live_text(conn)
    assert live is not None
    loaded = loaded_catalogue(live[1], f"version {live[0]}", console.settings.index_cache)
    lang = console.t.lang
    rows = []
    for found in gaps:
        # The live parser's nearest guess is preselected: usually the intent staff want.
        parse = loaded.parser.parse(found.text, lang=found.lang)
        guess = parse.intent or (parse.alternatives[0].intent if parse.alternatives else None)
        rows.append({"gap": found, "guess": guess})
    intents = [(i.id, intent_label(loaded.catalogue, i.id, lang)) for i in loaded.catalogue.intents]
    return console.page("staff/gaps.html", rows=rows, intents=intents, status=status, statuses=STATUSES,
                        draft=draft, problems=[])  # fmt: skip


@router.post("/{gap_id}/add")
def add_as_example(gap_id: int, console: StaffAction) -> Response:
    intent_id = str(console.form.get("intent", ""))
    with console.db.read() as conn:
        found = gap(conn, gap_id)
    if found is None:
        return console.redirect("/staff/gaps")

    def edit(document: CatalogueDocument) -> None:
        document.add_example(intent_id, found.lang, found.text)

    try:
        edit_draft(console.db, edit, expected_revision=int(str(console.form.get("revision", "-1"))),
                   actor=console.actor, action="catalogue.add_example",
                   detail={"intent": intent_id, "lang": found.lang, "from_gap": gap_id})  # fmt: skip
    except (DraftInvalid, CatalogueVersionError, DraftEditError, ValueError) as exc:
        problems = exc.problems if isinstance(exc, DraftInvalid) else [str(exc)]
        return console.page("staff/catalogue_problems.html", status_code=409, problems=problems, back="/staff/gaps")
    with console.db.write() as conn:
        resolve_gap(conn, gap_id, "added", actor=console.actor, resolution=intent_id)
    return console.redirect("/staff/gaps", "gap_added")


@router.post("/{gap_id}/dismiss")
def dismiss(gap_id: int, console: StaffAction) -> Response:
    with console.db.write() as conn:
        resolve_gap(conn, gap_id, "dismissed", actor=console.actor)
    return console.redirect("/staff/gaps", "gap_dismissed")
