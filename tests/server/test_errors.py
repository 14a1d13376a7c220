"""Error bodies: specific codes, clear messages, no stack traces, no echoed personal data."""

from __future__ import annotations

import uuid

from console_client import PASSWORD, StaffBrowser
from family_harness import csrf, family_page, grant, link
from server_harness import Centre, RunningServer, book


def test_unknown_fields_are_rejected_by_name(centre: Centre) -> None:
    kiosk = centre.kiosk()
    session = centre.identify(kiosk, centre.resident())
    response = kiosk.post(
        "/api/v1/appointments",
        json={"service_id": centre.service(), "date": centre.day(1).isoformat(), "time": "09:00",
              "resident_id": 1},
        headers={**session, "Idempotency-Key": uuid.uuid4().hex},
    )  # fmt: skip
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "validation_error"
    assert "body.resident_id" in body["message"] and "unknown field" in body["message"]
    assert body["details"] == [
        {"field": "body.resident_id", "problem": "unknown field (not part of this request)", "type": "extra_forbidden"}
    ]


def test_identify_rejects_extra_fields_without_echoing_the_phone(centre: Centre) -> None:
    kiosk = centre.kiosk()
    response = kiosk.post(
        "/api/v1/residents/identify", json={"phone": "13812345678", "birth_year": 1950, "name": "王秀英"}
    )
    assert response.status_code == 422
    assert "13812345678" not in response.text and "王秀英" not in response.text
    assert "body.name" in response.json()["message"]


