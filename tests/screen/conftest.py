"""Fixtures: the real kiosk screen on loopback (see `screen_harness`), and Debian's
Chromium driven headless by Playwright.

Playwright's own browser download is never used: the tests launch `/usr/bin/chromium`
(Debian package `chromium`, installed by `script/setup --test`). Set
KIOSK_REQUIRE_CHROMIUM=1 to fail instead of skipping where it is missing.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from screen_harness import RunningScreen, start_screen, stop_screen

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


@pytest.fixture(scope="module")
def english_screen(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningScreen]:
    screen = start_screen(tmp_path_factory.mktemp("screen-en"), "--lang", "en")
    yield screen
    stop_screen(screen)
    assert "Traceback" not in screen.log(), screen.log()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        if os.environ.get("KIOSK_REQUIRE_CHROMIUM"):
            pytest.fail(f"KIOSK_REQUIRE_CHROMIUM is set but {CHROMIUM} is missing (script/setup --test)")
        pytest.skip(f"!!! SCREEN TESTS NOT RUN !!! {CHROMIUM} is missing; run script/setup --test")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1280, "height": 1024})  # type: ignore[attr-defined]
    opened = context.new_page()
    opened.set_default_timeout(20_000)
    yield opened
    context.close()
