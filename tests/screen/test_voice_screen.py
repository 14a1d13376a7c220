"""The screen follows a spoken conversation as it happens: `kiosk run` listens to a recording
at real-time pace while Chromium watches the page — the status shows listening, then hearing
while the resident speaks, and the resident's words and the kiosk's answer appear."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
from screen_harness import ARTIFACTS

from kiosk.centre.embedded_server import free_loopback_port

for helper_dir in ("voice",):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / helper_dir))
from voice_harness import with_microphone_floor  # noqa: E402

from speech.samples.audio import join_with_silence, speak_wav  # noqa: E402

LEAD_S = 8.0
"""Silence before the resident speaks: time for the browser to open the page."""

WATCH = """
() => {
  window.seenActivities = [document.getElementById("activity").dataset.activity];
  new MutationObserver(() => {
    const now = document.getElementById("activity").dataset.activity;
    if (window.seenActivities.at(-1) !== now) window.seenActivities.push(now);
  }).observe(document.getElementById("activity"), { attributes: true });
}
"""


def test_the_screen_follows_a_spoken_request(page: Any, tmp_path: Path) -> None:
    request = speak_wav("where do I go for the senior card", "en", tmp_path / "ask.wav", rate_wpm=160)
    recording = with_microphone_floor(join_with_silence([request], 0, tmp_path / "in.wav", lead_s=LEAD_S, tail_s=3.0))
    port = free_loopback_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
    log_path = tmp_path / "run.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "kiosk.cli", "run", "--audio-in", str(recording), "--realtime", "--lang", "en",
             "--audio-out", str(tmp_path / "out"), "--screen-port", str(port), "--data-dir", str(tmp_path / "data")],
            stdout=log, stderr=subprocess.STDOUT, env=env,
        )  # fmt: skip
    try:
        url = f"http://127.0.0.1:{port}/"
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, log_path.read_text()
            try:
                if httpx.get(url + "api/screen", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, log_path.read_text()
            time.sleep(0.1)
        page.goto(url)
        page.evaluate(WATCH)
        page.wait_for_function("document.getElementById('reply').textContent.includes('window 1')", timeout=60_000)
        seen = page.evaluate("window.seenActivities")
        assert "listening" in seen and "hearing" in seen, seen
        assert seen.index("listening") < seen.index("hearing"), seen
        assert "senior card" in page.inner_text("#heard").lower()
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "screen-voice-en.png"), full_page=True)
        assert process.wait(timeout=60) == 0, log_path.read_text()
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=20)
    assert "Traceback" not in log_path.read_text(), log_path.read_text()
