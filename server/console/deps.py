"""Who is asking, on the staff console: a signed-in member, an admin, and a checked form.

Console pages use cookie sessions (`sessions.py`), never device tokens: a kiosk's
token opens no page, and a browser session opens no kiosk route. Three dependencies
cover every route:

- `StaffPage`: any signed-in member (GET pages);
- `StaffAction` / `AdminAction`: a signed-in member (or admin) *and* the session's CSRF
  token in the form or the `X-CSRF-Token` header (everything that changes something);
- `AdminPage`: an admin (accounts, audit log).

Without a session a page redirects to the login (a form post gets 401: a forged post
should not be bounced anywhere); a staff member on an admin page gets 403.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from server.booking.centre_time import local_today
from server.console.accounts import StaffMember
from server.console.pages import open_alerts, render
from server.console.sessions import (
    CSRF_FIELD,
    CSRF_HEADER,
    LANG_COOKIE,
    ConsoleSession,
    session_for,
    session_token,
    tokens_match,
)
from server.console.text import DEFAULT_LANGUAGE, ConsoleText
from server.db.database import Database
from server.settings import ServerSettings


class ConsoleRefusal(Exception):
    """A console request refused before its route ran."""

    def __init__(self, status_code: int, reason: str) -> None:
        super().__init__(reason)
        self.status_code = status_code
        self.reason = reason
        """A key of console_text.yaml under "refused."."""


def console_language(request: Request) -> str:
    lang = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE) or DEFAULT_LANGUAGE
    return lang if lang in ("zh", "en") else DEFAULT_LANGUAGE


@dataclass
class Console:
    """One console request: the member, the database, the words in their language."""

    request: Request
    db: Database
    settings: ServerSettings
    session: ConsoleSession
    t: ConsoleText
    form: dict[str, Any] = field(default_factory=dict)

    @property
    def member(self) -> StaffMember:
        return self.session.member

    @property
    def actor(self) -> str:
        return self.member.actor

    @property
    def today(self) -> date:
        return local_today(self.settings.timezone)

    def page(self, template: str, *, status_code: int = 200, **values: Any) -> HTMLResponse:
        """A full page with the console's frame (navigation, alerts, language switch)."""
        with self.db.read() as conn:
            alerts = open_alerts(conn)
        done = self.request.query_params.get("done", "")
        message = self.t(f"done.{done}") if done and self.t.has(f"done.{done}") else None
        return render(
            template, t=self.t, status_code=status_code, member=self.member, csrf=self.session.csrf_token,
            alerts=alerts, zone=self.settings.timezone, path=self.request.url.path, message=message,
            today=self.today, **values,
        )  # fmt: skip

    def redirect(self, path: str, done: str | None = None) -> RedirectResponse:
        """Post/redirect/get: the browser's back and reload never repeat an action."""
        target = f"{path}{'&' if '?' in path else '?'}done={done}" if done else path
        return RedirectResponse(target, status_code=303)


def staff_console(request: Request) -> Console:
    state = request.app.state
    session = session_for(state.database, session_token(request))
    if session is None:
        raise ConsoleRefusal(401, "login_needed")
    return Console(request, state.database, state.settings, session, ConsoleText(console_language(request)))


def admin_console(console: Annotated[Console, Depends(staff_console)]) -> Console:
    if not console.member.is_admin:
        raise ConsoleRefusal(403, "admin_only")
    return console


async def _checked(request: Request, console: Console) -> Console:
    form = await request.form()
    given = form.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER)
    if not tokens_match(console.session.csrf_token, str(given) if given else None):
        raise ConsoleRefusal(403, "csrf")
    console.form = {key: form.getlist(key) if len(form.getlist(key)) > 1 else form.get(key) for key in form}
    return console


async def staff_action(request: Request, console: Annotated[Console, Depends(staff_console)]) -> Console:
    return await _checked(request, console)


async def admin_action(request: Request, console: Annotated[Console, Depends(admin_console)]) -> Console:
    return await _checked(request, console)


StaffPage = Annotated[Console, Depends(staff_console)]
AdminPage = Annotated[Console, Depends(admin_console)]
StaffAction = Annotated[Console, Depends(staff_action)]
AdminAction = Annotated[Console, Depends(admin_action)]


def refusal_response(request: Request, refusal: ConsoleRefusal) -> HTMLResponse | RedirectResponse:
    if refusal.reason == "login_needed" and request.method == "GET":
        return RedirectResponse(f"/staff/login?next={quote(str(request.url.path))}", status_code=303)
    t = ConsoleText(console_language(request))
    return render("staff/refused.html", t=t, status_code=refusal.status_code, reason=refusal.reason, member=None,
                  csrf="", alerts=[], zone=None, path=request.url.path, message=None, today=None)  # fmt: skip
