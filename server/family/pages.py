"""The family page (/family): a relative enters the elder's code, then books and cancels for them.

Plain server-rendered HTML forms, no script: it must work on an old phone with a slow
connection, and a page without script has nothing to inject into. Large type and large
buttons (server/static/family.css) because family members are often older themselves.

Sessions are a random cookie (HttpOnly, SameSite=Strict; only its hash is stored, see
server/family/linking.py). Every form also carries a CSRF token that must equal a second
cookie (double submit), and forms with fields they do not know are refused. What a proxy
may do is decided in server/family/proxies.py, never by which buttons a page shows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from importlib import resources
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, Path, Query
from fastapi.responses import HTMLResponse, Response
from pydantic import Field
from sqlalchemy import func, select

from protocol.bodies import FIRST_DATE, LAST_DATE
from server.api.views import slot_view
from server.booking.centre_time import local_today, utc_now
from server.booking.slot_calendar import day_slot_rows
from server.db.database import Database
from server.db.models import BookableService, Service, TimeSlot
from server.errors import ApiError, FormRejected, ProxyNotSignedIn
from server.family.consents import ScopesInvalid
from server.family.linking import LinkRequest, link_proxy
from server.family.page_context import SESSION_COOKIE, Page, PageContext, PageForm, SessionCookie
from server.family.page_text import error_text
from server.family.proxies import end_proxy_session, proxy_appointments, proxy_book, proxy_cancel, proxy_for_session
from server.privacy.personal_data import PersonalDataInvalid
from server.privacy.phone_numbers import InvalidPhone
from server.settings import ServerSettings

router = APIRouter(prefix="/family", tags=["family-page"])

SERVICE = Service.__table__
BOOKABLE = BookableService.__table__
SLOT = TimeSlot.__table__

BOOKING_DAYS = 14
"""How far ahead the page offers days."""

class LinkForm(PageForm):
    code: str = Field(max_length=20)
    phone: str = Field(max_length=40)
    name: str = Field(max_length=100)
    scopes: list[Literal["view", "book", "cancel"]] = Field(default_factory=list, max_length=3)
    valid_until: str = Field(default="", max_length=10, description="YYYY-MM-DD, or empty")


class BookForm(PageForm):
    service: str = Field(max_length=64)
    date: dt.date = Field(ge=FIRST_DATE, le=LAST_DATE)
    time: dt.time


# ---------------------------------------------------------------------------------- pages


@router.get("", response_class=HTMLResponse)
async def family_home(
    page: PageContext,
    booked: Annotated[str | None, Query(pattern="^[A-Za-z][0-9]{4,6}$")] = None,
    cancelled: Annotated[str | None, Query(pattern="^[A-Za-z][0-9]{4,6}$")] = None,
    session: SessionCookie = None,
) -> HTMLResponse:
    """Signed in: the elder's appointments and what the family member may do; else the code form."""
    try:
        proxy = await page.run(proxy_for_session, page.db, page.settings.data_keys, session)
    except ProxyNotSignedIn:
        return page.render("link.html", form=None, error=None)
    except ApiError as refusal:
        return page.message(refusal.code, 403)
    appointments = []
    if proxy.may("view"):
        appointments = await page.run(proxy_appointments, page.db, page.settings.timezone, proxy)
    names = await page.run(_service_names, page.db, page.lang)
    notice = None
    if booked:
        found = next((a for a in appointments if a.code == booked.upper()), None)
        notice = page.words["booked_short"].format(code=booked.upper())
        if found is not None:
            notice = page.words["booked"].format(
                elder=proxy.resident_name, service=names.get(found.service_id, found.service_id),
                date=page.date_text(found.date), time=found.time, code=found.code,
            )  # fmt: skip
    elif cancelled:
        notice = page.words["cancelled"].format(code=cancelled.upper())
    until_day = None
    if proxy.valid_until is not None:  # stored as the first instant after the last local day
        until_day = (proxy.valid_until.astimezone(page.settings.timezone) - dt.timedelta(microseconds=1)).date()
    allowed = ("、" if page.lang == "zh" else ", ").join(page.words[f"scope_{s}"] for s in proxy.scopes)
    return page.render(
        "home.html", proxy=proxy, appointments=appointments, names=names, notice=notice, until_day=until_day,
        allowed=allowed,
    )  # fmt: skip


