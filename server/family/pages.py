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
import hmac
import secrets
from collections.abc import Callable
from importlib import resources
from typing import Annotated, Any, Literal, TypeVar
from urllib.parse import urlencode

from fastapi import APIRouter, Cookie, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import Field
from sqlalchemy import func, select

from protocol.bodies import FIRST_DATE, LAST_DATE, RequestBody
from server.api.views import slot_view
from server.booking.centre_time import local_today, utc_now
from server.booking.slot_calendar import day_slot_rows
from server.db.database import Database
from server.db.models import BookableService, Service, TimeSlot
from server.errors import ApiError, FormRejected, ProxyNotSignedIn
from server.family.consents import ScopesInvalid
from server.family.linking import LinkRequest, link_proxy
from server.family.page_text import error_text, local_date_text, words
from server.family.proxies import end_proxy_session, proxy_appointments, proxy_book, proxy_cancel, proxy_for_session
from server.privacy.personal_data import PersonalDataInvalid
from server.privacy.phone_numbers import InvalidPhone
from server.settings import ServerSettings
from server.web.pages import security_headers, templates

router = APIRouter(prefix="/family", tags=["family-page"])

SERVICE = Service.__table__
BOOKABLE = BookableService.__table__
SLOT = TimeSlot.__table__

SESSION_COOKIE = "family_session"
CSRF_COOKIE = "family_csrf"
LANG_COOKIE = "family_lang"
BOOKING_DAYS = 14
"""How far ahead the page offers days."""

SECURITY_HEADERS = security_headers("family")

T = TypeVar("T")


class PageForm(RequestBody):
    csrf: str = Field(max_length=100)


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


LangQuery = Annotated[Literal["zh", "en"] | None, Query(description="Page language.")]
SessionCookie = Annotated[str | None, Cookie(alias=SESSION_COOKIE, max_length=100)]
CsrfCookie = Annotated[str | None, Cookie(alias=CSRF_COOKIE, max_length=100)]
LangCookie = Annotated[Literal["zh", "en"] | None, Cookie(alias=LANG_COOKIE)]


class Page:
    """One request's rendering context: language, CSRF token, settings, database."""

    def __init__(self, request: Request, lang: str | None, csrf_cookie: str | None, lang_cookie: str | None) -> None:
        self.request = request
        self.settings: ServerSettings = request.app.state.settings
        self.db: Database = request.app.state.database
        accept = request.headers.get("accept-language", "")
        self.lang = lang or lang_cookie or ("en" if accept.lower().startswith("en") else "zh")
        self.csrf = csrf_cookie or secrets.token_urlsafe(24)
        self.new_csrf = csrf_cookie is None
        self.words = words(self.lang)

    def render(self, template: str, status: int = 200, **values: Any) -> HTMLResponse:
        html = templates().get_template(f"family/{template}").render(
            w=self.words, lang=self.lang, csrf=self.csrf, date_text=self.date_text, switch_url=self._switch_url(),
            **values,
        )  # fmt: skip
        response = HTMLResponse(html, status_code=status, headers=SECURITY_HEADERS)
        self._cookies(response)
        return response

    def _switch_url(self) -> str:
        """This page in the other language; after a form was sent, the home page (a POST cannot be repeated)."""
        other = "en" if self.lang == "zh" else "zh"
        if self.request.method != "GET":
            return f"/family?lang={other}"
        query = [(k, v) for k, v in self.request.query_params.multi_items() if k == "service" or k == "date"]
        return str(self.request.url.path) + "?" + urlencode([*query, ("lang", other)])

    def redirect(self, url: str) -> RedirectResponse:
        response = RedirectResponse(url, status_code=303, headers=SECURITY_HEADERS)
        self._cookies(response)
        return response

    def _cookies(self, response: Response) -> None:
        secure = self.request.url.scheme == "https"
        if self.new_csrf:
            response.set_cookie(CSRF_COOKIE, self.csrf, httponly=True, samesite="strict", secure=secure, path="/family")
        response.set_cookie(LANG_COOKIE, self.lang, samesite="strict", secure=secure, path="/family", max_age=31536000)

    def message(self, code: str, status: int, **values: Any) -> HTMLResponse:
        return self.render("message.html", status, text=error_text(self.lang, code, **values))

    def check_form(self, form: PageForm, cookie: str | None) -> None:
        """The form came from our own page: its token equals the cookie the page set."""
        if cookie is None or not hmac.compare_digest(form.csrf.encode(), cookie.encode()):
            raise FormRejected("the form's CSRF token does not match; reload the page")

    def date_text(self, day: dt.date) -> str:
        return local_date_text(day, self.lang)

    async def run(self, work: Callable[..., T], *args: Any) -> T:
        return await self.db.run(work, *args)


