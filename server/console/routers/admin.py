"""Admin pages: staff accounts and the audit log (admins only)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from server.console.accounts import (
    AccountError,
    create_account,
    list_accounts,
    set_disabled,
    set_password,
    set_role,
    unlock,
)
from server.console.deps import AdminAction, AdminPage, Console
from server.db.models import AuditEvent

router = APIRouter(prefix="/staff/admin", include_in_schema=False)
AUDIT = AuditEvent.__table__
AUDIT_PAGE_ROWS = 200


def _accounts_page(console: Console, problems: list[str] | None = None, status_code: int = 200) -> HTMLResponse:
    with console.db.read() as conn:
        accounts = list_accounts(conn)
    return console.page("staff/accounts.html", status_code=status_code, accounts=accounts, problems=problems or [],
                        now=datetime.now(console.settings.timezone))  # fmt: skip


@router.get("/accounts")
def accounts_page(console: AdminPage) -> HTMLResponse:
    return _accounts_page(console)


@router.post("/accounts")
def new_account(console: AdminAction) -> Response:
    form = console.form
    try:
        with console.db.write() as conn:
            create_account(conn, str(form.get("username", "")), str(form.get("password", "")),
                           str(form.get("role", "staff")), actor=console.actor)  # fmt: skip
    except AccountError as exc:
        return _accounts_page(console, [str(exc)], 422)
    return console.redirect("/staff/admin/accounts", "account_created")


@router.post("/accounts/{account_id}/{change}")
def change_account(account_id: int, change: str, console: AdminAction) -> Response:
    form = console.form
    try:
        with console.db.write() as conn:
            if change == "unlock":
                unlock(conn, account_id, actor=console.actor)
            elif change in ("disable", "enable"):
                set_disabled(conn, account_id, change == "disable", actor=console.actor)
            elif change == "role":
                set_role(conn, account_id, str(form.get("role", "")), actor=console.actor)
            elif change == "password":
                set_password(conn, account_id, str(form.get("password", "")), actor=console.actor)
            else:
                raise AccountError(f"unknown change {change!r}")
    except AccountError as exc:
        return _accounts_page(console, [str(exc)], 422)
    return console.redirect("/staff/admin/accounts", "account_changed")


@router.get("/audit")
def audit_page(console: AdminPage) -> HTMLResponse:
    """The audit log, newest first, filtered by who, what, which subject and which days."""
    params = console.request.query_params
    zone = console.settings.timezone
    filters = {key: params.get(key, "").strip()[:60] for key in ("actor", "action", "subject", "since", "until")}
    query = select(AUDIT).order_by(AUDIT.c.id.desc()).limit(AUDIT_PAGE_ROWS)
    if filters["actor"]:
        query = query.where(AUDIT.c.actor == filters["actor"])
    if filters["action"]:
        query = query.where(AUDIT.c.action.startswith(filters["action"], autoescape=True))
    if filters["subject"]:
        query = query.where(AUDIT.c.subject.contains(filters["subject"], autoescape=True))
    for key, later in (("since", False), ("until", True)):
        try:
            day = date.fromisoformat(filters[key]) if filters[key] else None
        except ValueError:
            day = None
        if day is not None:
            moment = datetime.combine(day + timedelta(days=1) if later else day, time(0), tzinfo=zone)
            query = query.where(AUDIT.c.at < moment if later else AUDIT.c.at >= moment)
    with console.db.read() as conn:
        events = list(conn.execute(query))
        actions = list(conn.scalars(select(AUDIT.c.action).distinct().order_by(AUDIT.c.action)))
    return console.page("staff/audit.html", events=events, filters=filters, actions=actions,
                        limit=AUDIT_PAGE_ROWS)  # fmt: skip
