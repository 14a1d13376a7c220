"""Booking over HTTP: the lifecycle, retries, and every refusal with its alternatives."""

from __future__ import annotations

import uuid
from datetime import time as clock

import pytest
from server_harness import Centre, book
from sqlalchemy import update

from server.booking import bookings
from server.booking.bookings import BookingRequest
from server.db.models import TimeSlot


def test_book_list_cancel_lifecycle(centre: Centre) -> None:
    service = centre.service(capacity=2)
    kiosk = centre.kiosk()
    resident = centre.resident()
    session = centre.identify(kiosk, resident)
    tomorrow = centre.day(1)

    booked = book(kiosk, session, service, tomorrow, "09:00")
    assert booked.status_code == 201, booked.text
    appointment = booked.json()
    code = appointment["code"]
    assert appointment["status"] == "booked"
    assert (appointment["date"], appointment["time"], appointment["end_time"]) == (
        tomorrow.isoformat(), "09:00", "09:30",
    )  # fmt: skip
    assert appointment["starts_at"].endswith("+08:00")
    assert code[0] in "MPRWY" and code[1:].isdigit() and len(code) == 5
    assert centre.slot(service, tomorrow, "09:00").booked == 1

    listed = kiosk.get("/api/v1/appointments", headers=session).json()
    assert [a["code"] for a in listed] == [code]
    assert kiosk.get(f"/api/v1/appointments/{code.lower()}", headers=session).json()["code"] == code

    cancelled = kiosk.post(f"/api/v1/appointments/{code}/cancel", headers=session, json={"reason": "生病了"})
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["cancel_reason"] == "生病了"
    assert cancelled.json()["cancelled_by"] == "resident"
    assert centre.slot(service, tomorrow, "09:00").booked == 0
    assert kiosk.get("/api/v1/appointments", headers=session).json() == []

    # Never deleted: still there with its reason; cancelling again answers the same.
    history = kiosk.get("/api/v1/appointments", headers=session, params={"include_past": True}).json()
    assert [(a["code"], a["status"], a["cancel_reason"]) for a in history] == [(code, "cancelled", "生病了")]
    again = kiosk.post(f"/api/v1/appointments/{code}/cancel", headers=session)
    assert again.status_code == 200 and again.json()["cancel_reason"] == "生病了"
    assert centre.slot(service, tomorrow, "09:00").booked == 0

    # The freed seat can be booked again, by the same resident too.
    rebooked = book(kiosk, session, service, tomorrow, "09:00")
    assert rebooked.status_code == 201 and rebooked.json()["code"] != code


def test_cancel_without_body_keeps_a_default_reason(centre: Centre) -> None:
    service = centre.service()
    kiosk = centre.kiosk()
    session = centre.identify(kiosk, centre.resident())
    code = book(kiosk, session, service, centre.day(1), "10:00").json()["code"]
    cancelled = kiosk.post(f"/api/v1/appointments/{code}/cancel", headers=session)
    assert cancelled.status_code == 200
    assert cancelled.json()["cancel_reason"]


def test_retry_with_same_idempotency_key_books_once(centre: Centre) -> None:
    service = centre.service(capacity=3)
    kiosk = centre.kiosk()
    session = centre.identify(kiosk, centre.resident())
    day = centre.day(2)

    first = book(kiosk, session, service, day, "11:00", key="retry-key-0001")
    retry = book(kiosk, session, service, day, "11:00", key="retry-key-0001")
    assert first.status_code == 201
    assert retry.status_code == 200
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert retry.json() == first.json()
    assert centre.slot(service, day, "11:00").booked == 1

    reused = book(kiosk, session, service, day, "11:30", key="retry-key-0001")
    assert reused.status_code == 409
    assert reused.json()["error"] == "idempotency_conflict"
    assert centre.slot(service, day, "11:30").booked == 0


def test_idempotency_keys_are_per_kiosk(centre: Centre) -> None:
    service = centre.service(capacity=3)
    kiosk_a, kiosk_b = centre.kiosk(), centre.kiosk()
    day = centre.day(1)
    a = book(kiosk_a, centre.identify(kiosk_a, centre.resident()), service, day, "14:00", key="same-key-0001")
    b = book(kiosk_b, centre.identify(kiosk_b, centre.resident()), service, day, "14:00", key="same-key-0001")
    assert (a.status_code, b.status_code) == (201, 201)
    assert a.json()["code"] != b.json()["code"]