@router.post("/link", response_class=HTMLResponse)
async def link(
    form: Annotated[LinkForm, Form()],
    page: PageContext,
) -> Response:
    """Code + phone + name: become the elder's proxy on this phone."""
    try:
        page.check_form(form)
    except FormRejected:
        return page.render("link.html", 403, form=form, error=error_text(page.lang, "form_rejected"))
    problem = None
    valid_until = None
    if form.valid_until:
        try:
            valid_until = dt.date.fromisoformat(form.valid_until)
        except ValueError:
            problem = "invalid_until"
        else:
            if valid_until < local_today(page.settings.timezone):
                problem = "invalid_until"
    if not form.scopes:
        problem = "invalid_scopes"
    if problem:
        return page.render("link.html", 422, form=form, error=error_text(page.lang, problem))
    client = page.request.client.host if page.request.client else "unknown"
    linking = LinkRequest(form.code, form.phone, form.name, tuple(form.scopes), valid_until, client)
    try:
        linked = await page.run(link_proxy, page.db, page.settings, linking)
    except InvalidPhone:
        return page.render("link.html", 422, form=form, error=error_text(page.lang, "invalid_phone"))
    except PersonalDataInvalid:
        return page.render("link.html", 422, form=form, error=error_text(page.lang, "invalid_name"))
    except ScopesInvalid:
        return page.render("link.html", 422, form=form, error=error_text(page.lang, "invalid_scopes"))
    except ApiError as refusal:
        response = page.render("link.html", refusal.status_code, form=form, error=error_text(page.lang, refusal.code))
        if "retry_after_seconds" in refusal.extra:
            response.headers["Retry-After"] = str(refusal.extra["retry_after_seconds"])
        return response
    redirect = page.redirect("/family")
    redirect.set_cookie(
        SESSION_COOKIE,
        linked.token,
        httponly=True,
        samesite="strict",
        secure=page.request.url.scheme == "https",
        path="/family",
        max_age=max(int((linked.expires_at - utc_now()).total_seconds()), 1),
    )
    return redirect


@router.get("/book", response_class=HTMLResponse)
async def book_page(
    page: PageContext,
    service: Annotated[str | None, Query(max_length=64)] = None,
    date: Annotated[dt.date | None, Query()] = None,
    session: SessionCookie = None,
) -> HTMLResponse:
    """Choose a service, then a day, then a free time (each step a plain link)."""
    try:
        proxy = await page.run(proxy_for_session, page.db, page.settings.data_keys, session)
    except ProxyNotSignedIn:
        return page.render("link.html", 401, form=None, error=error_text(page.lang, "proxy_not_signed_in"))
    except ApiError as refusal:
        return page.message(refusal.code, 403)
    if not proxy.may("book"):
        return page.message("proxy_scope_missing", 403)
    names = await page.run(_service_names, page.db, page.lang, True)
    if service is None or service not in names:
        return page.render("book.html", step="service", proxy=proxy, names=names, service=None, days=[], slots=[])
    if date is None:
        days = await page.run(_free_days, page.db, page.settings, service)
        return page.render("book.html", step="day", proxy=proxy, names=names, service=service, days=days, slots=[])
    slots = await page.run(_free_times, page.db, page.settings, service, date)
    return page.render(
        "book.html", step="time", proxy=proxy, names=names, service=service, day=date, days=[], slots=slots
    )


@router.post("/book", response_class=HTMLResponse)
async def book(
    form: Annotated[BookForm, Form()],
    page: PageContext,
    session: SessionCookie = None,
) -> Response:
    return await _act_as_proxy(
        page, form, session, "booked",
        lambda proxy: proxy_book(page.db, page.settings, proxy, form.service, form.date, form.time),
    )


