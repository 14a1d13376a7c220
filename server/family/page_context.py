"""One family-page request's rendering context, built once per request as a FastAPI dependency.

Language (query, then cookie, then the browser's Accept-Language), the CSRF double-submit
token, settings and database: every handler needs the same four things, so they come from
here instead of five parameters repeated on each route.
"""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
from collections.abc import Callable
from typing import Annotated, Any, Literal, TypeVar
from urllib.parse import urlencode

from fastapi import Cookie, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import Field

from protocol.bodies import RequestBody
from server.db.database import Database
from server.errors import FormRejected
from server.family.page_text import error_text, local_date_text, words
from server.settings import ServerSettings
from server.web.pages import security_headers, templates

SESSION_COOKIE = "family_session"
CSRF_COOKIE = "family_csrf"
LANG_COOKIE = "family_lang"
SECURITY_HEADERS = security_headers("family")

T = TypeVar("T")


class PageForm(RequestBody):
    csrf: str = Field(max_length=100)


LangQuery = Annotated[Literal["zh", "en"] | None, Query(description="Page language.")]
SessionCookie = Annotated[str | None, Cookie(alias=SESSION_COOKIE, max_length=100)]
CsrfCookie = Annotated[str | None, Cookie(alias=CSRF_COOKIE, max_length=100)]
LangCookie = Annotated[Literal["zh", "en"] | None, Cookie(alias=LANG_COOKIE)]


class Page:
    """One request's rendering context: language, CSRF token, settings, database."""

    def __init__(self, request: Request, lang: str | None, csrf_cookie: str | None, lang_cookie: str | None) -> None:
        self.csrf_cookie = csrf_cookie
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

    def check_form(self, form: PageForm) -> None:
        """The form came from our own page: its token equals the cookie the page set."""
        cookie = self.csrf_cookie
        if cookie is None or not hmac.compare_digest(form.csrf.encode(), cookie.encode()):
            raise FormRejected("the form's CSRF token does not match; reload the page")

    def date_text(self, day: dt.date) -> str:
        return local_date_text(day, self.lang)

    async def run(self, work: Callable[..., T], *args: Any) -> T:
        return await self.db.run(work, *args)




def page_context(
    request: Request, lang: LangQuery = None, csrf: CsrfCookie = None, lang_cookie: LangCookie = None
) -> Page:
    return Page(request, lang, csrf, lang_cookie)


PageContext = Annotated[Page, Depends(page_context)]
