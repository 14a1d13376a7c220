"""English requests spoken by espeak-ng at three rates, and once more with pink noise, through
the whole loop (`kiosk run --audio-in`, PocketSphinx, the parser): at least 90 % must reach
the right intent. The count is printed, so a drop shows before it fails."""

from __future__ import annotations

from pathlib import Path

import pytest
from server_harness import RunningServer
from voice_harness import make_recording, run_kiosk, turns_for

REQUESTS = [
    ("where do I go for the senior card", "service.lookup"),
    ("what do I need to bring for the old age allowance", "service.lookup"),
    ("when is the health check open", "service.lookup"),
    ("where is the legal aid office", "service.lookup"),
    ("I want to book a health check", "appointment.book"),
    ("can I make an appointment for the senior card tomorrow", "appointment.book"),
    ("book me in for legal aid on Monday morning", "appointment.book"),
    ("I want to cancel my appointment", "appointment.cancel"),
    ("please cancel my booking", "appointment.cancel"),
    ("what appointments do I have", "appointment.list"),
    ("when is my appointment", "appointment.list"),
    ("what is the number for the ambulance", "hotline.lookup"),
    ("give me the police phone number", "hotline.lookup"),
    ("what is the elderly care hotline", "hotline.lookup"),
    ("are there any notices today", "notice.read"),
    ("read me the community notices", "notice.read"),
    ("has my application been processed", "progress.query"),
    ("what is happening with my social security card application", "progress.query"),
    ("I need to talk to a real person", "staff.handoff"),
    ("can someone from the staff help me", "staff.handoff"),
    ("help someone has collapsed", "emergency"),
    ("say that again please", "dialog.repeat"),
    ("please speak more slowly", "dialog.slower"),
    ("what can you do", "dialog.help"),
    ("goodbye", "dialog.stop"),
]
"""One or more requests per intent, as a resident might put them (each parses right as text)."""

VOICES = [  # (rate in words per minute, signal-to-noise ratio in dB or None for clean)
    (130, None),
    (160, None),
    (190, None),
    (160, 15.0),
]
MIN_RIGHT = 0.9


@pytest.mark.slow
def test_nine_in_ten_spoken_requests_reach_the_right_intent(
    centre_server: RunningServer, kiosk_token: str, kiosk_data_dir: Path, tmp_path: Path
) -> None:
    right = total = 0
    misses: list[str] = []
    for rate_wpm, snr_db in VOICES:
        name = f"requests-{rate_wpm}wpm" + (f"-snr{snr_db:g}" if snr_db is not None else "")
        recording = make_recording(REQUESTS, tmp_path / name / "in.wav", rate_wpm=rate_wpm, snr_db=snr_db)
        run = run_kiosk(recording.path, tmp_path / name / "out", centre_server.base_url, kiosk_token, kiosk_data_dir)
        assert run.process.returncode == 0, run
        for said, turns in zip(recording.utterances, turns_for(recording, run.turns), strict=True):
            total += 1
            heard = turns[0] if turns else None
            if heard is not None and heard.intent == said.expected_intent and not heard.unknown:
                right += 1
            else:
                got = "nothing" if heard is None else f"{heard.heard!r} → {heard.intent}"
                misses.append(f"{name}: {said.text!r} ({said.expected_intent}) heard {got}")
    share = right / total
    print(f"\n{right}/{total} spoken requests reached the right intent ({share:.0%})")
    print("\n".join(misses))
    assert share >= MIN_RIGHT, f"{right}/{total} right ({share:.0%}):\n" + "\n".join(misses)
