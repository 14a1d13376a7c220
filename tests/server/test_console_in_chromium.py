"""The staff console in a real headless Chromium, used the way a member of staff would.

Debian's /usr/bin/chromium driven by Playwright (never Playwright's own browser download).
The story of issue 5: sign in; teach the kiosk a new way of asking for the meal service;
the regression check runs; publish; the kiosk (`kiosk parse --server`) understands it;
roll back and it no longer does; change a service's capacity and book against it;
acknowledge an emergency that appeared on the open page by itself. Screenshots go to
test-artifacts/ (gitignored).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from console_client import PASSWORD, create_account_by_command
from server_harness import Centre, RunningServer, book, kiosk_parse, start_server, stop_server

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PHRASE = "哪里能搭个伙"
"""A colloquial "where can I join in for meals?" that the demo catalogue does not understand."""


@pytest.fixture(scope="module")
def console_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """A centre of its own: this story publishes and rolls back the live catalogue."""
    data = tmp_path_factory.mktemp("console-server")
    running = start_server(f"sqlite:///{data / 'kiosk.sqlite3'}", data)
    done = create_account_by_command(running, "wang.li", "admin")
    assert done.returncode == 0, done.stderr
    yield running
    stop_server(running)
    assert "Traceback" not in running.log(), running.log()


@pytest.fixture(scope="module")
def chromium() -> None:
    if not CHROMIUM.exists():
        if os.environ.get("KIOSK_REQUIRE_CHROMIUM"):
            pytest.fail(f"KIOSK_REQUIRE_CHROMIUM is set but {CHROMIUM} is missing (script/setup --test)")
        pytest.skip(f"!!! CONSOLE BROWSER TESTS NOT RUN !!! {CHROMIUM} is missing; run script/setup --test")


def in_chromium(server: RunningServer, scenario: Callable[[Any], None]) -> None:
    """Run `scenario(page)` in a fresh Chromium, in a thread of its own.

    Playwright's sync API refuses to start where another sync session is open in the same
    thread (tests/screen keeps one for the whole run), so this browser gets its own thread;
    an assertion failing inside comes back out of `result()`.
    """
    from playwright.sync_api import sync_playwright

    def run() -> None:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                context = browser.new_context(viewport={"width": 1280, "height": 1000}, base_url=server.base_url)
                page = context.new_page()
                page.set_default_timeout(30_000)
                scenario(page)
            finally:
                browser.close()

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="chromium") as pool:
        pool.submit(run).result()



def _shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"console-{name}.png"), full_page=True)


def _sign_in(page: Any) -> None:
    page.goto("/staff/day")
    assert "/staff/login" in page.url
    # Signing in needs no mouse: the name field has the focus, Tab moves on, Enter sends.
    assert page.evaluate("document.activeElement.id") == "username"
    page.keyboard.type("wang.li")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"^http://[^/]+/staff/day$"))  # not the login page's "?next=/staff/day"


def test_teach_publish_and_roll_back_a_new_way_of_asking_for_meals(chromium: None,
                                                                   console_server: RunningServer) -> None:  # fmt: skip
    in_chromium(console_server, lambda page: _teach_and_undo(page, console_server))


def _teach_and_undo(p: Any, console_server: RunningServer) -> None:
    _sign_in(p)
    assert "(not understood)" in kiosk_parse(console_server, PHRASE)

    p.get_by_role("link", name="问答词库", exact=True).click()
    p.locator('a[href="/staff/catalogue/intents/service.lookup"]').click()
    p.get_by_label("新例句").fill(PHRASE)
    p.get_by_role("button", name="加入草稿").click()
    assert p.get_by_role("status").inner_text().strip().endswith("已保存。")
    assert PHRASE in p.locator("#examples_zh").input_value()

    p.get_by_role("link", name="问答词库", exact=True).click()
    p.get_by_label("像居民那样说一句").fill(PHRASE)
    p.get_by_role("button", name="试试看").click()
    assert "service.lookup" in p.locator("#try-result .try-intent").inner_text()
    _shot(p, "try-a-sentence")

    p.get_by_role("link", name="检查并发布").first.click()
    summary = p.locator("#check-summary").inner_text()
    assert "测试句检查" in summary  # the regression sentences ran against the draft
    _shot(p, "regression-check")
    p.get_by_label("改了什么（给同事看）").fill("教会终端“搭伙”的说法")
    p.get_by_role("button", name="发布为第 2 版").click()
    assert "已发布" in p.get_by_role("status").inner_text()
    assert "service.lookup" in kiosk_parse(console_server, PHRASE)

    p.get_by_role("button", name="撤销上一次发布（恢复第 1 版）").click()
    assert "已恢复旧版本" in p.get_by_role("status").inner_text()
    _shot(p, "versions")
    assert "(not understood)" in kiosk_parse(console_server, PHRASE)


def test_change_a_capacity_and_book_against_it(chromium: None, console_server: RunningServer) -> None:
    in_chromium(console_server, lambda page: _capacity(page, console_server))


def _capacity(page: Any, console_server: RunningServer) -> None:
    centre = Centre(console_server)
    service = centre.service(capacity=1)
    day = centre.day(1)
    kiosk = centre.kiosk()
    sessions = [centre.identify(kiosk, centre.resident()) for _ in range(3)]
    assert book(kiosk, sessions[0], service, day, "10:00").status_code == 201
    assert book(kiosk, sessions[1], service, day, "10:00").json()["error"] == "slot_full"

    _sign_in(page)
    page.goto(f"/staff/services/{service}")
    page.get_by_label("每个时段几人").fill("2")
    page.get_by_role("button", name="保存预约规则").click()
    assert "改了名额" in page.locator("#rules-outcome").inner_text()
    _shot(page, "capacity")

    assert book(kiosk, sessions[1], service, day, "10:00").status_code == 201
    assert book(kiosk, sessions[2], service, day, "10:00").json()["error"] == "slot_full"
    for client in centre.clients:
        client.close()


def test_an_emergency_appears_on_the_open_page_and_is_acknowledged(chromium: None,
                                                                    console_server: RunningServer) -> None:  # fmt: skip
    in_chromium(console_server, lambda page: _emergency(page, console_server))


def _emergency(page: Any, console_server: RunningServer) -> None:
    centre = Centre(console_server)
    _sign_in(page)
    page.goto("/staff/notices")
    assert page.locator(".alert").count() == 0
    kiosk = centre.kiosk()
    raised = kiosk.post("/api/v1/alerts", json={"kind": "emergency", "note": "有人摔倒了", "lang": "zh"})
    assert raised.status_code == 201
    # Nobody reloads: the banner refreshes itself (static/console.js) within 15 seconds.
    emergency = page.locator(".alert-emergency")
    emergency.wait_for(timeout=25_000)
    assert "紧急求助" in emergency.inner_text() and "有人摔倒了" in emergency.inner_text()
    _shot(page, "emergency")
    page.goto("/staff/progress")
    assert page.locator(".alert-emergency").count() == 1  # on every page until acknowledged
    page.locator(".alert-emergency").get_by_role("button", name="我去处理").click()
    assert page.locator(".alert-emergency").count() == 0
    assert "/staff/progress" in page.url  # back where they were
    staff_desk = centre.kiosk(role="staff")
    alerts = staff_desk.get("/api/v1/staff/alerts", params={"status": "acknowledged"}).json()
    assert raised.json()["id"] in {a["id"] for a in alerts}

    page.get_by_role("link", name="English").click()
    assert page.get_by_role("link", name="Day view").is_visible()
    for client in centre.clients:
        client.close()