def test_full_slot_offers_nearest_free_slots_same_day_first(centre: Centre) -> None:
    service = centre.service(capacity=1)
    kiosk = centre.kiosk()
    first, second = centre.resident(), centre.resident()
    day = centre.day(1)
    assert book(kiosk, centre.identify(kiosk, first), service, day, "09:00").status_code == 201
    centre.change_slot(service, day, "09:30", booked=1)  # taken by someone else

    refused = book(kiosk, centre.identify(kiosk, second), service, day, "09:00")
    assert refused.status_code == 409
    body = refused.json()
    assert body["error"] == "slot_full"
    offered = [(slot["date"], slot["time"]) for slot in body["alternatives"]]
    # 09:30 is full too, so the nearest are 08:30 and 10:00; a tie goes to the later time.
    assert offered == [(day.isoformat(), "08:30"), (day.isoformat(), "10:00"), (day.isoformat(), "08:00")]
    assert all(slot["state"] == "free" and slot["free"] == 1 for slot in body["alternatives"])


def test_full_day_offers_the_same_time_on_following_days(centre: Centre) -> None:
    service = centre.service(capacity=1, days=4)
    kiosk = centre.kiosk()
    session = centre.identify(kiosk, centre.resident())
    day = centre.day(1)
    for hour in range(8, 18):
        for minute in ("00", "30"):
            centre.change_slot(service, day, f"{hour:02d}:{minute}", booked=1)
    refused = book(kiosk, session, service, day, "09:00")
    assert refused.json()["error"] == "slot_full"
    offered = [(slot["date"], slot["time"]) for slot in refused.json()["alternatives"]]
    assert offered[0] == (centre.day(2).isoformat(), "09:00")


def test_alternatives_leave_out_slots_the_resident_already_holds(centre: Centre) -> None:
    service = centre.service(capacity=2)
    kiosk = centre.kiosk()
    session = centre.identify(kiosk, centre.resident())
    day = centre.day(1)
    assert book(kiosk, session, service, day, "10:30").status_code == 201
    centre.change_slot(service, day, "10:00", booked=2)
    offered = book(kiosk, session, service, day, "10:00").json()["alternatives"]
    assert "10:30" not in [slot["time"] for slot in offered]


def test_past_slot_is_refused_with_future_alternatives(centre: Centre) -> None:
    service = centre.service()
    kiosk = centre.kiosk()
    session = centre.identify(kiosk, centre.resident())
    refused = book(kiosk, session, service, centre.day(-1), "09:00")
    assert refused.status_code == 409
    assert refused.json()["error"] == "slot_past"
    assert refused.json()["alternatives"], "a past request should still be offered something"
    assert all(slot["state"] == "free" for slot in refused.json()["alternatives"])
    assert centre.slot(service, centre.day(-1), "09:00").booked == 0


def test_closed_slot_and_closed_day_are_refused(centre: Centre) -> None:
    service = centre.service()
    kiosk = centre.kiosk()
    session = centre.identify(kiosk, centre.resident())
    day = centre.day(1)
    centre.change_slot(service, day, "15:00", closed=True)
    refused = book(kiosk, session, service, day, "15:00")
    assert refused.status_code == 409
    assert refused.json()["error"] == "slot_closed"
    assert "15:00" not in [slot["time"] for slot in refused.json()["alternatives"]]
    assert centre.slot(service, day, "15:00").booked == 0


def test_closed_day_from_the_demo_is_refused_with_its_reason(centre: Centre) -> None:
    kiosk = centre.kiosk()
    session = centre.identify(kiosk, centre.resident())
    day = centre.demo_closed_day()
    service = kiosk.get("/api/v1/services").json()
    service = next(s["id"] for s in service if s["bookable"])
    refused = book(kiosk, session, service, day, "09:00")
    assert refused.status_code == 409
    assert refused.json()["error"] == "slot_closed"
    assert refused.json()["closed"]["zh"]
    slots = kiosk.get(f"/api/v1/services/{service}/slots", params={"date": day.isoformat()}).json()
    assert slots["closed"]["en"] and slots["slots"] == []


def test_time_between_slots_is_no_such_slot(centre: Centre) -> None:
    service = centre.service()
    kiosk = centre.kiosk()
    session = centre.identify(kiosk, centre.resident())
    refused = book(kiosk, session, service, centre.day(1), "09:15")
    assert refused.status_code == 409
    assert refused.json()["error"] == "no_such_slot"
    assert [slot["time"] for slot in refused.json()["alternatives"]][:2] == ["09:30", "09:00"]


