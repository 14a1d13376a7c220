"""Family proxies end to end over HTTP: consent codes, the family page, scopes, revocation,
what the elder is told, and the security rules around them (on SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import httpx
from family_harness import book_on_page, cancel_on_page, family_page, grant, link, new_source, text_of
from server_harness import Centre, book
from sqlalchemy import delete, select, update

from server.db.models import Appointment, AuditEvent, ConsentCode, ConsentCodeAttempt, Proxy

CONSENT = ConsentCode.__table__
PROXY = Proxy.__table__
AUDIT = AuditEvent.__table__
APPOINTMENT = Appointment.__table__
ATTEMPT = ConsentCodeAttempt.__table__


def audit_rows(centre: Centre, **where: str) -> list[dict]:
    with centre.server.database.read() as conn:
        query = select(AUDIT)
        for column, value in where.items():
            query = query.where(AUDIT.c[column] == value)
        return [dict(row._mapping) for row in conn.execute(query.order_by(AUDIT.c.id))]


def elder_and_relative(centre: Centre, **link_options: object) -> tuple[httpx.Client, dict, object, httpx.Client]:
    """An elder identified at a kiosk, and a relative's phone linked with the elder's code."""
    kiosk = centre.kiosk()
    elder = centre.resident()
    session = centre.identify(kiosk, elder)
    consent = grant(kiosk, session)
    phone = family_page(centre.server)
    response = link(phone, consent["code"], "139 0000 1234", **link_options)  # type: ignore[arg-type]
    assert response.status_code == 303, text_of(response)
    assert response.headers["location"] == "/family"
    return kiosk, session, elder, phone


def test_a_relative_links_with_the_code_books_and_the_elder_hears_who_did_it(centre: Centre) -> None:
    service = centre.service(capacity=2)
    kiosk, session, elder, phone = elder_and_relative(centre)

    home = phone.get("/family")
    assert home.status_code == 200
    assert f"您正在代 {elder.name} 办事" in text_of(home)
    assert home.headers["cache-control"] == "no-store"
    assert "frame-ancestors 'none'" in home.headers["content-security-policy"]

    day = centre.day(1)
    booked = book_on_page(phone, service, day, "09:00")
    assert booked.status_code == 303, text_of(booked)
    code = booked.headers["location"].split("booked=")[1]
    # The booking is the elder's own: the kiosk lists it for them.
    listed = kiosk.get("/api/v1/appointments", headers=session).json()
    assert [a["code"] for a in listed] == [code]
    assert code in text_of(phone.get("/family"))

    news = kiosk.get("/api/v1/family/news", headers=session).json()
    assert [(n["action"], n["code"], n["proxy_name"], n["phone_tail"]) for n in news] == [
        ("booked", code, "女儿小红", "1234")
    ]
    assert kiosk.post("/api/v1/family/news/told", json={"ids": [news[0]["id"]]}, headers=session).status_code == 204
    assert kiosk.get("/api/v1/family/news", headers=session).json() == []  # said once

    cancelled = cancel_on_page(phone, code)
    assert cancelled.status_code == 303
    news = kiosk.get("/api/v1/family/news", headers=session).json()
    assert [(n["action"], n["code"]) for n in news] == [("cancelled", code)]
    with centre.server.database.read() as conn:
        proxy_id = conn.scalar(select(PROXY.c.id).where(PROXY.c.resident_id == elder.id))

    # "By X on behalf of Y", in the audit log, in the same transactions as the changes.
    acted = audit_rows(centre, actor=f"proxy:{proxy_id}")
    assert [(r["action"], r["subject"], r["on_behalf_of"]) for r in acted] == [
        ("proxy.link", acted[0]["subject"], f"resident:{elder.id}"),
        ("appointment.list", f"resident:{elder.id}", f"resident:{elder.id}"),
        ("appointment.book", f"appointment:{code}", f"resident:{elder.id}"),
        ("appointment.list", f"resident:{elder.id}", f"resident:{elder.id}"),
        ("appointment.cancel", f"appointment:{code}", f"resident:{elder.id}"),
    ]
    assert all(r["at"].tzinfo is not None for r in acted)
    granted = audit_rows(centre, action="consent.grant", on_behalf_of=f"resident:{elder.id}")
    assert len(granted) == 1 and granted[0]["actor"].startswith("kiosk:")


def test_a_proxy_reaches_its_own_elder_only(centre: Centre) -> None:
    service = centre.service(capacity=3)
    _kiosk, _session, _elder, phone = elder_and_relative(centre)
    other_kiosk = centre.kiosk()
    other = centre.resident()
    other_code = book(other_kiosk, centre.identify(other_kiosk, other), service, centre.day(1), "10:00").json()["code"]

    refused = cancel_on_page(phone, other_code)
    assert refused.status_code == 404
    assert "没有找到这个预约" in text_of(refused)
    assert other.name not in refused.text
    assert (
        other_kiosk.get("/api/v1/appointments", headers=centre.identify(other_kiosk, other)).json()[0]["status"]
        == "booked"
    )
    assert other_code not in text_of(phone.get("/family"))


def test_the_kiosk_acts_only_for_the_resident_it_identified(centre: Centre) -> None:
    kiosk, session, _elder, _phone = elder_and_relative(centre)
    proxy_id = kiosk.get("/api/v1/family/proxies", headers=session).json()[0]["id"]
    consent_id = grant(kiosk, session)["consent_id"]
    stranger_kiosk = centre.kiosk()
    stranger = centre.identify(stranger_kiosk, centre.resident())

    assert stranger_kiosk.post(f"/api/v1/family/proxies/{proxy_id}/revoke", headers=stranger).status_code == 404
    assert stranger_kiosk.post(f"/api/v1/family/consents/{consent_id}/extend", headers=stranger).status_code == 404
    assert stranger_kiosk.get("/api/v1/family/proxies", headers=stranger).json() == []
    # The elder's session token is bound to the elder's kiosk.
    assert stranger_kiosk.get("/api/v1/family/proxies", headers=session).json()["error"] == "not_identified"
    assert kiosk.get("/api/v1/family/proxies", headers=session).json()[0]["id"] == proxy_id  # untouched


def test_revoking_at_the_kiosk_stops_the_next_attempt(centre: Centre) -> None:
    service = centre.service(capacity=2)
    kiosk, session, elder, phone = elder_and_relative(centre)
    proxy_id = kiosk.get("/api/v1/family/proxies", headers=session).json()[0]["id"]

    revoked = kiosk.post(f"/api/v1/family/proxies/{proxy_id}/revoke", headers=session)
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert kiosk.post(f"/api/v1/family/proxies/{proxy_id}/revoke", headers=session).status_code == 200  # repeatable

    attempt = book_on_page(phone, service, centre.day(1), "09:00")
    assert attempt.status_code == 403
    assert "收回了您的代办授权" in text_of(attempt)
    assert kiosk.get("/api/v1/appointments", headers=session).json() == []
    assert phone.get("/family").status_code == 403
    assert kiosk.get("/api/v1/family/proxies", headers=session).json() == []
    elder_kiosk = audit_rows(centre, action="consent.grant", on_behalf_of=f"resident:{elder.id}")[0]["actor"]
    revocations = audit_rows(centre, action="proxy.revoke", subject=f"proxy:{proxy_id}")
    assert [(r["actor"], r["on_behalf_of"]) for r in revocations] == [(elder_kiosk, f"resident:{elder.id}")]


def test_staff_record_consent_at_the_desk_and_revoke_with_a_reason(centre: Centre) -> None:
    service = centre.service(capacity=2)
    staff = centre.kiosk(role="staff")
    elder = centre.resident(birth_year=1944)
    last_day = centre.day(5)
    recorded = staff.post(
        "/api/v1/staff/family/consents",
        json={
            "phone": elder.phone,
            "birth_year": 1944,
            "scopes": ["view", "book"],
            "proxy_until": last_day.isoformat(),
        },
    )
    assert recorded.status_code == 201, recorded.text
    consent = recorded.json()
    assert len(consent["code"]) == 6 and consent["scopes"] == ["view", "book"]

    phone = family_page(centre.server)
    assert link(phone, consent["code"], "13700001111", name="儿子大明").status_code == 303
    home = text_of(phone.get("/family"))
    assert "老人允许您：查看预约、预约" in home and "取消预约" not in home.split("老人允许您")[1].split("。")[0]
    assert f"授权到 {last_day.month}月{last_day.day}日" in home
    code = book_on_page(phone, service, centre.day(1), "11:00").headers["location"].split("booked=")[1]
    assert cancel_on_page(phone, code).status_code == 403  # cancelling was not allowed

    proxies = staff.get("/api/v1/staff/family/proxies").json()
    mine = next(p for p in proxies if p["resident"] == elder.name)
    assert mine["name"] == "儿子大明" and mine["phone_tail"] == "1111"
    assert staff.post(f"/api/v1/staff/family/proxies/{mine['id']}/revoke", json={}).status_code == 422
    revoked = staff.post(
        f"/api/v1/staff/family/proxies/{mine['id']}/revoke", json={"reason": "the elder asked at the desk"}
    )
    assert revoked.status_code == 200
    assert book_on_page(phone, service, centre.day(1), "11:30").status_code == 403

    kiosk = centre.kiosk()
    assert (
        kiosk.post("/api/v1/staff/family/consents", json={"phone": elder.phone, "birth_year": 1944}).status_code == 403
    )
    assert kiosk.get("/api/v1/staff/family/proxies").json()["error"] == "staff_only"


def test_expired_used_and_wrong_codes_fail_clearly(centre: Centre) -> None:
    kiosk = centre.kiosk()
    session = centre.identify(kiosk, centre.resident())
    consent = grant(kiosk, session)
    with centre.server.database.write() as conn:
        conn.execute(
            update(CONSENT)
            .where(CONSENT.c.id == consent["consent_id"])
            .values(expires_at=datetime.now(UTC) - timedelta(minutes=1))
        )
    phone = family_page(centre.server)
    expired = link(phone, consent["code"], "13600000001")
    assert expired.status_code == 410
    assert "这个代码已经过期了" in text_of(expired)
    assert "family_session" not in expired.headers.get("set-cookie", "")
    assert kiosk.post(f"/api/v1/family/consents/{consent['consent_id']}/extend", headers=session).json()["error"] == (
        "consent_not_extendable"
    )

    fresh = grant(kiosk, session)
    assert link(family_page(centre.server), fresh["code"], "13600000002").status_code == 303
    used = link(family_page(centre.server), fresh["code"], "13600000003")
    assert used.status_code == 410 and "这个代码已经用过了" in text_of(used)

    wrong = link(family_page(centre.server), "000000" if fresh["code"] != "000000" else "000001", "13600000004")
    assert wrong.status_code == 400 and "代码不对" in text_of(wrong)

    english = family_page(centre.server)
    english.get("/family?lang=en")
    assert "This code has already been used" in text_of(link(english, fresh["code"], "13600000005"))


def test_a_code_lasts_ten_minutes_and_can_be_extended_three_times(centre: Centre) -> None:
    kiosk = centre.kiosk()
    session = centre.identify(kiosk, centre.resident())
    consent = grant(kiosk, session)
    made = datetime.fromisoformat(consent["expires_at"])
    assert timedelta(minutes=9) < made - datetime.now(UTC) <= timedelta(minutes=10)
    for left in (2, 1, 0):
        extended = kiosk.post(f"/api/v1/family/consents/{consent['consent_id']}/extend", headers=session)
        assert extended.status_code == 200 and extended.json()["extensions_left"] == left
        assert extended.json()["code"] is None  # shown once only
    refused = kiosk.post(f"/api/v1/family/consents/{consent['consent_id']}/extend", headers=session)
    assert refused.status_code == 409

    newer = grant(kiosk, session)  # a new code replaces the one not yet used
    assert link(family_page(centre.server), consent["code"], "13500000001").status_code == 410
    assert link(family_page(centre.server), newer["code"], "13500000001").status_code == 303


def test_an_ended_permission_can_do_nothing(centre: Centre) -> None:
    service = centre.service()
    _kiosk, _session, elder, phone = elder_and_relative(centre)
    with centre.server.database.write() as conn:
        conn.execute(
            update(PROXY)
            .where(PROXY.c.resident_id == elder.id)
            .values(valid_until=datetime.now(UTC) - timedelta(seconds=1))
        )
    refused = book_on_page(phone, service, centre.day(1), "09:00")
    assert refused.status_code == 403 and "已经到期" in text_of(refused)
    assert phone.get("/family").status_code == 403


def test_code_entry_is_rate_limited_per_source_and_overall(centre: Centre) -> None:
    kiosk = centre.kiosk()
    session = centre.identify(kiosk, centre.resident())
    consent = grant(kiosk, session)
    wrong = "123456" if consent["code"] != "123456" else "654321"
    attacker = family_page(centre.server)
    try:
        for _ in range(5):
            assert link(attacker, wrong, "13400000000").status_code == 400
        blocked = link(attacker, consent["code"], "13400000000")  # even the right code, now
        assert blocked.status_code == 429
        assert int(blocked.headers["retry-after"]) > 0
        assert "输错的次数太多了" in text_of(blocked)

        # Many sources together hit the overall ceiling: nobody can guess faster by spreading out.
        for n in range(6):
            helper = family_page(centre.server, new_source())
            for _ in range(4):
                link(helper, wrong, f"1340000001{n}")  # few per address and per phone: only the ceiling
        assert link(family_page(centre.server), consent["code"], "13400000000").status_code == 429
    finally:
        with centre.server.database.write() as conn:  # let the other tests link again
            conn.execute(delete(ATTEMPT))
    assert link(family_page(centre.server), consent["code"], "13400000000").status_code == 303


def test_forms_need_their_csrf_token_and_known_fields_only(centre: Centre) -> None:
    kiosk = centre.kiosk()
    consent = grant(kiosk, centre.identify(kiosk, centre.resident()))
    phone = family_page(centre.server)
    forged = phone.post(
        "/family/link",
        data={"csrf": "forged", "code": consent["code"], "phone": "13300000000", "name": "x", "scopes": ["view"]},
    )
    assert forged.status_code == 403
    extra = link(phone, consent["code"], "13300000000", is_admin="1")
    assert extra.status_code == 422 and extra.json()["error"] == "validation_error"
    assert "13300000000" not in extra.text  # rejected values are never echoed
    # Neither attempt spent the code.
    assert link(phone, consent["code"], "13300000000").status_code == 303


def test_unknown_fields_and_oversized_bodies_are_refused(centre: Centre) -> None:
    kiosk = centre.kiosk()
    session = centre.identify(kiosk, centre.resident())
    unknown = kiosk.post("/api/v1/family/consents", json={"scopes": ["view"], "owner": "me"}, headers=session)
    assert unknown.status_code == 422 and "unknown field" in unknown.json()["message"]
    huge = kiosk.post("/api/v1/family/consents", content=b"{" + b" " * 20_000 + b"}", headers={
        **session, "Content-Type": "application/json"})  # fmt: skip
    assert huge.status_code == 413 and huge.json()["error"] == "body_too_large"

    def chunks():  # no Content-Length: the limit holds for a streamed body too
        for _ in range(40):
            yield b"x" * 1000

    streamed = httpx.post(f"{centre.server.base_url}/family/link", content=chunks())
    assert streamed.status_code == 413
    long_name = link(family_page(centre.server), "123456", "13300000001", name="长" * 101)
    assert long_name.status_code == 422


def test_error_answers_carry_no_stack_trace_and_no_personal_data(centre: Centre) -> None:
    kiosk = centre.kiosk()
    elder = centre.resident(name="保密测试人")
    session = centre.identify(kiosk, elder)
    answers = [
        kiosk.post("/api/v1/family/proxies/2147483647/revoke", headers=session),
        kiosk.post("/api/v1/family/proxies/99999999999/revoke", headers=session),
        kiosk.post("/api/v1/residents/identify", json={"phone": elder.phone, "birth_year": 1901}),
        kiosk.post("/api/v1/family/news/told", json={"ids": [0]}, headers=session),
        httpx.get(f"{centre.server.base_url}/family/book?date=not-a-date"),
        # Found by the fuzzing: dates that overflow when moved to UTC.
        kiosk.get("/api/v1/notices", params={"at": "0001-01-01T00:00:00"}),
        kiosk.post(
            "/api/v1/appointments",
            json={"service_id": "health_check", "date": "0001-01-01", "time": "00:01"},
            headers={**session, "Idempotency-Key": "fuzz-found-0001"},
        ),
        kiosk.post("/api/v1/staff/alerts/771575912008502251750424576/acknowledge"),
    ]
    for answer in answers:
        assert 400 <= answer.status_code < 500, answer.text
        assert "Traceback" not in answer.text and 'File "' not in answer.text
        assert elder.name not in answer.text and elder.phone not in answer.text


def _race(book_it: Callable[[], int], revoke_it: Callable[[], int]) -> tuple[int, int]:
    """Both requests released at once; their status codes."""
    barrier = threading.Barrier(2)

    def released(work: Callable[[], int]) -> int:
        barrier.wait()
        return work()

    with ThreadPoolExecutor(2) as pool:
        booked, revoked = pool.submit(released, book_it), pool.submit(released, revoke_it)
        return booked.result(), revoked.result()


def test_a_revocation_racing_a_booking_never_lets_the_booking_land_after_it(centre: Centre) -> None:
    """The proxy's permission is checked again inside the booking transaction (the proxy row
    locked on PostgreSQL): whichever commits first, no booking is ever made after the revocation."""
    service = centre.service(capacity=30)
    outcomes: Counter[int] = Counter()
    for n in range(8):
        kiosk, session, elder, phone = elder_and_relative(centre)
        proxy_id = kiosk.get("/api/v1/family/proxies", headers=session).json()[0]["id"]
        at = f"{8 + n // 2:02d}:{30 * (n % 2):02d}"
        booked, revoked = _race(
            lambda phone=phone, at=at: book_on_page(phone, service, centre.day(1), at).status_code,
            lambda kiosk=kiosk, session=session, proxy_id=proxy_id: (
                kiosk.post(f"/api/v1/family/proxies/{proxy_id}/revoke", headers=session).status_code
            ),
        )
        assert revoked == 200 and booked in (303, 403), (booked, revoked)
        outcomes[booked] += 1
        with centre.server.database.read() as conn:
            revoked_at = conn.scalar(select(PROXY.c.revoked_at).where(PROXY.c.id == proxy_id))
            made = conn.scalars(select(APPOINTMENT.c.created_at).where(APPOINTMENT.c.resident_id == elder.id)).all()
        assert len(made) == (1 if booked == 303 else 0)
        assert all(created <= revoked_at for created in made)
    assert sum(outcomes.values()) == 8