def test_malformed_values_and_missing_parts_are_named(centre: Centre) -> None:
    kiosk = centre.kiosk()
    session = centre.identify(kiosk, centre.resident())
    bad_date = kiosk.post(
        "/api/v1/appointments",
        json={"service_id": "x", "date": "明天", "time": "25:00"},
        headers={**session, "Idempotency-Key": uuid.uuid4().hex},
    )
    assert bad_date.status_code == 422
    fields = {d["field"] for d in bad_date.json()["details"]}
    assert fields == {"body.date", "body.time"}

    for elsewhere in ("09:00:00+14:00", "09:00:30", "9:00", "09:00Z"):  # another zone, a second, sloppy
        odd = kiosk.post(
            "/api/v1/appointments",
            json={"service_id": centre.service(), "date": centre.day(1).isoformat(), "time": elsewhere},
            headers={**session, "Idempotency-Key": uuid.uuid4().hex},
        )
        assert odd.status_code == 422, elsewhere
        assert [d["field"] for d in odd.json()["details"]] == ["body.time"], elsewhere

    no_key = kiosk.post(
        "/api/v1/appointments", json={"service_id": "x", "date": "2030-01-01", "time": "09:00"}, headers=session
    )
    assert no_key.status_code == 422
    assert no_key.json()["details"][0]["field"] == "header.Idempotency-Key"
    assert no_key.json()["details"][0]["problem"] == "required"

    not_json = kiosk.post(
        "/api/v1/residents/identify", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert not_json.status_code == 422 and not_json.json()["error"] == "validation_error"

    year = kiosk.post("/api/v1/residents/identify", json={"phone": "13800000000", "birth_year": 1800})
    assert year.status_code == 422 and year.json()["details"][0]["field"] == "body.birth_year"


def test_unknown_routes_and_methods_answer_json(centre: Centre) -> None:
    kiosk = centre.kiosk()
    missing = kiosk.get("/api/v1/nothing-here")
    assert missing.status_code == 404 and missing.json()["error"] == "not_found"
    wrong_method = kiosk.delete("/api/v1/services")
    assert wrong_method.status_code == 405 and wrong_method.json()["error"] == "method_not_allowed"


def test_health_and_openapi(centre: Centre, backend: str) -> None:
    kiosk = centre.kiosk()
    health = kiosk.get("/healthz").json()
    assert health == {"status": "ok", "database": backend, "schema_revision": health["schema_revision"]}
    assert health["schema_revision"]
    spec = kiosk.get("/openapi.json").json()
    paths = spec["paths"]
    for path in (
        "/api/v1/appointments", "/api/v1/appointments/{code}/cancel", "/api/v1/residents/identify",
        "/api/v1/services/{service_id}/slots", "/api/v1/notices", "/api/v1/progress/{code}",
        "/api/v1/alerts", "/api/v1/hotlines", "/api/v1/staff/alerts",
    ):  # fmt: skip
        assert path in paths, path
    assert set(spec["components"]["securitySchemes"]) == {"DeviceToken", "ResidentSession"}
    booking = paths["/api/v1/appointments"]["post"]
    assert booking["operationId"] == "appointments-book_appointment"
    assert {"200", "201", "409", "422"} <= set(booking["responses"])
    assert spec["components"]["schemas"]["BookingIn"]["additionalProperties"] is False


def test_openapi_names_the_credentials_every_route_checks(centre: Centre) -> None:
    """The request contexts read the credential headers themselves (no `Security(...)`
    dependency: FastAPI would resolve it on every request); the document still names them."""
    spec = centre.kiosk().get("/openapi.json").json()
    schemes = spec["components"]["securitySchemes"]
    assert (schemes["DeviceToken"]["type"], schemes["DeviceToken"]["scheme"]) == ("http", "bearer")
    assert schemes["ResidentSession"]["type"] == "apiKey"
    assert (schemes["ResidentSession"]["in"], schemes["ResidentSession"]["name"]) == ("header", "X-Resident-Session")
    device, resident = {"DeviceToken": []}, {"ResidentSession": []}
    paths = spec["paths"]
    assert paths["/api/v1/appointments"]["post"]["security"] == [device, resident]
    assert paths["/api/v1/alerts"]["post"]["security"] == [device, resident]  # the resident is optional there
    assert paths["/api/v1/services"]["get"]["security"] == [device]
    assert paths["/api/v1/staff/alerts"]["get"]["security"] == [device]
    assert "security" not in paths["/healthz"]["get"]
    for path, operations in paths.items():
        for method, operation in operations.items():
            if path.startswith("/api/v1/"):
                assert device in operation.get("security", []), (method, path)


NUL_PROBLEM = "text may not contain the NUL character (U+0000)"


def test_text_with_nul_is_refused_by_name_on_every_backend(centre: Centre, server: RunningServer) -> None:
    """PostgreSQL cannot store or compare text with U+0000: these were 500s there (the fuzz
    found the alert note), stored as-is on SQLite. Now a 422 naming the field, on both."""
    service = centre.service(capacity=5)
    kiosk, desk = centre.kiosk(), centre.kiosk(role="staff")
    session = centre.identify(kiosk, centre.resident())
    day = centre.day(1)
    booked = [book(kiosk, session, service, day, at).json()["code"] for at in ("09:00", "09:30")]
    page = family_page(server)
    assert link(page, grant(kiosk, session)["code"], "13312341234").status_code == 303
    proxy_id = kiosk.get("/api/v1/family/proxies", headers=session).json()[0]["id"]
    nul = "a\x00b"

    refused = [
        ("body.note", kiosk.post("/api/v1/alerts", json={"kind": "handoff", "note": nul}, headers=session)),
        ("body.service_id", kiosk.post(
            "/api/v1/appointments", json={"service_id": nul, "date": day.isoformat(), "time": "10:00"},
            headers={**session, "Idempotency-Key": uuid.uuid4().hex},
        )),
        ("body.reason", kiosk.post(f"/api/v1/appointments/{booked[0]}/cancel", json={"reason": nul}, headers=session)),
        ("body.phone", kiosk.post("/api/v1/residents/identify", json={"phone": nul, "birth_year": 1950})),
        ("body.reason", desk.post(f"/api/v1/staff/appointments/{booked[1]}/status",
                                  json={"status": "cancelled", "reason": nul})),
        ("body.reason", kiosk.post(f"/api/v1/family/proxies/{proxy_id}/revoke", json={"reason": nul}, headers=session)),
        ("body.reason", desk.post(f"/api/v1/staff/family/proxies/{proxy_id}/revoke", json={"reason": nul})),
        ("body.service", page.post("/family/book", data={"csrf": csrf(page), "service": nul,
                                                         "date": day.isoformat(), "time": "10:00"})),
    ]  # fmt: skip
    for field, response in refused:
        assert response.status_code == 422, (field, response.text)
        body = response.json()
        assert body["error"] == "validation_error"
        assert body["details"] == [{"field": field, "problem": NUL_PROBLEM, "type": "nul_character"}]
        assert "\x00" not in response.text and "\\u0000" not in response.text  # the input is not echoed

    assert not [a for a in desk.get("/api/v1/staff/alerts").json() if a["note"] and "\x00" in a["note"]]
    assert [a["status"] for a in kiosk.get("/api/v1/appointments", headers=session).json()] == ["booked", "booked"]
    assert kiosk.get("/api/v1/family/proxies", headers=session).json()[0]["id"] == proxy_id  # not revoked


def test_lookups_with_nul_are_refused_before_the_database(centre: Centre, server: RunningServer) -> None:
    """Path and query text, and the staff console's forms, are checked where every statement
    starts (server/db.py): `GET /services/a%00b` was a 500 on PostgreSQL, a 404 on SQLite."""
    kiosk = centre.kiosk()
    for path in ("/api/v1/services/a%00b", "/api/v1/services/a%00b/slots", "/api/v1/hotlines/a%00b"):
        response = kiosk.get(path)
        assert response.status_code == 422, (path, response.text)
        assert response.json() == {"error": "nul_character", "message": NUL_PROBLEM}
    browser = StaffBrowser.anonymous(server)
    try:
        signed_in = browser.login("staff\x00name", PASSWORD)
    finally:
        browser.close()
    assert signed_in.status_code == 422 and signed_in.json()["error"] == "nul_character"
    assert kiosk.get("/api/v1/services/no_such_service").json()["error"] == "service_not_found"  # still works
