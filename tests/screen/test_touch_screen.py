"""The kiosk screen in headless Chromium: a whole booking by touch alone, the touch twins of
the voice actions, and the numbers that make it readable for older residents (text ≥ 32 px,
contrast ≥ 7:1, touch targets ≥ 60 px) measured in the browser on every screen visited.

Screenshots go to test-artifacts/ (gitignored) for a person to look at.
"""

from __future__ import annotations

from typing import Any

import httpx
from screen_harness import ARTIFACTS, RunningScreen

from kiosk.centre.embedded_server import demo_kiosk_token

MIN_FONT_PX = 32
MIN_CONTRAST = 7.0
MIN_TARGET_PX = 60
DEMO_RESIDENT = {"name": "Margaret Chen", "phone": "13700137000", "birth_year": "1950"}
"""A resident of the demo centre (server/data/demo_centre.yaml)."""
DEMO_STAFF_TOKEN = "demo-staff-token"

MEASURE = """
() => {
  const rgba = (c) => { const p = c.match(/rgba?\\(([^)]+)\\)/)[1].split(",").map(Number);
                        return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 }; };
  const channel = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
  const luminance = (c) => 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b);
  const background = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const c = rgba(getComputedStyle(e).backgroundColor);
      if (c.a > 0) return c;
    }
    return { r: 255, g: 255, b: 255, a: 1 };
  };
  const texts = [];
  for (const el of document.querySelectorAll("body *")) {
    if (!el.checkVisibility()) continue;
    const own = [...el.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE)
      .map((n) => n.textContent.trim()).join("");
    if (!own) continue;
    const style = getComputedStyle(el);
    const fg = luminance(rgba(style.color)), bg = luminance(background(el));
    texts.push({ text: own.slice(0, 60), px: parseFloat(style.fontSize),
                 contrast: (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05),
                 lineHeight: parseFloat(style.lineHeight) / parseFloat(style.fontSize) });
  }
  const targets = [...document.querySelectorAll("button")].filter((b) => b.checkVisibility()).map((b) => {
    const r = b.getBoundingClientRect();
    return { text: b.textContent.slice(0, 60), width: r.width, height: r.height };
  });
  return { texts, targets, activity: document.getElementById("activity-text").textContent };
}
"""


def check_readable(page: Any, where: str) -> dict[str, Any]:
    """Measure the current screen in the browser; fail on anything too small, too faint or too tight."""
    found = page.evaluate(MEASURE)
    assert found["texts"], f"{where}: no text on screen"
    small = [t for t in found["texts"] if t["px"] < MIN_FONT_PX]
    faint = [t for t in found["texts"] if t["contrast"] < MIN_CONTRAST]
    tight = [t for t in found["texts"] if t["lineHeight"] < 1.3 - 1e-6]
    tiny = [t for t in found["targets"] if t["width"] < MIN_TARGET_PX or t["height"] < MIN_TARGET_PX]
    assert not small, f"{where}: text below {MIN_FONT_PX} px: {small}"
    assert not faint, f"{where}: contrast below {MIN_CONTRAST}:1: {faint}"
    assert not tight, f"{where}: line spacing below 1.3: {tight}"
    assert not tiny, f"{where}: touch targets below {MIN_TARGET_PX} px: {tiny}"
    assert found["activity"].strip(), f"{where}: the status line is empty"
    return found


def reply_text(page: Any) -> str:
    return page.inner_text("#reply")


def open_screen(page: Any, screen: RunningScreen) -> None:
    page.goto(screen.url)
    page.wait_for_selector("#reply:not(:empty)")


def screenshot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


def bookings_of(screen: RunningScreen, phone: str, birth_year: str) -> list[dict[str, Any]]:
    """The resident's upcoming appointments, asked of the server's API as the resident."""
    kiosk = {"Authorization": f"Bearer {demo_kiosk_token()}"}
    with httpx.Client(base_url=screen.server_url, headers=kiosk, timeout=10) as api:
        identified = api.post("/api/v1/residents/identify", json={"phone": phone, "birth_year": int(birth_year)})
        assert identified.status_code == 200, identified.text
        session = {"X-Resident-Session": identified.json()["session_token"]}
        listed = api.get("/api/v1/appointments", headers=session)
        assert listed.status_code == 200, listed.text
        return listed.json()


def staff_alerts(screen: RunningScreen) -> list[dict[str, Any]]:
    response = httpx.get(
        f"{screen.server_url}/api/v1/staff/alerts", params={"status": "all"},
        headers={"Authorization": f"Bearer {DEMO_STAFF_TOKEN}"}, timeout=10,
    )  # fmt: skip
    assert response.status_code == 200, response.text
    return response.json()


