"""The day view, check-in and no-show, alerts, and the overview charts."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import update

from server.booking.bookings import record_outcome
from server.booking.centre_time import utc_now
from server.booking.day_view import bookings_per_day, day_view
from server.catalogue.understanding_gaps import turn_totals
from server.console.charts import Bar, bar_chart
from server.console.deps import StaffAction, StaffPage
from server.console.pages import open_alerts, parse_day, render
from server.db.models import Alert
from server.errors import ApiError
from server.privacy import audit_log

router = APIRouter(prefix="/staff", include_in_schema=False)
ALERT = Alert.__table__


@router.get("/day")
def day(console: StaffPage) -> HTMLResponse:
    chosen = parse_day(console.request.query_params.get("date"), console.today)
    with console.db.read() as conn:
        services = day_view(conn, console.settings, chosen, console.t.lang)
    with console.db.write() as conn:
        # The page shows residents' names: who looked, and at which day, is on record.
        audit_log.record(conn, actor=console.actor, action="appointments.view", subject=f"day:{chosen.isoformat()}")
    return console.page("staff/day.html", day=chosen, services=services, previous=chosen - timedelta(days=1),
                        following=chosen + timedelta(days=1))  # fmt: skip


@router.post("/appointments/{code}/outcome")
def appointment_outcome(code: str, console: StaffAction) -> Response:
    """Check-in (completed) or no-show, from the day view."""
    outcome = str(console.form.get("outcome", ""))
    back = f"/staff/day?date={console.form.get('date', console.today.isoformat())}"
    if outcome not in ("completed", "no_show"):
        return console.redirect(back)
    try:
        record_outcome(console.db, console.settings.timezone, code, outcome)
    except ApiError:
        return console.redirect(back, "outcome_refused")
    with console.db.write() as conn:
        audit_log.record(conn, actor=console.actor, action=f"appointment.{outcome}", subject=f"appointment:{code}")
    return console.redirect(back, outcome)


@router.post("/alerts/{alert_id}/acknowledge")
def acknowledge(alert_id: int, console: StaffAction) -> Response:
    with console.db.write() as conn:
        changed = conn.execute(
            update(ALERT).where(ALERT.c.id == alert_id, ALERT.c.status == "open")
            .values(status="acknowledged", acknowledged_at=utc_now())
        ).rowcount  # fmt: skip
        if changed:
            audit_log.record(conn, actor=console.actor, action="alert.acknowledge", subject=f"alert:{alert_id}")
    back = str(console.form.get("back") or "/staff/day")
    return console.redirect(back if back.startswith("/staff") else "/staff/day", "acknowledged")


@router.get("/alerts/banner")
def alert_banner(console: StaffPage) -> HTMLResponse:
    """Just the alert banner, for console.js to refresh while a page stays open."""
    with console.db.read() as conn:
        alerts = open_alerts(conn)
    back = console.request.query_params.get("back", "/staff/day")
    return render("staff/alert_banner.html", t=console.t, alerts=alerts, csrf=console.session.csrf_token,
                  zone=console.settings.timezone, path=back)  # fmt: skip


@router.get("/overview")
def overview(console: StaffPage) -> HTMLResponse:
    t = console.t
    with console.db.read() as conn:
        per_day = bookings_per_day(conn, console.settings.timezone, console.today)
        totals = turn_totals(conn, console.today)
    bookings = bar_chart(t("chart.bookings"), [Bar(d.strftime("%m-%d"), n, str(n)) for d, n in per_day],
                         empty_text=t("chart.empty"))  # fmt: skip
    intents = bar_chart(t("chart.intents"), [Bar(_intent_label(t, i), n, str(n)) for i, n in totals.intents],
                        empty_text=t("chart.empty"))  # fmt: skip
    rate_bars = [
        Bar(t("chart.week_of", day=w.strftime("%m-%d")), (missed / total * 100) if total else 0,
            f"{missed / total:.0%} ({missed}/{total})" if total else "—")
        for w, total, missed in totals.weeks
    ]  # fmt: skip
    rate = bar_chart(t("chart.not_understood"), rate_bars, empty_text=t("chart.empty"))
    return console.page("staff/overview.html", bookings=bookings, intents=intents, rate=rate)


def _intent_label(t, intent: str) -> str:  # type: ignore[no-untyped-def]
    key = f"intent.{intent}"
    return t(key) if t.has(key) else intent
