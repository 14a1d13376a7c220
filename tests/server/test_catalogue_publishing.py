"""The catalogue editor over HTTP: edits checked by the loader, regression check, publish,
the kiosk feed, rollback, import/export, understanding gaps; and the content pages."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest
from console_client import StaffBrowser
from server_harness import Centre, RunningServer, book, kiosk_parse
from sqlalchemy import insert, select

from server.db.models import AuditEvent, ClosedDay, Notice, ProgressRecord, UnderstandingGap

NEW_PHRASE = "哪里能搭个伙"
"""Not understood by the demo catalogue (a colloquial way of asking where to eat with others)."""
AUDIT = AuditEvent.__table__


@pytest.fixture(scope="module")
def staff(server: RunningServer) -> Iterator[StaffBrowser]:
    browser = StaffBrowser.new_account(server, "staff")
    yield browser
    browser.close()


def _feed(kiosk: httpx.Client, etag: str | None = None) -> httpx.Response:
    return kiosk.get("/api/v1/catalogue", headers={"If-None-Match": etag} if etag else {})



def _versions(staff: StaffBrowser) -> list[int]:
    return [int(n) for n in re.findall(r"<td>v(\d+)", staff.get("/staff/catalogue/versions").text)]


def test_an_edit_that_breaks_the_catalogue_is_refused_with_the_loaders_words(staff: StaffBrowser) -> None:
    revision = staff.draft_revision()
    form = staff.get("/staff/catalogue/intents/service.lookup").text
    current_zh = re.search(r'<textarea id="examples_zh" name="examples_zh" rows="14">(.*?)</textarea>', form, re.S)
    assert current_zh
    bad = staff.post("/staff/catalogue/intents/service.lookup", {
        "revision": revision, "examples_zh": "{servce}在哪儿办\n" + current_zh.group(1),
    })  # fmt: skip
    assert bad.status_code == 422
    assert "intent service.lookup: zh example 1: uses unknown placeholder {servce}" in bad.text
    assert "{servce}在哪儿办" in bad.text  # what was typed is kept, to be corrected
    assert staff.draft_revision() == revision  # nothing saved

    stale = staff.post("/staff/catalogue/intents/service.lookup/example",
                       {"revision": revision - 1, "text": "测试", "lang": "zh"})  # fmt: skip
    assert stale.status_code == 409 and "reload" in stale.text


def test_publish_reaches_the_kiosk_feed_and_rollback_undoes_it(server: RunningServer, centre: Centre,
                                                               staff: StaffBrowser) -> None:  # fmt: skip
    kiosk = centre.kiosk()
    before = _feed(kiosk)
    assert before.status_code == 200 and NEW_PHRASE not in before.text
    number, etag = int(before.headers["X-Catalogue-Version"]), before.headers["ETag"]
    assert _feed(kiosk, etag).status_code == 304  # polling an unchanged version costs nothing
    assert "(not understood)" in kiosk_parse(server, NEW_PHRASE)

    added = staff.post("/staff/catalogue/intents/service.lookup/example",
                       {"revision": staff.draft_revision(), "text": NEW_PHRASE, "lang": "zh"})  # fmt: skip
    assert added.status_code == 303
    tried = staff.get("/staff/catalogue/try", params={"text": NEW_PHRASE}).text
    draft_cell = re.search(r'<td class="try-intent">(.*?)</td>', tried)
    assert draft_cell and "service.lookup" in draft_cell.group(1)
    assert _feed(kiosk, etag).status_code == 304  # a draft is not published

    check = staff.get("/staff/catalogue/check")
    assert check.status_code == 200 and "测试句" in check.text
    revision = int(re.search(r'name="revision" value="(\d+)"', check.text).group(1))
    published = staff.post("/staff/catalogue/publish", {"revision": revision, "note": "搭伙"})
    assert published.status_code == 303, published.text[-2000:]

    after = _feed(kiosk, etag)
    assert after.status_code == 200 and int(after.headers["X-Catalogue-Version"]) == number + 1
    assert NEW_PHRASE in after.text
    assert "# Demo catalogue" in after.text  # the file's comments survive the console's edit
    assert "service.lookup" in kiosk_parse(server, NEW_PHRASE)

    rolled = staff.post("/staff/catalogue/rollback", {"to": number}, csrf_from="/staff/catalogue/versions")
    assert rolled.status_code == 303 and "done=rolled_back" in rolled.headers["location"]
    restored = _feed(kiosk, after.headers["ETag"])
    assert int(restored.headers["X-Catalogue-Version"]) == number + 2  # a rollback is a new version
    assert restored.text == before.text
    assert "(not understood)" in kiosk_parse(server, NEW_PHRASE)
    assert NEW_PHRASE not in staff.get("/staff/catalogue/export", params={"which": "draft"}).text  # draft followed
    assert _versions(staff)[:3] == [number + 2, number + 1, number]

    with server.database.read() as conn:
        actions = list(conn.scalars(select(AUDIT.c.action).where(AUDIT.c.subject.in_(
            [f"catalogue:v{number + 1}", f"catalogue:v{number + 2}"]))))  # fmt: skip
    assert sorted(actions) == ["catalogue.publish", "catalogue.rollback"]


def test_a_draft_that_breaks_regression_sentences_needs_a_confirmation(staff: StaffBrowser) -> None:
    revision = staff.draft_revision()
    thin = staff.post("/staff/catalogue/intents/notice.read", {
        "revision": revision, "examples_zh": "社区通知", "examples_en": "community notices",
    })  # fmt: skip
    assert thin.status_code == 303
    check = staff.get("/staff/catalogue/check").text
    broken = re.search(r"草稿不再听懂的 (\d+) 句", check)
    assert broken and int(broken.group(1)) > 0
    revision = int(re.search(r'name="revision" value="(\d+)"', check).group(1))
    refused = staff.post("/staff/catalogue/publish", {"revision": revision})
    assert refused.status_code == 409 and "勾选" in refused.text
    assert staff.post("/staff/catalogue/discard", csrf_from="/staff/catalogue").status_code == 303
    assert "草稿对所有测试句的理解都和当前版本一样" in staff.get("/staff/catalogue/check").text


def test_import_and_export_keep_the_file_as_written(staff: StaffBrowser) -> None:
    live = staff.get("/staff/catalogue/export", params={"which": "live"})
    assert live.status_code == 200 and "attachment" in live.headers["content-disposition"]
    edited = live.text.replace("settings:\n", "# 中心自己的备注\nsettings:\n", 1)
    imported = staff.post("/staff/catalogue/import", {"revision": staff.draft_revision()},
                          files={"file": ("ours.yaml", edited.encode(), "application/yaml")})  # fmt: skip
    assert imported.status_code == 303
    assert staff.get("/staff/catalogue/export", params={"which": "draft"}).text == edited

    broken = edited.replace("  zh:\n    welcome:", "  zh:\n    welcome_x:", 1).replace("intents:", "intentz:", 1)
    refused = staff.post("/staff/catalogue/import", {"revision": staff.draft_revision()},
                         files={"file": ("broken.yaml", broken.encode(), "application/yaml")})  # fmt: skip
    assert refused.status_code == 422
    assert "broken.yaml: unknown field &#39;intentz&#39; (did you mean &#39;intents&#39;?)" in refused.text
    assert staff.post("/staff/catalogue/discard", csrf_from="/staff/catalogue").status_code == 303


def test_the_console_keeps_the_prepared_examples_for_its_next_start(server: RunningServer,
                                                                      staff: StaffBrowser) -> None:
    """The editor's parsers are built from the examples prepared on disk when they are there, so
    the first page after a restart (or in the other worker) does not prepare them all again."""
    assert staff.get("/staff/catalogue").status_code == 200
    assert list((server.settings.data_dir / "index-cache").glob("prepared-*.npz"))


def test_the_check_names_intents_the_learned_model_has_not_seen(staff: StaffBrowser) -> None:
    """Staff add an intent: until the model is trained again it is understood from its examples
    alone, and the check before publishing says so (the other intents keep the model)."""
    live = staff.get("/staff/catalogue/export", params={"which": "live"}).text
    lending = ("  equipment.loan:\n    examples:\n      zh:\n        - 能借轮椅吗\n      en:\n"
               "        - can I borrow a wheelchair\n    replies:\n      zh:\n        label: 借用器具\n"
               "        default: 轮椅在一楼服务台借。\n      en:\n        label: borrow equipment\n"
               "        default: Wheelchairs are lent at the desk on the ground floor.\n\n")
    edited = live.replace("  staff.handoff:\n", lending + "  staff.handoff:\n", 1)
    assert edited != live
    imported = staff.post("/staff/catalogue/import", {"revision": staff.draft_revision()},
                          files={"file": ("lending.yaml", edited.encode(), "application/yaml")})  # fmt: skip
    assert imported.status_code == 303
    check = staff.get("/staff/catalogue/check").text
    warning = re.search(r'<p class="warn" id="check-untrained">(.*?)</p>', check, re.S)
    assert warning and "equipment.loan" in warning.group(1) and "staff.handoff" not in warning.group(1)
    assert staff.post("/staff/catalogue/discard", csrf_from="/staff/catalogue").status_code == 303
    assert 'id="check-untrained"' not in staff.get("/staff/catalogue/check").text


def test_not_understood_sentences_become_examples_in_one_click(server: RunningServer, centre: Centre,
                                                                staff: StaffBrowser) -> None:  # fmt: skip
    kiosk = centre.kiosk()
    said = f"{NEW_PHRASE}呀 我电话13800138000"
    for _ in range(2):
        response = kiosk.post(
            "/api/v1/understanding/turns",
            json={"lang": "zh", "intent": None, "outcome": "not_understood", "text": said},
        )
        assert response.status_code == 204
    kiosk.post("/api/v1/understanding/turns", json={"lang": "zh", "intent": "service.lookup", "outcome": "understood"})
    with server.database.read() as conn:
        gap = conn.execute(select(UnderstandingGap.__table__).where(
            UnderstandingGap.__table__.c.text.startswith(NEW_PHRASE))).one()  # fmt: skip
    assert gap.count == 2 and "13800138000" not in gap.text and gap.text.endswith("#")  # the number never stored

    page = staff.get("/staff/gaps").text
    assert gap.text in page
    added = staff.post(f"/staff/gaps/{gap.id}/add", {"intent": "service.lookup", "revision": staff.draft_revision()})
    assert added.status_code == 303 and "gap_added" in added.headers["location"]
    draft = staff.get("/staff/catalogue/export", params={"which": "draft"}).text
    assert gap.text in draft
    assert gap.text not in staff.get("/staff/gaps").text  # no longer open
    assert "service.lookup" in staff.get("/staff/gaps", params={"status": "added"}).text
    assert staff.post("/staff/catalogue/discard", csrf_from="/staff/catalogue").status_code == 303
    assert staff.get("/staff/overview").status_code == 200


def test_new_synonyms_reach_the_service_directory_when_published(centre: Centre, staff: StaffBrowser) -> None:
    kiosk = centre.kiosk()
    names = kiosk.get("/api/v1/services/meal_service").json()["names"]["zh"]
    form = staff.post("/staff/catalogue/services/meal_service", {
        "revision": staff.draft_revision(), "names_zh": "\n".join([*names, "搭伙点"]),
    })  # fmt: skip
    assert form.status_code == 303
    check = staff.get("/staff/catalogue/check").text
    revision = int(re.search(r'name="revision" value="(\d+)"', check).group(1))
    number = int(re.search(r"第 (\d+) 版", check).group(1))
    assert staff.post("/staff/catalogue/publish", {"revision": revision, "accept_broken": "yes"}).status_code == 303
    assert kiosk.get("/api/v1/services/meal_service").json()["names"]["zh"][-1] == "搭伙点"
    staff.post("/staff/catalogue/rollback", {"to": number})
    assert kiosk.get("/api/v1/services/meal_service").json()["names"]["zh"] == names


def test_capacity_edits_apply_to_slots_not_yet_started(centre: Centre, staff: StaffBrowser) -> None:
    service = centre.service(capacity=1)
    day = centre.day(1)
    kiosk = centre.kiosk()
    first, second = (centre.identify(kiosk, centre.resident()) for _ in range(2))
    assert book(kiosk, first, service, day, "09:00").status_code == 201
    assert book(kiosk, second, service, day, "09:00").json()["error"] == "slot_full"

    saved = staff.post(f"/staff/services/{service}/booking", {
        "booking_weekdays": [str(d) for d in range(7)], "booking_periods": "08:00-18:00",
        "slot_minutes": "30", "capacity": "2",
    })  # fmt: skip
    assert saved.status_code == 200 and 'id="rules-outcome"' in saved.text
    assert book(kiosk, second, service, day, "09:00").status_code == 201
    third = centre.identify(kiosk, centre.resident())
    assert book(kiosk, third, service, day, "09:00").json()["error"] == "slot_full"
    assert centre.slot(service, day, "09:00").capacity == 2

    # Below the seats already taken: the slot keeps its bookings, nobody is dropped.
    staff.post(f"/staff/services/{service}/booking", {
        "booking_weekdays": [str(d) for d in range(7)], "booking_periods": "08:00-18:00",
        "slot_minutes": "30", "capacity": "1",
    })  # fmt: skip
    slot = centre.slot(service, day, "09:00")
    assert (slot.capacity, slot.booked) == (2, 2)
    assert centre.slot(service, day, "10:00").capacity == 1

    wrong = staff.post(f"/staff/services/{service}/booking", {
        "booking_weekdays": ["0"], "booking_periods": "9点到12点", "slot_minutes": "30", "capacity": "2",
    })  # fmt: skip
    assert wrong.status_code == 422 and "9点到12点" in wrong.text


def test_closed_days_notices_hotlines_and_progress(server: RunningServer, centre: Centre,
                                                   staff: StaffBrowser) -> None:  # fmt: skip
    kiosk = centre.kiosk()
    service = centre.service(capacity=2)
    day = centre.day(2)
    closed = staff.post("/staff/closed-days", {"day": day.isoformat(), "service": service,
                                               "reason_zh": "设备检修", "reason_en": "maintenance"})  # fmt: skip
    assert closed.status_code == 200
    refused = book(kiosk, centre.identify(kiosk, centre.resident()), service, day, "09:00")
    assert refused.json()["error"] == "slot_closed"
    with server.database.read() as conn:
        closed_id = conn.scalar(select(ClosedDay.__table__.c.id).where(ClosedDay.__table__.c.service_id == service))
    assert staff.post(f"/staff/closed-days/{closed_id}/reopen").status_code == 303
    assert centre.slot(service, day, "09:00").closed is False

    title = f"停水 {uuid.uuid4().hex[:4]}"
    notice = staff.post("/staff/notices", {
        "kind": "water", "title_zh": title, "body_zh": "明天上午停水。", "title_en": "", "body_en": "",
        "from_day": centre.day(-1).isoformat(), "from_time": "00:00",
        "to_day": centre.day(3).isoformat(), "to_time": "00:00",
    })  # fmt: skip
    assert notice.status_code == 303
    assert title in [n["title"].get("zh") for n in kiosk.get("/api/v1/notices").json()]
    with server.database.read() as conn:
        notices = conn.execute(select(Notice.__table__.c.id, Notice.__table__.c.title)).all()
    notice_id = next(n.id for n in notices if n.title.get("zh") == title)
    assert staff.post(f"/staff/notices/{notice_id}/withdraw").status_code == 303
    assert title not in [n["title"].get("zh") for n in kiosk.get("/api/v1/notices").json()]

    code = f"A{uuid.uuid4().int % 90000 + 10000}"
    with server.database.write() as conn:
        now = datetime.now(UTC)
        conn.execute(
            insert(ProgressRecord.__table__).values(
                code=code, service_id="social_security_card", status="in_progress", created_at=now, updated_at=now
            )
        )
    # A demo hotline, put back as it was: other tests compare the hotlines with the catalogue.
    original = kiosk.get("/api/v1/hotlines/community").json()
    try:
        changed = staff.post("/staff/hotlines/community", {"number": "0571-8888 0001", "description_zh": "测试"})
        assert changed.status_code == 303
        assert kiosk.get("/api/v1/hotlines/community").json()["number"] == "0571-8888 0001"
        assert staff.post("/staff/hotlines/community", {"number": "call me"}).status_code == 422
    finally:
        staff.post("/staff/hotlines/community", {"number": original["number"], **{
            f"description_{lang}": text for lang, text in original["description"].items()}})  # fmt: skip
    assert kiosk.get("/api/v1/hotlines/community").json() == original

    assert staff.post(f"/staff/progress/{code}", {"status": "ready", "note_zh": "", "note_en": ""}).status_code == 303
    progress = kiosk.get(f"/api/v1/progress/{code}").json()
    assert progress["status"] == "ready" and progress["history"][-1]["note"]["zh"].startswith("已经办好了")
    jump = staff.post(f"/staff/progress/{code}", {"status": "received", "note_zh": "x"})
    assert jump.status_code == 422 and "cannot become received" in jump.text
