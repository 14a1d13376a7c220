"""What a kiosk reads out: services, hotlines, notices in force, application progress."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from server_harness import Centre
from sqlalchemy import insert

from intents import load_catalogue
from server.db.models import Notice


def test_services_and_hotlines_mirror_the_catalogue(centre: Centre) -> None:
    kiosk = centre.kiosk()
    catalogue = load_catalogue()
    services = {s["id"]: s for s in kiosk.get("/api/v1/services").json()}
    for expected in catalogue.services:
        served = services[expected.id]
        assert served["names"]["zh"][0] == expected.name("zh")
        assert served["location"] == dict(expected.location)
        assert served["bookable"] == expected.bookable
        assert served["hours"]["weekdays"] == sorted(expected.hours.weekdays)
        if expected.bookable:
            assert served["booking"]["slot_minutes"] == expected.slot_minutes
            assert served["booking"]["capacity"] == expected.capacity
    one = catalogue.services[0]
    assert kiosk.get(f"/api/v1/services/{one.id}").json()["id"] == one.id
    assert kiosk.get("/api/v1/services/nope").json()["error"] == "service_not_found"

    hotlines = kiosk.get("/api/v1/hotlines").json()
    assert [h["id"] for h in hotlines] == [h.id for h in catalogue.hotlines]
    first = catalogue.hotlines[0]
    assert kiosk.get(f"/api/v1/hotlines/{first.id}").json()["number"] == first.number
    assert kiosk.get("/api/v1/hotlines/nope").json()["error"] == "hotline_not_found"


def test_demo_gives_every_bookable_service_a_month_of_slots(centre: Centre) -> None:
    kiosk = centre.kiosk()
    bookable = [s for s in load_catalogue().services if s.bookable]
    assert bookable, "the demo catalogue has no bookable service"
    for service in bookable:
        days_with_slots = 0
        for offset in range(30):
            day = centre.day(offset)
            if day == centre.demo_closed_day():
                continue
            slots = kiosk.get(f"/api/v1/services/{service.id}/slots", params={"date": day.isoformat()}).json()
            days_with_slots += bool(slots["slots"])
            assert bool(slots["slots"]) == (day.weekday() in service.hours.weekdays), (service.id, day)
        assert days_with_slots >= 4, service.id  # at least weekly for a month


def test_notices_in_force_pinned_first(centre: Centre) -> None:
    kiosk = centre.kiosk()
    now = datetime.now(UTC)
    text = {"zh": "测试", "en": "test"}
    rows = [
        {"kind": "test-expired", "valid_from": now - timedelta(days=3), "valid_to": now - timedelta(days=1)},
        {"kind": "test-future", "valid_from": now + timedelta(days=1), "valid_to": now + timedelta(days=2)},
        {"kind": "test-zh-only", "valid_from": now - timedelta(hours=1), "valid_to": now + timedelta(hours=1),
         "title": {"zh": "只有中文"}, "body": {"zh": "只有中文"}},
    ]  # fmt: skip
    with centre.server.database.write() as conn:
        for row in rows:
            conn.execute(
                insert(Notice.__table__).values(
                    {"title": text, "body": text, "pinned": False, "created_at": now, **row}
                )
            )
    current = kiosk.get("/api/v1/notices").json()
    kinds = [n["kind"] for n in current]
    assert "test-expired" not in kinds and "test-future" not in kinds and "test-zh-only" in kinds
    assert {"weather", "water"} <= set(kinds)  # the demo's heat warning and water cut
    assert current[0]["pinned"] and current[0]["kind"] == "weather"
    assert "test-zh-only" not in [n["kind"] for n in kiosk.get("/api/v1/notices", params={"lang": "en"}).json()]
    later = kiosk.get("/api/v1/notices", params={"at": (now + timedelta(days=1, hours=1)).isoformat()}).json()
    assert "test-future" in [n["kind"] for n in later]


def test_progress_by_reference_code(centre: Centre) -> None:
    kiosk = centre.kiosk()
    record = kiosk.get("/api/v1/progress/a1023").json()
    assert record["code"] == "A1023"
    assert record["status"] == "ready"
    assert [step["status"] for step in record["history"]] == ["received", "in_progress", "ready"]
    assert record["history"][-1]["note"]["zh"]
    assert "resident" not in record and "13800138000" not in str(record)
    missing = kiosk.get("/api/v1/progress/A9999")
    assert missing.status_code == 404 and missing.json()["error"] == "progress_not_found"
    assert kiosk.get("/api/v1/progress/not-a-code").status_code == 422


def test_demo_resident_and_kiosk_token_work(centre: Centre) -> None:
    import httpx

    with httpx.Client(
        base_url=centre.server.base_url, headers={"Authorization": "Bearer demo-kiosk-token"}
    ) as demo_kiosk:
        identified = demo_kiosk.post("/api/v1/residents/identify", json={"phone": "138 0013 8000", "birth_year": 1948})
        assert identified.status_code == 200
        assert identified.json()["resident"]["name"] == "王秀英"
