"""The voice kiosk (`kiosk run --audio-in`) is wired like every front-end (kiosk/app.py): what
it does not understand reaches the staff console as a gap, and what staff then teach and
publish reaches its recogniser and parser while it runs — no restart."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from console_client import StaffBrowser
from server_harness import RunningServer
from sqlalchemy import func, select
from voice_harness import make_recording, turns_for

from kiosk.voice.turn_log import read_turn_log
from server.db.models import UnderstandingGap

TAUGHT = "do you lend wheelchairs"
"""Not understood by the demo catalogue (its words are not even in the recogniser's grammar)."""
TAUGHT_INTENT = "staff.handoff"
GAPS = UnderstandingGap.__table__


def _publish_example(staff: StaffBrowser, intent: str, text: str) -> None:
    added = staff.post(f"/staff/catalogue/intents/{intent}/example",
                       {"revision": staff.draft_revision(), "text": text, "lang": "en"})  # fmt: skip
    assert added.status_code == 303, added.text[-2000:]
    published = staff.post("/staff/catalogue/publish", {"revision": staff.draft_revision(), "accept_broken": "yes"})
    assert published.status_code == 303, published.text[-2000:]


@pytest.mark.slow
def test_a_running_voice_kiosk_reports_a_gap_then_follows_the_publish(
    centre_server: RunningServer, kiosk_token: str, tmp_path: Path
) -> None:
    # The same sentence twice, far apart: staff publish in between, while the kiosk listens.
    recording = make_recording([(TAUGHT, None), (TAUGHT, TAUGHT_INTENT)], tmp_path / "in.wav", gap_s=12.0)
    out = tmp_path / "out"
    command = [
        sys.executable, "-m", "kiosk.cli", "run", "--server", centre_server.base_url, "--token", kiosk_token,
        "--lang", "en", "--audio-in", str(recording.path), "--realtime", "--audio-out", str(out),
        "--data-dir", str(tmp_path / "kiosk-data"), "--catalogue-poll", "0.5",
    ]  # fmt: skip
    staff = StaffBrowser.new_account(centre_server, "staff")
    gaps_before = _gap_count(centre_server)
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        lines = []
        for line in process.stdout:  # one line per turn: the welcome, then what was heard
            lines.append(line)
            if line.startswith("[1]"):  # the first thing heard has been answered
                break
        assert _wait_for_gaps(centre_server, gaps_before + 1), f"no understanding gap reported:\n{''.join(lines)}"
        _publish_example(staff, TAUGHT_INTENT, TAUGHT)
        rest, stderr = process.communicate(timeout=240)
        lines.append(rest)
    finally:
        if process.poll() is None:
            process.kill()
        staff.close()
    assert process.returncode == 0, stderr[-3000:]
    first, second = turns_for(recording, read_turn_log(out / "turns.jsonl"))
    assert first and first[0].intent is None, "".join(lines)
    assert second and second[-1].intent == TAUGHT_INTENT, "".join(lines) + stderr[-3000:]


def _gap_count(server: RunningServer) -> int:
    with server.database.read() as conn:
        return int(conn.scalar(select(func.coalesce(func.sum(GAPS.c.count), 0))) or 0)


def _wait_for_gaps(server: RunningServer, at_least: int, seconds: float = 10.0) -> bool:
    """Reports go in the background: give the first one a moment to arrive."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if _gap_count(server) >= at_least:
            return True
        time.sleep(0.2)
    return False
