"""Content pages: services and their booking rules, closed days, notices, hotlines, progress."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from server.catalogue.content_editing import (
    NEXT_STATUSES,
    BookingRules,
    ContentError,
    NoticeInput,
    ServiceDetails,
    add_closed_day,
    add_notice,
    advance_progress,
    closed_days,
    lines,
    local_datetime,
    parse_int,
    parse_periods,
    parse_weekdays,
    progress_history,
    progress_records,
    reopen_day,
    update_booking_rules,
    update_hotline,
    update_notice,
    update_service,
    withdraw_notice,
)
from server.console.deps import Console, StaffAction, StaffPage
from server.console.text import ConsoleText
from server.db.models import BookableService, Hotline, Notice, ProgressRecord, Service

router = APIRouter(prefix="/staff", include_in_schema=False)

SERVICE = Service.__table__
BOOKABLE = BookableService.__table__
HOTLINE = Hotline.__table__
NOTICE = Notice.__table__
RECORD = ProgressRecord.__table__
LANGS = ("zh", "en")


def _name(names: dict[str, list[str]], lang: str, fallback: str) -> str:
    listed = names.get(lang) or next(iter(names.values()), [])
    return listed[0] if listed else fallback


def _form_list(console: Console, key: str) -> list[str]:
    value = console.form.get(key)
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


# ---------------------------------------------------------------------- services


@router.get("/services")
def services_page(console: StaffPage) -> HTMLResponse:
    with console.db.read() as conn:
        rules = {r.service_id: r for r in conn.execute(select(BOOKABLE))}
        services = [
            {"id": r.id, "name": _name(r.names, console.t.lang, r.id), "bookable": r.bookable, "rule": rules.get(r.id)}
            for r in conn.execute(select(SERVICE).order_by(SERVICE.c.position))
        ]
    return console.page("staff/services.html", services=services)


def _service_page(console: Console, service_id: str, problems: list[str] | None = None,
                  status_code: int = 200, outcome: Any = None) -> HTMLResponse:  # fmt: skip
    with console.db.read() as conn:
        row = conn.execute(select(SERVICE).where(SERVICE.c.id == service_id)).first()
        rule = conn.execute(select(BOOKABLE).where(BOOKABLE.c.service_id == service_id)).first()
    if row is None:
        return console.page("staff/catalogue_problems.html", status_code=404,
                            problems=[f"there is no service {service_id!r}"], back="/staff/services")  # fmt: skip
    return console.page("staff/service.html", status_code=status_code, service=row, rule=rule,
                        name=_name(row.names, console.t.lang, row.id), problems=problems or [],
                        outcome=outcome)  # fmt: skip


@router.get("/services/{service_id}")
def service_page(service_id: str, console: StaffPage) -> HTMLResponse:
    return _service_page(console, service_id)


@router.post("/services/{service_id}")
def save_service(service_id: str, console: StaffAction) -> Response:
    form = console.form
    try:
        details = ServiceDetails(
            location={lang: str(form.get(f"location_{lang}", "")).strip() for lang in LANGS},
            hours={"weekdays": parse_weekdays(_form_list(console, "weekdays"), console.t("service.open_days")),
                   "periods": parse_periods(str(form.get("periods", "")), console.t("service.open_hours"))},
            documents={lang: lines(str(form.get(f"documents_{lang}", ""))) for lang in LANGS},
            description={lang: str(form.get(f"description_{lang}", "")).strip() for lang in LANGS},
        )  # fmt: skip
        if not all(details.location.values()):
            raise ContentError(console.t("service.location_needed"))
        with console.db.write() as conn:
            update_service(conn, service_id, details, actor=console.actor)
    except ContentError as exc:
        return _service_page(console, service_id, [str(exc)], 422)
    return console.redirect(f"/staff/services/{service_id}", "saved")


@router.post("/services/{service_id}/booking")
def save_booking_rules(service_id: str, console: StaffAction) -> Response:
    form = console.form
    try:
        rules = BookingRules(
            hours={"weekdays": parse_weekdays(_form_list(console, "booking_weekdays"), console.t("service.book_days")),
                   "periods": parse_periods(str(form.get("booking_periods", "")), console.t("service.book_hours"))},
            slot_minutes=parse_int(form.get("slot_minutes"), console.t("service.slot_minutes"), 5, 240),
            capacity=parse_int(form.get("capacity"), console.t("service.capacity"), 1, 500),
        )  # fmt: skip
        with console.db.write() as conn:
            outcome = update_booking_rules(conn, service_id, rules, console.settings.timezone, actor=console.actor)
    except ContentError as exc:
        return _service_page(console, service_id, [str(exc)], 422)
    return _service_page(console, service_id, outcome=outcome)


# ---------------------------------------------------------------------- closed days


def _closed_page(console: Console, problems: list[str] | None = None, status_code: int = 200,
                 affected: int | None = None) -> HTMLResponse:  # fmt: skip
    with console.db.read() as conn:
        days = closed_days(conn, console.today - timedelta(days=7))
        services = [
            (r.id, _name(r.names, console.t.lang, r.id))
            for r in conn.execute(select(SERVICE.c.id, SERVICE.c.names).order_by(SERVICE.c.position))
        ]
    names = dict(services)
    return console.page("staff/closed_days.html", status_code=status_code, days=days, services=services,
                        names=names, problems=problems or [], affected=affected)  # fmt: skip


@router.get("/closed-days")
def closed_days_page(console: StaffPage) -> HTMLResponse:
    return _closed_page(console)


@router.post("/closed-days")
def close_a_day(console: StaffAction) -> Response:
    form = console.form
    try:
        try:
            day = date.fromisoformat(str(form.get("day", "")))
        except ValueError:
            raise ContentError(console.t("closed.bad_day")) from None
        service_id = str(form.get("service") or "") or None
        with console.db.write() as conn:
            affected = add_closed_day(conn, day, {lang: str(form.get(f"reason_{lang}", "")).strip() for lang in LANGS},
                                      service_id, actor=console.actor)  # fmt: skip
    except ContentError as exc:
        return _closed_page(console, [str(exc)], 422)
    return _closed_page(console, affected=affected)


@router.post("/closed-days/{closed_id}/reopen")
def reopen(closed_id: int, console: StaffAction) -> Response:
    try:
        with console.db.write() as conn:
            reopen_day(conn, closed_id, actor=console.actor)
    except ContentError as exc:
        return _closed_page(console, [str(exc)], 404)
    return console.redirect("/staff/closed-days", "reopened")


# ---------------------------------------------------------------------- notices


def _notice_input(console: Console) -> NoticeInput:
    form = console.form
    zone = console.settings.timezone
    return NoticeInput(
        kind=str(form.get("kind", "")).strip().lower() or "general",
        title={lang: str(form.get(f"title_{lang}", "")) for lang in LANGS},
        body={lang: str(form.get(f"body_{lang}", "")) for lang in LANGS},
        valid_from=local_datetime(str(form.get("from_day", "")), str(form.get("from_time", "")), zone,
                                  console.t("notice.valid_from")),
        valid_to=local_datetime(str(form.get("to_day", "")), str(form.get("to_time", "")), zone,
                                console.t("notice.valid_to")),
        pinned=form.get("pinned") == "yes",
    )  # fmt: skip


def _notices_page(console: Console, problems: list[str] | None = None, status_code: int = 200) -> HTMLResponse:
    with console.db.read() as conn:
        notices = list(conn.execute(select(NOTICE).order_by(NOTICE.c.valid_to.desc()).limit(60)))
    return console.page("staff/notices.html", status_code=status_code, notices=notices, problems=problems or [],
                        now=console.today, form=console.form)  # fmt: skip


@router.get("/notices")
def notices_page(console: StaffPage) -> HTMLResponse:
    return _notices_page(console)


@router.post("/notices")
def new_notice(console: StaffAction) -> Response:
    try:
        notice = _notice_input(console)
        with console.db.write() as conn:
            add_notice(conn, notice, actor=console.actor)
    except ContentError as exc:
        return _notices_page(console, [str(exc)], 422)
    return console.redirect("/staff/notices", "saved")


@router.post("/notices/{notice_id}")
def edit_notice(notice_id: int, console: StaffAction) -> Response:
    try:
        notice = _notice_input(console)
        with console.db.write() as conn:
            update_notice(conn, notice_id, notice, actor=console.actor)
    except ContentError as exc:
        return _notices_page(console, [str(exc)], 422)
    return console.redirect("/staff/notices", "saved")


@router.post("/notices/{notice_id}/withdraw")
def withdraw(notice_id: int, console: StaffAction) -> Response:
    try:
        with console.db.write() as conn:
            withdraw_notice(conn, notice_id, actor=console.actor)
    except ContentError as exc:
        return _notices_page(console, [str(exc)], 404)
    return console.redirect("/staff/notices", "withdrawn")


# ---------------------------------------------------------------------- hotlines


def _hotlines_page(console: Console, problems: list[str] | None = None, status_code: int = 200) -> HTMLResponse:
    with console.db.read() as conn:
        hotlines = [
            {"row": r, "name": _name(r.names, console.t.lang, r.id)}
            for r in conn.execute(select(HOTLINE).order_by(HOTLINE.c.position))
        ]
    return console.page("staff/hotlines.html", status_code=status_code, hotlines=hotlines, problems=problems or [])


@router.get("/hotlines")
def hotlines_page(console: StaffPage) -> HTMLResponse:
    return _hotlines_page(console)


@router.post("/hotlines/{hotline_id}")
def save_hotline(hotline_id: str, console: StaffAction) -> Response:
    form = console.form
    try:
        with console.db.write() as conn:
            update_hotline(conn, hotline_id, str(form.get("number", "")),
                           {lang: str(form.get(f"description_{lang}", "")) for lang in LANGS},
                           actor=console.actor)  # fmt: skip
    except ContentError as exc:
        return _hotlines_page(console, [str(exc)], 422)
    return console.redirect("/staff/hotlines", "saved")


# ---------------------------------------------------------------------- progress of applications


def _progress_page(console: Console, problems: list[str] | None = None, status_code: int = 200) -> HTMLResponse:
    with console.db.read() as conn:
        records = progress_records(conn)
        names = {r.id: _name(r.names, console.t.lang, r.id)
                 for r in conn.execute(select(SERVICE.c.id, SERVICE.c.names))}  # fmt: skip
        history = {r.id: progress_history(conn, r.id) for r in records}
    return console.page("staff/progress.html", status_code=status_code, records=records, names=names,
                        history=history, next_statuses=NEXT_STATUSES, problems=problems or [])  # fmt: skip


@router.get("/progress")
def progress_page(console: StaffPage) -> HTMLResponse:
    return _progress_page(console)


@router.post("/progress/{code}")
def advance(code: str, console: StaffAction) -> Response:
    form = console.form
    status = str(form.get("status", ""))
    note = {lang: str(form.get(f"note_{lang}", "")).strip() for lang in LANGS}
    if not any(note.values()):
        # The kiosk reads the note out; the data file has a sentence per status for when staff add none.
        note = {lang: ConsoleText(lang)(f"progress.default.{status}") for lang in LANGS
                if console.t.has(f"progress.default.{status}")}  # fmt: skip
    try:
        with console.db.write() as conn:
            advance_progress(conn, code, status, note, actor=console.actor)
    except ContentError as exc:
        return _progress_page(console, [str(exc)], 422)
    return console.redirect("/staff/progress", "advanced")