# ---------------------------------------------------------------------------------- pages


@router.get("", response_class=HTMLResponse)
async def family_home(
    request: Request,
    lang: LangQuery = None,
    booked: Annotated[str | None, Query(pattern="^[A-Za-z][0-9]{4,6}$")] = None,
    cancelled: Annotated[str | None, Query(pattern="^[A-Za-z][0-9]{4,6}$")] = None,
    session: SessionCookie = None,
    csrf: CsrfCookie = None,
    lang_cookie: LangCookie = None,
) -> HTMLResponse:
    """Signed in: the elder's appointments and what the family member may do; else the code form."""
    page = Page(request, lang, csrf, lang_cookie)
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
    request: Request,
    form: Annotated[LinkForm, Form()],
    lang: LangQuery = None,
    csrf: CsrfCookie = None,
    lang_cookie: LangCookie = None,
) -> Response:
    """Code + phone + name: become the elder's proxy on this phone."""
    page = Page(request, lang, csrf, lang_cookie)
    try:
        page.check_form(form, csrf)
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
    client = request.client.host if request.client else "unknown"
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
        secure=request.url.scheme == "https",
        path="/family",
        max_age=max(int((linked.expires_at - utc_now()).total_seconds()), 1),
    )
    return redirect


@router.get("/book", response_class=HTMLResponse)
async def book_page(
    request: Request,
    lang: LangQuery = None,
    service: Annotated[str | None, Query(max_length=64)] = None,
    date: Annotated[dt.date | None, Query()] = None,
    session: SessionCookie = None,
    csrf: CsrfCookie = None,
    lang_cookie: LangCookie = None,
) -> HTMLResponse:
    """Choose a service, then a day, then a free time (each step a plain link)."""
    page = Page(request, lang, csrf, lang_cookie)
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
    request: Request,
    form: Annotated[BookForm, Form()],
    lang: LangQuery = None,
    session: SessionCookie = None,
    csrf: CsrfCookie = None,
    lang_cookie: LangCookie = None,
) -> Response:
    page = Page(request, lang, csrf, lang_cookie)
    return await _act_as_proxy(
        page, form, csrf, session, "booked",
        lambda proxy: proxy_book(page.db, page.settings, proxy, form.service, form.date, form.time),
    )


@router.post("/appointments/{code}/cancel", response_class=HTMLResponse)
async def cancel(
    request: Request,
    form: Annotated[PageForm, Form()],
    code: Annotated[str, Path(pattern="^[A-Za-z][0-9]{4,6}$")],
    lang: LangQuery = None,
    session: SessionCookie = None,
    csrf: CsrfCookie = None,
    lang_cookie: LangCookie = None,
) -> Response:
    page = Page(request, lang, csrf, lang_cookie)
    return await _act_as_proxy(
        page, form, csrf, session, "cancelled", lambda proxy: proxy_cancel(page.db, page.settings, proxy, code)
    )


async def _act_as_proxy(
    page: Page, form: PageForm, csrf: str | None, session: str | None, outcome: str,
    act: Callable[[Any], Any],
) -> Response:
    """Check the form, find the signed-in relative, act for their elder, and show the result."""
    try:
        page.check_form(form, csrf)
        proxy = await page.run(proxy_for_session, page.db, page.settings.data_keys, session)
        appointment = await page.run(act, proxy)
    except ProxyNotSignedIn:
        return page.render("link.html", 401, form=None, error=error_text(page.lang, "proxy_not_signed_in"))
    except ApiError as refusal:
        return _refused(page, refusal)
    return page.redirect(f"/family?{outcome}={appointment.code}")


@router.post("/sign-out", response_class=HTMLResponse)
async def sign_out(
    request: Request,
    form: Annotated[PageForm, Form()],
    lang: LangQuery = None,
    session: SessionCookie = None,
    csrf: CsrfCookie = None,
    lang_cookie: LangCookie = None,
) -> HTMLResponse:
    page = Page(request, lang, csrf, lang_cookie)
    try:
        page.check_form(form, csrf)
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

