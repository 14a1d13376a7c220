"""Alerts reach staff; staff close appointments and revoke kiosks; kiosks cannot use staff routes."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx
from server_harness import Centre, book
from sqlalchemy import select, update

from server.db.models import Appointment, Device, TimeSlot
from server.privacy.tokens import token_hash


def test_emergency_and_handoff_alerts_reach_staff(centre: Centre) -> None:
    kiosk, desk = centre.kiosk(), centre.kiosk(role="staff")
    session = centre.identify(kiosk, centre.resident(name="孙大爷"))
    handoff = kiosk.post("/api/v1/alerts", json={"kind": "handoff", "note": "我要找工作人员", "lang": "zh"})
    emergency = kiosk.post(
        "/api/v1/alerts", json={"kind": "emergency", "note": "我胸口疼", "lang": "zh"}, headers=session
    )
    assert (handoff.status_code, emergency.status_code) == (201, 201)
    assert emergency.json()["resident"] == "孙大爷" and handoff.json()["resident"] is None

    mine = {handoff.json()["id"], emergency.json()["id"]}
    open_alerts = [a for a in desk.get("/api/v1/staff/alerts").json() if a["id"] in mine]
    assert [a["kind"] for a in open_alerts] == ["emergency", "handoff"]  # emergencies first
    assert open_alerts[0]["note"] == "我胸口疼"
    assert open_alerts[0]["device"].startswith("test kiosk")

    acked = desk.post(f"/api/v1/staff/alerts/{emergency.json()['id']}/acknowledge")
    assert acked.status_code == 200 and acked.json()["status"] == "acknowledged"
    assert acked.json()["acknowledged_at"]
    still_open = {a["id"] for a in desk.get("/api/v1/staff/alerts").json()}
    assert emergency.json()["id"] not in still_open and handoff.json()["id"] in still_open
    assert desk.post("/api/v1/staff/alerts/999999999/acknowledge").json()["error"] == "alert_not_found"


def test_an_alert_sent_again_with_its_key_is_raised_once(centre: Centre) -> None:
    kiosk, other, desk = centre.kiosk(), centre.kiosk(), centre.kiosk(role="staff")
    body, key = {"kind": "emergency", "note": "救命", "lang": "zh"}, {"Idempotency-Key": uuid.uuid4().hex}
    answers = [kiosk.post("/api/v1/alerts", json=body, headers=key) for _ in range(3)]
    assert [a.status_code for a in answers] == [201, 200, 200]
    assert [a.headers.get("Idempotent-Replayed") for a in answers] == [None, "true", "true"]
    assert len({a.json()["id"] for a in answers}) == 1
    elsewhere = other.post("/api/v1/alerts", json=body, headers=key)  # keys are per kiosk
    assert elsewhere.status_code == 201 and elsewhere.json()["id"] != answers[0].json()["id"]
    mine = {answers[0].json()["id"], elsewhere.json()["id"]}
    assert len([a for a in desk.get("/api/v1/staff/alerts").json() if a["id"] in mine]) == 2
    assert kiosk.post("/api/v1/alerts", json=body, headers={"Idempotency-Key": "short"}).status_code == 422


def test_kiosk_token_cannot_use_staff_routes(centre: Centre) -> None:
    kiosk = centre.kiosk()
    response = kiosk.get("/api/v1/staff/alerts")
    assert response.status_code == 403 and response.json()["error"] == "staff_only"


def test_staff_record_outcomes_and_cancel_with_reason(centre: Centre) -> None:
    service = centre.service(capacity=3)
    kiosk, desk = centre.kiosk(), centre.kiosk(role="staff")
    session = centre.identify(kiosk, centre.resident())
    day = centre.day(1)
    codes = [book(kiosk, session, service, day, at).json()["code"] for at in ("09:00", "09:30", "10:00")]

    done = desk.post(f"/api/v1/staff/appointments/{codes[0]}/status", json={"status": "completed"})
    assert done.json()["status"] == "completed"
    missed = desk.post(f"/api/v1/staff/appointments/{codes[1]}/status", json={"status": "no_show"})
    assert missed.json()["status"] == "no_show"
    assert centre.slot(service, day, "09:00").booked == 1  # a used seat stays used

    no_reason = desk.post(f"/api/v1/staff/appointments/{codes[2]}/status", json={"status": "cancelled"})
    assert no_reason.status_code == 422 and no_reason.json()["error"] == "reason_required"
    cancelled = desk.post(
        f"/api/v1/staff/appointments/{codes[2]}/status", json={"status": "cancelled", "reason": "窗口临时关闭"}
    )
    assert cancelled.json()["cancelled_by"] == "staff"
    assert centre.slot(service, day, "10:00").booked == 0

    # A finished appointment can no longer be cancelled by the resident.
    late = kiosk.post(f"/api/v1/appointments/{codes[0]}/cancel", headers=session)
    assert late.status_code == 409 and late.json()["error"] == "appointment_not_cancellable"
    statuses = {a["code"]: a["status"] for a in kiosk.get(
        "/api/v1/appointments", headers=session, params={"include_past": True}).json()}  # fmt: skip
    assert statuses == {codes[0]: "completed", codes[1]: "no_show", codes[2]: "cancelled"}


def test_started_appointment_cannot_be_cancelled(centre: Centre) -> None:
    service = centre.service(capacity=2)
    kiosk = centre.kiosk()
    session = centre.identify(kiosk, centre.resident())
    code = book(kiosk, session, service, centre.day(1), "09:00").json()["code"]
    # Move the booked slot into the past, as time would.
    slot = TimeSlot.__table__
    starts = datetime(2000, 1, 1, 9, tzinfo=UTC)
    with centre.server.database.write() as conn:
        slot_id = conn.scalar(select(Appointment.__table__.c.slot_id).where(Appointment.__table__.c.code == code))
        conn.execute(
            update(slot).where(slot.c.id == slot_id).values(starts_at=starts, ends_at=starts + timedelta(minutes=30))
        )
    refused = kiosk.post(f"/api/v1/appointments/{code}/cancel", headers=session)
    assert refused.status_code == 409 and refused.json()["error"] == "appointment_not_cancellable"


def test_a_revoked_kiosk_token_is_refused_on_its_very_next_request(centre: Centre) -> None:
    staff = centre.kiosk("staff")
    kiosk = centre.kiosk()
    session = centre.identify(kiosk, centre.resident())
    service = centre.service()
    assert kiosk.get("/api/v1/services").status_code == 200  # looked up (and, before, cached) as valid
    assert kiosk.get("/api/v1/appointments", headers=session).status_code == 200
    device_id = _device_id(centre, kiosk)

    revoked = staff.post(f"/api/v1/staff/devices/{device_id}/revoke")
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["revoked"] is True

    assert kiosk.get("/api/v1/services").status_code == 401
    assert kiosk.get("/api/v1/appointments", headers=session).status_code == 401
    booking = book(kiosk, session, service, centre.day(1), "09:00")
    assert (booking.status_code, booking.json()["error"]) == (401, "device_unauthorized")
    assert staff.post("/api/v1/staff/devices/999999/revoke").json()["error"] == "device_not_found"
    assert kiosk.post(f"/api/v1/staff/devices/{device_id}/revoke").status_code == 401  # not even for itself


def _device_id(centre: Centre, kiosk: httpx.Client) -> int:
    digest = token_hash(kiosk.headers["Authorization"].removeprefix("Bearer "))
    with centre.server.database.read() as conn:
        return conn.scalar(select(Device.__table__.c.id).where(Device.__table__.c.token_hash == digest))
