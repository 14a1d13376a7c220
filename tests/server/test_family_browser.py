"""The whole family story as people live it: the elder at the kiosk (`kiosk chat`), the
daughter on her phone (a real headless Chromium on the family page), and back.

1. The elder says "让我女儿帮我预约" at the kiosk, identifies, and is shown a code.
2. The daughter enters the code on the family page and books a health check.
3. At the next kiosk session the elder hears who booked what, and takes the permission back.
4. The daughter's next booking attempt is refused, saying why.
5. A code that has expired fails clearly.

Chromium is Debian's /usr/bin/chromium (never Playwright's download); screenshots of each
step go to test-artifacts/. Runs on SQLite and on PostgreSQL like every server test.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from server_harness import RunningServer
from sqlalchemy import update

from server.db.models import ConsentCode

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PHONE = {"width": 390, "height": 844}
"""A common phone screen: the family page is made for phones first."""
ELDER = ("13800138000", "1948年")  # the demo centre's 王秀英
CONSENT = ConsentCode.__table__


@pytest.fixture(scope="module")
def chromium() -> Path:
    if not CHROMIUM.exists():
        if os.environ.get("KIOSK_REQUIRE_CHROMIUM"):
            pytest.fail(f"KIOSK_REQUIRE_CHROMIUM is set but {CHROMIUM} is missing (script/setup --test)")
        pytest.skip(f"!!! FAMILY BROWSER TESTS NOT RUN !!! {CHROMIUM} is missing; run script/setup --test")
    return CHROMIUM


def in_own_thread(story: Callable[[object], None]) -> None:
    """Run `story(browser)` with Playwright in a thread of its own.

    Playwright's sync API refuses to start in a thread where another sync Playwright is
    running, and the kiosk-screen tests keep one open for the whole session.
    """

    def run() -> None:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                story(browser)
            finally:
                browser.close()

    with ThreadPoolExecutor(1) as pool:
        pool.submit(run).result()


def kiosk_chat(server: RunningServer, *said: str) -> str:
    """One resident's conversation at a kiosk, typed (`kiosk chat`); returns what the kiosk showed."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
    done = subprocess.run(
        [sys.executable, "-m", "kiosk.cli", "chat", "--server", server.base_url, "--token", "demo-kiosk-token"],
        input="\n".join(said) + "\n", capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return "\n".join(line[len("kiosk> ") :] for line in done.stdout.splitlines() if line.startswith("kiosk> "))


def shown_code(chat: str) -> str:
    found = re.search(r"代码告诉您的家人：(\d{3}) (\d{3})", chat)
    assert found, chat
    return found.group(1) + found.group(2)


def test_a_daughter_books_for_her_mother_who_hears_of_it_and_takes_it_back(
    server: RunningServer, chromium: Path, backend: str
) -> None:
    in_own_thread(lambda browser: _story(server, browser, backend))


def _story(server: RunningServer, browser: object, backend: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    shot = lambda page, name: page.screenshot(path=str(ARTIFACTS / f"family-{backend}-{name}.png"), full_page=True)  # noqa: E731

    # 1. At the kiosk: "let my daughter book for me".
    chat = kiosk_chat(server, "让我女儿帮我预约", "，".join(ELDER))
    code = shown_code(chat)
    assert "十分钟内有效" in chat

    # 2. On the daughter's phone.
    context = browser.new_context(viewport=PHONE, locale="zh-CN")  # type: ignore[attr-defined]
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto(f"{server.base_url}/family")
    shot(page, "1-enter-code")
    page.fill("#code", code)
    page.fill("#phone", "139 1234 5678")
    page.fill("#name", "女儿小红")
    page.click("#link")
    assert "您正在代 王秀英 办事" in page.inner_text("#acting-for")
    page.click("#book-new")
    page.click('a[href="/family/book?service=health_check"]')
    page.click('a[href^="/family/book?service=health_check&date="] >> nth=0')
    shot(page, "2-choose-time")
    page.click("button.choice >> nth=0")
    notice = page.inner_text("#notice")
    assert "已为王秀英预约：老年人免费体检" in notice, notice
    booked = re.search(r"预约号 ([A-Z]\d{4,6})", notice).group(1)  # type: ignore[union-attr]
    shot(page, "3-booked")
    # Large targets for older eyes and fingers (MIIT elder mode: >= 60 px, body text >= 18 px).
    box = page.locator("form button.secondary").first.bounding_box()
    assert box is not None and box["height"] >= 60
    assert float(page.evaluate("getComputedStyle(document.body).fontSize").rstrip("px")) >= 18

    # The daughter starts a second booking and leaves the page open at the times...
    page.click("#book-new")
    page.click('a[href="/family/book?service=health_check"]')
    page.click('a[href^="/family/book?service=health_check&date="] >> nth=0')

    # 3. ...while her mother, at the kiosk, hears what was done and takes the permission back.
    chat = kiosk_chat(server, "我约了什么", "，".join(ELDER), "收回授权", "对")
    assert "女儿小红（手机尾号5678）替您预约了" in chat, chat
    assert f"预约号是{booked}" in chat
    assert "要收回女儿小红（手机尾号5678）替您预约的权限吗？" in chat
    assert "女儿小红从现在起不能再替您预约了" in chat
    again = kiosk_chat(server, "我约了什么", "，".join(ELDER))
    assert "替您预约了" not in again  # told once

    # 4. The daughter's next attempt is refused, and she is told why.
    page.click("button.choice >> nth=0")
    assert "收回了您的代办授权" in page.inner_text("#message")
    shot(page, "4-revoked")
    page.goto(f"{server.base_url}/family")
    assert "收回了您的代办授权" in page.inner_text("#message")
    context.close()

    # 5. An expired code fails clearly (here: its ten minutes are moved into the past).
    code = shown_code(kiosk_chat(server, "让我女儿帮我预约", "，".join(ELDER)))
    with server.database.write() as conn:
        conn.execute(
            update(CONSENT)
            .where(CONSENT.c.expires_at > datetime.now(UTC))
            .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    context = browser.new_context(viewport=PHONE, locale="en-GB")  # type: ignore[attr-defined]
    page = context.new_page()
    page.goto(f"{server.base_url}/family")
    assert page.inner_text("h1") == "Booking for a family member"  # the phone's language
    page.fill("#code", code)
    page.fill("#phone", "13912345678")
    page.fill("#name", "your daughter")
    page.click("#link")
    assert "This code has expired" in page.inner_text("#error")
    shot(page, "5-expired")
    context.close()