def test_a_full_booking_by_touch_alone(english_screen: RunningScreen, page: Any) -> None:
    open_screen(page, english_screen)
    check_readable(page, "welcome")
    assert page.get_attribute("html", "lang") == "en"

    page.click("[data-option='appointment.book']")
    page.click("#options [data-option='service:health_check']")
    first_day = page.wait_for_selector("#picker[data-kind='date'] [data-value]")
    assert "Which day" in reply_text(page)
    day, day_label = first_day.get_attribute("data-value"), first_day.inner_text()
    check_readable(page, "date picker")
    first_day.click()

    first_time = page.wait_for_selector("#picker[data-kind='time'] [data-value]")
    time_label = first_time.inner_text()
    check_readable(page, "time picker")
    first_time.click()

    page.wait_for_selector("#picker[data-kind='phone'] #keypad:not([hidden])")
    for digit in DEMO_RESIDENT["phone"]:
        page.click(f".key[data-key='{digit}']")
    assert page.inner_text("#keypad-display") == DEMO_RESIDENT["phone"]
    check_readable(page, "number pad")
    screenshot(page, "screen-number-pad-en.png")
    page.click(".key[data-key='done']")

    page.wait_for_selector("#picker[data-kind='year']")
    for digit in DEMO_RESIDENT["birth_year"]:
        page.click(f".key[data-key='{digit}']")
    page.click(".key[data-key='done']")

    page.wait_for_selector("#options [data-option='dialog.yes']")
    read_back = reply_text(page)
    assert "Margaret Chen" in read_back and "Is that right?" in read_back, read_back
    assert day_label in read_back and time_label.lower() in read_back.lower(), read_back  # what was touched
    assert not bookings_of(english_screen, DEMO_RESIDENT["phone"], DEMO_RESIDENT["birth_year"]), "booked too early"
    check_readable(page, "read-back")

    page.click("#options [data-option='dialog.yes']")
    code = page.wait_for_selector("#reply .code").inner_text()
    check_readable(page, "booked")
    screenshot(page, "screen-booked-en.png")

    [booking] = bookings_of(english_screen, DEMO_RESIDENT["phone"], DEMO_RESIDENT["birth_year"])
    assert booking["code"] == code and booking["status"] == "booked", booking
    assert booking["service_id"] == "health_check" and booking["date"] == day, booking


def test_services_hotlines_repeat_and_slower_by_touch(english_screen: RunningScreen, page: Any) -> None:
    open_screen(page, english_screen)
    page.click("#show-hotlines")
    page.click("#panel [data-option='hotline:ambulance']")
    page.wait_for_function("document.getElementById('reply').textContent.includes('120')")
    assert page.is_hidden("#panel")  # the list closes once something is chosen

    page.click("#show-services")
    check_readable(page, "services list")
    page.click("#panel [data-option='service:senior_card']")
    page.wait_for_function("document.getElementById('reply').textContent.includes('window 1')")
    assert page.is_visible("#options [data-option='dialog.no']")  # "shall I find you a time?"
    said = reply_text(page)

    page.click("#permanent [data-option='dialog.repeat']")
    page.wait_for_function("document.getElementById('heard').textContent.includes('again')")
    assert said in reply_text(page)
    page.click("#permanent [data-option='dialog.slower']")
    page.wait_for_function("document.getElementById('heard').textContent.includes('slowly')")
    assert said in reply_text(page)
    page.click("#options [data-option='dialog.no']")
    page.wait_for_function("!document.getElementById('reply').textContent.includes('window 1')")


def test_call_staff_from_any_screen_raises_an_alert(english_screen: RunningScreen, page: Any) -> None:
    open_screen(page, english_screen)
    page.click("[data-option='appointment.book']")
    page.wait_for_selector("#options [data-option='service:health_check']")
    page.click("#permanent [data-option='staff.handoff']")
    page.wait_for_function("document.getElementById('heard').textContent.includes('staff')")
    assert "handoff" in [alert["kind"] for alert in staff_alerts(english_screen)]
    assert "staff" in reply_text(page).lower()


def test_the_language_switch_turns_the_whole_screen_to_chinese(english_screen: RunningScreen, page: Any) -> None:
    open_screen(page, english_screen)
    page.click("#language")
    page.wait_for_function("document.documentElement.lang === 'zh'")
    page.wait_for_selector("#options [data-option='appointment.book']")
    assert "您好" in reply_text(page) or "您还在吗" in reply_text(page)
    assert page.inner_text("#show-services") == "服务项目"
    assert page.inner_text("#permanent [data-option='dialog.repeat']") == "再听一遍"
    assert page.inner_text("#language") == "English"
    check_readable(page, "Chinese welcome")
    screenshot(page, "screen-welcome-zh.png")
    page.click("#language")
    page.wait_for_function("document.documentElement.lang === 'en'")
