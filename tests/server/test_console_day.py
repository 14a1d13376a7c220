"""The day view: appointments per service with names, check-in and no-show; the overview charts."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from console_client import StaffBrowser
from server_harness import Centre, RunningServer, book
from sqlalchemy import select

from server.db.models import AuditEvent


@pytest.fixture(scope="module")
def staff(server: RunningServer) -> Iterator[StaffBrowser]:
    browser = StaffBrowser.new_account(server, "staff")
    yield browser
    browser.close()


def test_check_in_and_no_show_from_the_day_view(server: RunningServer, centre: Centre, staff: StaffBrowser) -> None:
    service = centre.service(capacity=2)
    day = centre.day(1)
    kiosk = centre.kiosk()
    came, stayed_away = centre.resident(name="赵秀兰"), centre.resident(name="钱大伯")
    first = book(kiosk, centre.identify(kiosk, came), service, day, "09:00").json()["code"]
    second = book(kiosk, centre.identify(kiosk, stayed_away), service, day, "09:30").json()["code"]

    page = staff.get("/staff/day", params={"date": day.isoformat()}).text
    for expected in (first, second, "赵秀兰", "钱大伯", "测试服务", "已约 2 / 共"):
        assert expected in page
    back = f"/staff/day?date={day.isoformat()}"
    done = staff.post(f"/staff/appointments/{first}/outcome", {"outcome": "completed", "date": day.isoformat()},
                      csrf_from=back)  # fmt: skip
    assert done.status_code == 303 and done.headers["location"].endswith("done=completed")
    staff.post(f"/staff/appointments/{second}/outcome", {"outcome": "no_show", "date": day.isoformat()})
    again = staff.post(f"/staff/appointments/{second}/outcome", {"outcome": "completed", "date": day.isoformat()})
    assert again.headers["location"].endswith("done=outcome_refused")  # a no-show stays a no-show

    mine = kiosk.get("/api/v1/appointments", params={"include_past": True}, headers=centre.identify(kiosk, came))
    statuses = {a["code"]: a["status"] for a in mine.json()}
    assert statuses[first] == "completed"
    page = staff.get("/staff/day", params={"date": day.isoformat()}).text
    assert "已签到" in page and "未到" in page

    with server.database.read() as conn:
        viewed = conn.scalars(select(AuditEvent.__table__.c.subject).where(
            AuditEvent.__table__.c.action == "appointments.view")).all()  # fmt: skip
        outcomes = conn.scalars(select(AuditEvent.__table__.c.action).where(
            AuditEvent.__table__.c.subject == f"appointment:{first}")).all()  # fmt: skip
    assert f"day:{day.isoformat()}" in viewed  # who looked at residents' names is on record
    assert "appointment.completed" in outcomes


def test_overview_charts_count_bookings_and_understanding(centre: Centre, staff: StaffBrowser) -> None:
    kiosk = centre.kiosk()
    for outcome, intent in (("understood", "hotline.lookup"), ("understood", "hotline.lookup"),
                            ("not_understood", None)):  # fmt: skip
        kiosk.post("/api/v1/understanding/turns", json={"lang": "en", "intent": intent, "outcome": outcome})
    page = staff.get("/staff/overview", params={"lang": "en"}).text
    assert page.count("<svg") == 3 and 'role="img"' in page
    assert "phone numbers" in page  # the intent's name, not its id
    assert "Share of turns not understood" in page