@router.post("/appointments/{code}/cancel", response_class=HTMLResponse)
async def cancel(
    form: Annotated[PageForm, Form()],
    code: Annotated[str, Path(pattern="^[A-Za-z][0-9]{4,6}$")],
    page: PageContext,
    session: SessionCookie = None,
) -> Response:
    return await _act_as_proxy(
        page, form, session, "cancelled", lambda proxy: proxy_cancel(page.db, page.settings, proxy, code)
    )


async def _act_as_proxy(
    page: Page, form: PageForm, session: str | None, outcome: str,
    act: Callable[[Any], Any],
) -> Response:
    """Check the form, find the signed-in relative, act for their elder, and show the result."""
    try:
        page.check_form(form)
        proxy = await page.run(proxy_for_session, page.db, page.settings.data_keys, session)
        appointment = await page.run(act, proxy)
    except ProxyNotSignedIn:
        return page.render("link.html", 401, form=None, error=error_text(page.lang, "proxy_not_signed_in"))
    except ApiError as refusal:
        return _refused(page, refusal)
    return page.redirect(f"/family?{outcome}={appointment.code}")


@router.post("/sign-out", response_class=HTMLResponse)
async def sign_out(
    form: Annotated[PageForm, Form()],
    page: PageContext,
    session: SessionCookie = None,
) -> HTMLResponse:
    try:
        page.check_form(form)
        proxy = await page.run(proxy_for_session, page.db, page.settings.data_keys, session)
        await page.run(end_proxy_session, page.db, proxy)
    except ApiError:
        pass  # signed out either way
    response = page.render("message.html", text=page.words["signed_out"])
    response.delete_cookie(SESSION_COOKIE, path="/family")
    return response


@router.get("/family.css", include_in_schema=False)
async def stylesheet() -> Response:
    css = (resources.files("server") / "static" / "family.css").read_text(encoding="utf-8")
    return Response(css, media_type="text/css", headers={"Cache-Control": "max-age=3600"})


def _refused(page: Page, refusal: ApiError) -> HTMLResponse:
    status = refusal.status_code if 400 <= refusal.status_code < 500 else 503
    extra = {k: v for k, v in refusal.extra.items() if isinstance(v, str | int)}
    return page.render(
        "message.html", status, text=error_text(page.lang, refusal.code, **extra), back_to_booking=True
    )


# ---------------------------------------------------------------------------------- data for the pages


def _service_names(db: Database, lang: str, bookable_only: bool = False) -> dict[str, str]:
    query = select(SERVICE.c.id, SERVICE.c.names).order_by(SERVICE.c.position, SERVICE.c.id)
    if bookable_only:
        query = query.where(SERVICE.c.bookable.is_(True), SERVICE.c.id.in_(select(BOOKABLE.c.service_id)))
    with db.read() as conn:
        rows = conn.execute(query).all()
    return {row.id: (row.names.get(lang) or row.names.get("zh") or [row.id])[0] for row in rows}


def _free_days(db: Database, settings: ServerSettings, service_id: str) -> list[tuple[dt.date, int]]:
    today = local_today(settings.timezone)
    with db.read() as conn:
        rows = conn.execute(
            select(SLOT.c.day, func.count())
            .where(
                SLOT.c.service_id == service_id,
                SLOT.c.day >= today,
                SLOT.c.day < today + dt.timedelta(days=BOOKING_DAYS),
                SLOT.c.starts_at > utc_now(),
                SLOT.c.closed.is_(False),
                SLOT.c.booked < SLOT.c.capacity,
            )
            .group_by(SLOT.c.day)
            .order_by(SLOT.c.day)
        ).all()
    return [(row[0], row[1]) for row in rows]


def _free_times(db: Database, settings: ServerSettings, service_id: str, day: dt.date) -> list[Any]:
    now = utc_now()
    with db.read() as conn:
        rows = day_slot_rows(conn, service_id, day)
    return [s for s in (slot_view(row, settings.timezone, now) for row in rows) if s.state == "free"]

