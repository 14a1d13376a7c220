"""Signing in and out of the staff console, choosing its language, changing one's password."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlparse

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from server.console.accounts import AccountError, LoginRefused, set_password, sign_in
from server.console.deps import StaffAction, StaffPage, console_language
from server.console.pages import render
from server.console.sessions import (
    LANG_COOKIE,
    clear_session_cookie,
    end_session,
    login_csrf_token,
    open_session,
    set_login_csrf_cookie,
    set_session_cookie,
    tokens_match,
)
from server.console.text import ConsoleText
from server.db.models import StaffAccount
from server.privacy import audit_log
from server.privacy.passwords import password_matches

router = APIRouter(prefix="/staff", include_in_schema=False)


def _safe_next(target: str | None) -> str:
    """Only paths of this console: a login link must not send anyone to another site."""
    if not target or not target.startswith("/staff") or urlparse(target).netloc or target.startswith("//"):
        return "/staff/day"
    return target


def _login_page(request: Request, *, status_code: int = 200, problem: str | None = None,
                username: str = "") -> HTMLResponse:  # fmt: skip
    t = ConsoleText(console_language(request))
    token = login_csrf_token(request)
    response = render("staff/login.html", t=t, status_code=status_code, member=None, csrf=token, alerts=[],
                      zone=None, path=request.url.path, message=None, today=None, problem=problem,
                      username=username, next=_safe_next(request.query_params.get("next")))  # fmt: skip
    set_login_csrf_cookie(response, request, token)
    return response


@router.get("/login")
def login_form(request: Request) -> HTMLResponse:
    return _login_page(request)


@router.post("/login")
def login(
    request: Request,
    username: Annotated[str, Form(max_length=100)],
    password: Annotated[str, Form(max_length=200)],
    csrf_token: Annotated[str, Form(max_length=100)] = "",
    next_page: Annotated[str, Form(alias="next", max_length=300)] = "/staff/day",
) -> Response:
    if not tokens_match(request.cookies.get("kiosk_login_csrf"), csrf_token):
        return _login_page(request, status_code=403, problem="login.problem.expired", username=username)
    db = request.app.state.database
    client = request.client.host if request.client else "unknown"
    try:
        member = sign_in(db, username, password, client)
    except LoginRefused as refused:
        status = 429 if refused.reason == "too_many" else 401
        response = _login_page(request, status_code=status, problem=f"login.problem.{refused.reason}",
                               username=username)  # fmt: skip
        if refused.retry_after_seconds:
            response.headers["Retry-After"] = str(refused.retry_after_seconds)
        return response
    with db.write() as conn:
        token = open_session(conn, member)
    redirect = RedirectResponse(_safe_next(next_page), status_code=303)
    set_session_cookie(redirect, request, token)
    redirect.delete_cookie("kiosk_login_csrf", path="/staff")
    return redirect


@router.post("/logout")
def logout(console: StaffAction) -> Response:
    with console.db.write() as conn:
        end_session(conn, console.session.id)
        audit_log.record(conn, actor=console.actor, action="staff.logout", subject=console.actor)
    response = RedirectResponse("/staff/login", status_code=303)
    clear_session_cookie(response)
    return response


@router.get("/language/{lang}")
def choose_language(lang: str, request: Request) -> Response:
    """Switching the language changes nothing on the server, so a plain link does it."""
    response = RedirectResponse(_safe_next(request.query_params.get("next")), status_code=303)
    if lang in ("zh", "en"):
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="lax", path="/staff")
    return response


@router.get("")
def home() -> Response:
    return RedirectResponse("/staff/day", status_code=303)


@router.get("/account")
def own_account(console: StaffPage) -> HTMLResponse:
    return console.page("staff/account.html", problem=None)


@router.post("/account/password")
def change_own_password(console: StaffAction) -> Response:
    new, again = str(console.form.get("new_password", "")), str(console.form.get("new_password_again", ""))
    current = str(console.form.get("current_password", ""))

    with console.db.read() as conn:
        stored = conn.scalar(select(StaffAccount.__table__.c.password_hash)
                             .where(StaffAccount.__table__.c.id == console.member.id))  # fmt: skip
    if not password_matches(stored, current):
        return console.page("staff/account.html", status_code=422, problem=console.t("account.wrong_current"))
    if new != again:
        return console.page("staff/account.html", status_code=422, problem=console.t("account.mismatch"))
    try:
        with console.db.write() as conn:
            set_password(conn, console.member.id, new, actor=console.actor)
    except AccountError as exc:
        return console.page("staff/account.html", status_code=422, problem=str(exc))
    response = RedirectResponse("/staff/login", status_code=303)
    clear_session_cookie(response)
    return response