def test_unknown_and_unbookable_services(centre: Centre) -> None:
    kiosk = centre.kiosk()
    session = centre.identify(kiosk, centre.resident())
    unknown = book(kiosk, session, "no_such_service", centre.day(1), "09:00")
    assert (unknown.status_code, unknown.json()["error"]) == (404, "service_not_found")
    info_only = centre.service(bookable=False)
    refused = book(kiosk, session, info_only, centre.day(1), "09:00")
    assert (refused.status_code, refused.json()["error"]) == (409, "service_not_bookable")


def test_resident_cannot_hold_two_bookings_in_one_slot(centre: Centre) -> None:
    service = centre.service(capacity=5)
    kiosk = centre.kiosk()
    session = centre.identify(kiosk, centre.resident())
    day = centre.day(1)
    first = book(kiosk, session, service, day, "16:00")
    second = book(kiosk, session, service, day, "16:00")
    assert second.status_code == 409
    assert second.json()["error"] == "already_booked"
    assert second.json()["code"] == first.json()["code"]
    assert centre.slot(service, day, "16:00").booked == 1


def test_day_slots_show_state_and_free_seats(centre: Centre) -> None:
    service = centre.service(capacity=2)
    kiosk = centre.kiosk()
    day = centre.day(1)
    centre.change_slot(service, day, "08:00", booked=2)
    centre.change_slot(service, day, "08:30", booked=1)
    centre.change_slot(service, day, "09:00", closed=True)
    slots = kiosk.get(f"/api/v1/services/{service}/slots", params={"date": day.isoformat()}).json()["slots"]
    assert [(s["time"], s["state"], s["free"]) for s in slots[:4]] == [
        ("08:00", "full", 0), ("08:30", "free", 1), ("09:00", "closed", 0), ("09:30", "free", 2),
    ]  # fmt: skip
    assert len(slots) == 20
    free_only = kiosk.get(
        f"/api/v1/services/{service}/slots", params={"date": day.isoformat(), "only_free": True}
    ).json()["slots"]
    assert len(free_only) == 18
    past = kiosk.get(f"/api/v1/services/{service}/slots", params={"date": centre.day(-1).isoformat()}).json()
    assert {s["state"] for s in past["slots"]} == {"past"}


def test_free_days_leaves_out_full_and_closed_days_in_one_request(centre: Centre) -> None:
    slots = TimeSlot.__table__
    service = centre.service(capacity=1, days=4)
    with centre.server.database.write() as conn:
        conn.execute(update(slots).where(slots.c.service_id == service, slots.c.day == centre.day(1))
                     .values(booked=slots.c.capacity))  # fmt: skip
        conn.execute(update(slots).where(slots.c.service_id == service, slots.c.day == centre.day(2))
                     .values(closed=True))  # fmt: skip
    kiosk = centre.kiosk()
    found = kiosk.get(f"/api/v1/services/{service}/free-days", params={"from": centre.day(1).isoformat(), "days": 3})
    assert found.status_code == 200, found.text
    assert found.json() == {"service_id": service, "days": [centre.day(3).isoformat()]}
    assert kiosk.get(f"/api/v1/services/{service}/free-days", params={"days": 0}).status_code == 422
    assert kiosk.get(f"/api/v1/services/{service}/free-days", params={"from": "0001-01-01"}).status_code == 422
    assert kiosk.get("/api/v1/services/no_such_service/free-days").json()["error"] == "service_not_found"
    not_bookable = centre.service(bookable=False)
    assert kiosk.get(f"/api/v1/services/{not_bookable}/free-days").json()["error"] == "service_not_bookable"


def test_a_reference_code_already_taken_is_skipped(centre: Centre, monkeypatch: pytest.MonkeyPatch) -> None:
    service = centre.service(capacity=3)
    kiosk = centre.kiosk()
    taken = book(kiosk, centre.identify(kiosk, centre.resident()), service, centre.day(1), "09:00").json()["code"]
    offered = iter([taken, taken, "W0" + str(uuid.uuid4().int)[:5]])
    monkeypatch.setattr(bookings, "new_appointment_code", lambda digits: next(offered))
    request = BookingRequest(centre.resident().id, service, centre.day(1), clock(9), None, None)

    made = bookings.book(centre.server.database, centre.zone, request)

    assert made.appointment.code not in (taken, None) and made.appointment.code.startswith("W0")
    assert centre.slot(service, centre.day(1), "09:00").booked == 2
