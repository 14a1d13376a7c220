"""Who may act for whom: identification, rate limits, sessions bound to one kiosk."""

from __future__ import annotations

import uuid

import httpx
from server_harness import Centre, book
from sqlalchemy import text


def test_phone_and_birth_year_open_a_session(centre: Centre) -> None:
    kiosk = centre.kiosk()
    resident = centre.resident(birth_year=1947, name="赵玉兰")
    spaced = f"+86 {resident.phone[:3]}-{resident.phone[3:7]} {resident.phone[7:]}"
    response = kiosk.post("/api/v1/residents/identify", json={"phone": spaced, "birth_year": 1947})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["resident"] == {"name": "赵玉兰"}
    assert body["session_token"].startswith("rs_")
    me = kiosk.get("/api/v1/residents/me", headers={"X-Resident-Session": body["session_token"]})
    assert me.json() == {"name": "赵玉兰"}


def test_wrong_data_is_refused_the_same_way_whichever_fact_is_wrong(centre: Centre) -> None:
    kiosk = centre.kiosk()
    resident = centre.resident(birth_year=1950)
    wrong_year = kiosk.post("/api/v1/residents/identify", json={"phone": resident.phone, "birth_year": 1951})
    nobody = "1300" + str(uuid.uuid4().int)[:7]  # a phone no other test tries
    wrong_phone = kiosk.post("/api/v1/residents/identify", json={"phone": nobody, "birth_year": 1950})
    not_a_phone = kiosk.post("/api/v1/residents/identify", json={"phone": "王秀英", "birth_year": 1950})
    for response in (wrong_year, wrong_phone, not_a_phone):
        assert response.status_code == 401
        assert response.json()["error"] == "identification_failed"
        assert "session_token" not in response.json()
    assert wrong_year.json()["message"] == wrong_phone.json()["message"] == not_a_phone.json()["message"]
    assert [r.json()["attempts_left"] for r in (wrong_year, wrong_phone, not_a_phone)] == [4, 3, 2]


def test_failed_attempts_are_rate_limited_per_kiosk(centre: Centre) -> None:
    kiosk, other_kiosk = centre.kiosk(), centre.kiosk()
    resident, other = centre.resident(birth_year=1950), centre.resident(birth_year=1950)
    for n in range(5):
        wrong = kiosk.post("/api/v1/residents/identify", json={"phone": f"1370000{n:04d}", "birth_year": 1960})
        assert wrong.status_code == 401
    blocked = kiosk.post("/api/v1/residents/identify", json={"phone": resident.phone, "birth_year": 1950})
    assert blocked.status_code == 429
    assert blocked.json()["error"] == "too_many_attempts"
    assert 0 < int(blocked.headers["Retry-After"]) <= 600
    assert blocked.json()["retry_after_seconds"] == int(blocked.headers["Retry-After"])
    # Another kiosk is not affected, for the same resident or another (no phone had five failures).
    for someone in (resident, other):
        answer = other_kiosk.post("/api/v1/residents/identify", json={"phone": someone.phone, "birth_year": 1950})
        assert answer.status_code == 200


def test_shared_phone_is_told_apart_by_birth_year(centre: Centre) -> None:
    kiosk = centre.kiosk()
    husband = centre.resident(birth_year=1943, name="刘德明")
    wife = centre.resident(birth_year=1945, phone=husband.phone, name="张桂兰")
    names = [
        kiosk.post("/api/v1/residents/identify", json={"phone": husband.phone, "birth_year": r.birth_year}).json()[
            "resident"
        ]["name"]
        for r in (husband, wife)
    ]
    assert names == ["刘德明", "张桂兰"]
    twin = centre.resident(birth_year=1945, phone=husband.phone)
    ambiguous = kiosk.post("/api/v1/residents/identify", json={"phone": twin.phone, "birth_year": 1945})
    assert ambiguous.status_code == 409
    assert ambiguous.json()["error"] == "identification_ambiguous"


def test_acting_without_identification_is_refused(centre: Centre) -> None:
    kiosk = centre.kiosk()
    service = centre.service()
    for response in (
        kiosk.get("/api/v1/appointments"),
        book(kiosk, {}, service, centre.day(1), "09:00"),
        book(kiosk, {"X-Resident-Session": "rs_made_up_token"}, service, centre.day(1), "09:00"),
        kiosk.post("/api/v1/appointments/M1234/cancel"),
    ):
        assert response.status_code == 401, response.text
        assert response.json()["error"] == "not_identified"
    assert centre.slot(service, centre.day(1), "09:00").booked == 0


def test_session_works_only_on_the_kiosk_that_opened_it(centre: Centre) -> None:
    kiosk, other_kiosk = centre.kiosk(), centre.kiosk()
    session = centre.identify(kiosk, centre.resident())
    stolen = other_kiosk.get("/api/v1/appointments", headers=session)
    assert stolen.status_code == 401
    assert stolen.json()["error"] == "not_identified"
    assert kiosk.get("/api/v1/appointments", headers=session).status_code == 200


def test_ended_session_stops_working(centre: Centre) -> None:
    kiosk = centre.kiosk()
    session = centre.identify(kiosk, centre.resident())
    assert kiosk.delete("/api/v1/residents/session", headers=session).status_code == 204
    assert kiosk.get("/api/v1/appointments", headers=session).json()["error"] == "not_identified"


def test_resident_cannot_see_or_cancel_anothers_appointment(centre: Centre) -> None:
    service = centre.service()
    kiosk = centre.kiosk()
    owner = centre.identify(kiosk, centre.resident())
    other = centre.identify(kiosk, centre.resident())
    code = book(kiosk, owner, service, centre.day(1), "13:00").json()["code"]

    assert kiosk.get("/api/v1/appointments", headers=other).json() == []
    seen = kiosk.get(f"/api/v1/appointments/{code}", headers=other)
    cancelled = kiosk.post(f"/api/v1/appointments/{code}/cancel", headers=other)
    unknown = kiosk.get("/api/v1/appointments/W99999", headers=other)
    for response in (seen, cancelled):
        assert response.status_code == 404
        assert response.json()["error"] == "appointment_not_found"
    # The same answer as for a code that does not exist: nothing to learn by guessing.
    assert unknown.status_code == 404 and unknown.json()["error"] == "appointment_not_found"
    assert kiosk.get(f"/api/v1/appointments/{code}", headers=owner).json()["status"] == "booked"
    assert centre.slot(service, centre.day(1), "13:00").booked == 1


def test_device_token_is_required_and_checked(centre: Centre) -> None:
    with httpx.Client(base_url=centre.server.base_url) as anonymous:
        for headers in ({}, {"Authorization": "Bearer kd_not_a_real_token"}):
            response = anonymous.get("/api/v1/services", headers=headers)
            assert response.status_code == 401
            assert response.json()["error"] == "device_unauthorized"


def test_device_tokens_are_stored_only_as_hashes(centre: Centre) -> None:
    kiosk = centre.kiosk()
    token = kiosk.headers["Authorization"].removeprefix("Bearer ")
    session = centre.identify(kiosk, centre.resident())["X-Resident-Session"]
    with centre.server.database.read() as conn:
        hashes = set(conn.scalars(text("SELECT token_hash FROM device")))
        hashes |= set(conn.scalars(text("SELECT token_hash FROM resident_session")))
    assert token not in hashes and session not in hashes
    assert all(len(h) == 64 for h in hashes)
