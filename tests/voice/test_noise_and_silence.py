"""Noise, silence and clipped audio in the middle of a booking: the kiosk does nothing with
them — no booking, no alert, the question stays open — and asks again politely (the
catalogue's "could you say that another way?", or after 8 s of silence "are you still there?")."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from dialogue_harness import alert_rows
from server_harness import RunningServer
from voice_harness import run_kiosk, with_microphone_floor

from intents import load_catalogue
from speech.samples.audio import clipped, join_with_silence, noise_wav, speak_wav

START = "I want to book a health check"
SILENCE_AFTER_S = 10.0
"""Longer than the 8 s after which the kiosk re-prompts."""


def pink_noise(folder: Path) -> Path:
    return noise_wav(3.0, folder / "noise.wav", "pink", level_dbfs=-22.0)


def overdriven_mumble(folder: Path) -> Path:
    """Hesitant mumbling through a microphone turned up 40 dB too far: square-wave mush."""
    return clipped(speak_wav("mm er ah um", "en", folder / "mumble.wav", rate_wpm=120), gain_db=40.0)


def cut_off_word(folder: Path) -> Path:
    """The first 0.35 s of a request: the rest was lost (a half-heard word)."""
    whole = speak_wav("pensioners allowance", "en", folder / "whole.wav", rate_wpm=150)
    cut = folder / "cut.wav"
    subprocess.run(["sox", str(whole), str(cut), "trim", "0", "0.35"], check=True)
    return cut


def nothing(folder: Path) -> None:
    return None


@pytest.mark.parametrize("make_trouble", [pink_noise, overdriven_mumble, cut_off_word, nothing])
def test_noise_silence_and_clipped_audio_do_nothing_but_ask_again(
    centre_server: RunningServer,
    kiosk_token: str,
    kiosk_data_dir: Path,
    tmp_path: Path,
    make_trouble: Callable[[Path], Path | None],
) -> None:
    start = speak_wav(START, "en", tmp_path / "start.wav", rate_wpm=165)
    trouble = make_trouble(tmp_path)
    pieces = [start] if trouble is None else [start, trouble]
    recording = with_microphone_floor(join_with_silence(pieces, 2.0, tmp_path / "in.wav", tail_s=SILENCE_AFTER_S))
    alerts_before = len(alert_rows(centre_server))

    run = run_kiosk(recording, tmp_path / "out", centre_server.base_url, kiosk_token, kiosk_data_dir)

    assert run.process.returncode == 0, run
    first, *later = [t for t in run.turns if t.source != "welcome"]
    assert first.intent == "appointment.book" and first.state.startswith("booking.ask_"), run
    question = first.reply  # "Which day would you like to come?" (or "Which service…?" if misheard)
    assert later, f"no re-prompt after {make_trouble.__name__}: {run!r}"
    replies = load_catalogue().responses["en"]
    polite = (replies["not_understood"], replies["not_understood_twice"], replies["reprompt"])
    for turn in later:
        assert turn.state == first.state, run  # the question is still open: nothing was done
        assert turn.reply.startswith(polite) and turn.reply.endswith(question), run
        assert turn.source == "silence" or turn.unknown or turn.intent is None, run
    assert len(alert_rows(centre_server)) == alerts_before  # nobody was called
    assert sum(t.source == "silence" for t in later) == 1, run  # asked again once, not every 8 s
