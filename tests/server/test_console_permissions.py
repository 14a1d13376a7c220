"""Every permission boundary of the console and the catalogue feed: anonymous, kiosk device,
staff, admin — and the CSRF token on every form post.

The route table below must name every console route: a new route that is not classified
here fails `test_every_console_route_is_classified`, so nobody adds a page and forgets to
decide who may open it.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from console_client import StaffBrowser
from server_harness import Centre, RunningServer

from server.console.routers import admin as console_admin
from server.console.routers import auth as console_auth
from server.console.routers import catalogue as console_catalogue
from server.console.routers import content as console_content
from server.console.routers import day as console_day
from server.console.routers import gaps as console_gaps

PUBLIC = {("GET", "/staff/login"), ("POST", "/staff/login"), ("GET", "/staff/language/{lang}"), ("GET", "/staff")}
STAFF_PAGES = [
    "/staff/day", "/staff/overview", "/staff/alerts/banner", "/staff/catalogue", "/staff/catalogue/try?text=x",
    "/staff/catalogue/intents/service.lookup", "/staff/catalogue/services/meal_service", "/staff/catalogue/check",
    "/staff/catalogue/versions", "/staff/catalogue/export?which=draft", "/staff/gaps", "/staff/services",
    "/staff/services/health_check", "/staff/closed-days", "/staff/notices", "/staff/hotlines", "/staff/progress",
    "/staff/account",
]  # fmt: skip
ADMIN_PAGES = ["/staff/admin/accounts", "/staff/admin/audit"]
STAFF_ACTIONS = [
    "/staff/logout", "/staff/account/password", "/staff/appointments/M0000/outcome", "/staff/alerts/999999/acknowledge",
    "/staff/catalogue/intents/service.lookup", "/staff/catalogue/intents/service.lookup/example",
    "/staff/catalogue/services/meal_service", "/staff/catalogue/publish", "/staff/catalogue/rollback",
    "/staff/catalogue/discard", "/staff/catalogue/import", "/staff/gaps/999999/add", "/staff/gaps/999999/dismiss",
    "/staff/services/health_check", "/staff/services/health_check/booking", "/staff/closed-days",
    "/staff/closed-days/999999/reopen", "/staff/notices", "/staff/notices/999999", "/staff/notices/999999/withdraw",
    "/staff/hotlines/ambulance", "/staff/progress/A1023",
]  # fmt: skip
ADMIN_ACTIONS = ["/staff/admin/accounts", "/staff/admin/accounts/999999/unlock"]

TEMPLATES = {
    "/staff/catalogue/intents/{intent_id}": "/staff/catalogue/intents/service.lookup",
    "/staff/catalogue/intents/{intent_id}/example": "/staff/catalogue/intents/service.lookup/example",
    "/staff/catalogue/{kind}/{entry_id}": "/staff/catalogue/services/meal_service",
    "/staff/services/{service_id}": "/staff/services/health_check",
    "/staff/services/{service_id}/booking": "/staff/services/health_check/booking",
    "/staff/appointments/{code}/outcome": "/staff/appointments/M0000/outcome",
    "/staff/alerts/{alert_id}/acknowledge": "/staff/alerts/999999/acknowledge",
    "/staff/gaps/{gap_id}/add": "/staff/gaps/999999/add",
    "/staff/gaps/{gap_id}/dismiss": "/staff/gaps/999999/dismiss",
    "/staff/closed-days/{closed_id}/reopen": "/staff/closed-days/999999/reopen",
    "/staff/notices/{notice_id}": "/staff/notices/999999",
    "/staff/notices/{notice_id}/withdraw": "/staff/notices/999999/withdraw",
    "/staff/hotlines/{hotline_id}": "/staff/hotlines/ambulance",
    "/staff/progress/{code}": "/staff/progress/A1023",
    "/staff/admin/accounts/{account_id}/{change}": "/staff/admin/accounts/999999/unlock",
}


@pytest.fixture(scope="module")
def staff(server: RunningServer) -> Iterator[StaffBrowser]:
    browser = StaffBrowser.new_account(server, "staff")
    yield browser
    browser.close()


@pytest.fixture(scope="module")
def admin(server: RunningServer) -> Iterator[StaffBrowser]:
    browser = StaffBrowser.new_account(server, "admin")
    yield browser
    browser.close()


def test_every_console_route_is_classified() -> None:
    routers = (console_auth, console_day, console_catalogue, console_gaps, console_content, console_admin)
    routes = [route for module in routers for route in module.router.routes]
    declared = {(method, route.path) for route in routes for method in route.methods}
    classified = set(PUBLIC)
    for paths, method in ((STAFF_PAGES, "GET"), (ADMIN_PAGES, "GET"), (STAFF_ACTIONS, "POST"), (ADMIN_ACTIONS, "POST")):
        for path in paths:
            concrete = path.split("?")[0]
            template = next((t for t, c in TEMPLATES.items() if c == concrete), concrete)
            classified.add((method, template))
    assert declared - classified == set(), "routes nobody decided the permissions of"


def test_anonymous_and_kiosk_tokens_open_no_console_page(server: RunningServer, centre: Centre) -> None:
    anonymous = StaffBrowser.anonymous(server)
    kiosk = centre.kiosk()  # a device token is not a console session
    for client in (anonymous.http, kiosk):
        for path in STAFF_PAGES + ADMIN_PAGES:
            response = client.get(path, follow_redirects=False)
            assert response.status_code == 303, path
            assert response.headers["location"].startswith("/staff/login?next=/staff"), path
        for path in STAFF_ACTIONS + ADMIN_ACTIONS:
            response = client.post(path, data={"csrf_token": "guess"}, follow_redirects=False)
            assert response.status_code == 401, path
    anonymous.close()


def test_staff_open_staff_pages_but_not_admin_pages(staff: StaffBrowser) -> None:
    for path in STAFF_PAGES:
        response = staff.get(path)
        assert response.status_code == 200, (path, response.text[-500:])
    for path in ADMIN_PAGES:
        response = staff.get(path)
        assert response.status_code == 403, path
        assert "只有管理员" in response.text  # the console speaks Chinese by default
    for path in ADMIN_ACTIONS:
        assert staff.post(path, {"username": "x", "password": "y"}).status_code == 403, path


def test_admin_opens_everything(admin: StaffBrowser) -> None:
    for path in STAFF_PAGES + ADMIN_PAGES:
        assert admin.get(path).status_code == 200, path


def test_every_form_post_needs_the_sessions_csrf_token(staff: StaffBrowser, admin: StaffBrowser) -> None:
    for browser, paths in ((staff, STAFF_ACTIONS), (admin, ADMIN_ACTIONS)):
        for path in paths:
            missing = browser.http.post(path, data={})
            wrong = browser.http.post(path, data={"csrf_token": "not-the-token"})
            assert (missing.status_code, wrong.status_code) == (403, 403), path
    # Another session's token is as wrong as a guess.
    assert staff.http.post("/staff/notices/999999/withdraw", data={"csrf_token": admin.csrf()}).status_code == 403
    # The header works too (for scripts); and then the action itself runs.
    ok = staff.http.post("/staff/alerts/999999/acknowledge", headers={"X-CSRF-Token": staff.csrf()})
    assert ok.status_code == 303


def test_login_form_needs_its_own_token(server: RunningServer) -> None:
    browser = StaffBrowser.anonymous(server)
    response = browser.http.post("/staff/login", data={"username": "x", "password": "y", "csrf_token": "forged"})
    assert response.status_code == 403
    browser.close()


def test_console_sessions_open_no_kiosk_route(staff: StaffBrowser) -> None:
    for path in ("/api/v1/services", "/api/v1/catalogue", "/api/v1/staff/alerts"):
        response = staff.get(path)
        assert response.status_code == 401 and response.json()["error"] == "device_unauthorized", path


def test_catalogue_feed_is_for_devices_only(server: RunningServer, centre: Centre) -> None:
    anonymous = httpx.get(f"{server.base_url}/api/v1/catalogue")
    assert anonymous.status_code == 401
    for device in (centre.kiosk(), centre.kiosk(role="staff")):
        response = device.get("/api/v1/catalogue")
        assert response.status_code == 200 and response.headers["content-type"].startswith("application/yaml")
    report = {"lang": "zh", "intent": None, "outcome": "not_understood", "text": "权限测试"}
    assert httpx.post(f"{server.base_url}/api/v1/understanding/turns", json=report).status_code == 401
    assert centre.kiosk().post("/api/v1/understanding/turns", json=report).status_code == 204


def test_staff_device_token_routes_refuse_kiosks_still(centre: Centre) -> None:
    assert centre.kiosk().get("/api/v1/staff/alerts").status_code == 403
    assert centre.kiosk(role="staff").get("/api/v1/staff/alerts").status_code == 200


def test_sign_out_ends_the_session_at_once(server: RunningServer) -> None:
    browser = StaffBrowser.new_account(server, "staff")
    cookie = browser.http.cookies.get("kiosk_staff_session")
    assert browser.post("/staff/logout").status_code == 303
    replay = httpx.get(f"{server.base_url}/staff/day", cookies={"kiosk_staff_session": cookie})
    assert replay.status_code == 303  # the old cookie opens nothing
    browser.close()
