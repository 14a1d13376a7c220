"""Recordings of residents made with the real tools (espeak-ng, sox), and `kiosk run` on them.

A `Recording` knows where each utterance sits in the joined WAV, so a turn of the kiosk
(whose turn log says when the speech it answered started) can be matched to what was
actually said — a dropped or split utterance then shows up as such, instead of shifting
every later comparison by one.

Noise is made by sox in repeatable mode (the same noise on every run). Every recording
gets a microphone's noise floor (white noise at -60 dBFS, inaudible):
espeak-ng writes exact digital silence, which no microphone produces, and PocketSphinx's
front end misjudges it — measured on the 25 requests of test_spoken_requests with the
default voice, 40 % right intents on the bare files, 96 % with the floor.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
os.environ.setdefault("SOX_OPTS", "-R")  # sox's "repeatable" mode: the same noise every run, no flaky tests
for helper_dir in ("server", "dialogue"):
    sys.path.insert(0, str(HERE.parent / helper_dir))

from kiosk.voice.turn_log import TurnRecord, read_turn_log  # noqa: E402
from speech.samples.audio import duration, join_with_silence, noise_wav, speak_wav, with_noise  # noqa: E402

RUN_SECONDS = 300
MICROPHONE_FLOOR_DBFS = -60.0
"""Self-noise of an ordinary microphone and room: far below speech, never digital silence."""
LEAD_S = 0.5
EN_DIGITS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


def said_digits(digits: str) -> str:
    """A phone number as an English speaker reads it, digit by digit."""
    return " ".join(EN_DIGITS[int(d)] for d in digits)


@dataclass(frozen=True)
class Said:
    """One utterance in a recording."""

    text: str
    expected_intent: str | None
    """What the parser should make of it (None: an answer, not a request)."""
    start_s: float
    end_s: float


@dataclass(frozen=True)
class Recording:
    path: Path
    utterances: tuple[Said, ...]


def make_recording(
    lines: list[tuple[str, str | None]],
    out: Path,
    *,
    rate_wpm: int = 160,
    snr_db: float | None = None,
    gap_s: float = 2.0,
    tail_s: float = 1.5,
) -> Recording:
    """The lines spoken by espeak-ng (with pink noise at `snr_db` if given), `gap_s` apart."""
    out.parent.mkdir(parents=True, exist_ok=True)
    pieces: list[Path] = []
    said: list[Said] = []
    at = LEAD_S
    for index, (text, intent) in enumerate(lines):
        piece = speak_wav(text, "en", out.with_name(f"{out.stem}-{index:02d}.wav"), rate_wpm=rate_wpm)
        if snr_db is not None:
            piece = with_noise(piece, snr_db, "pink")
        length = duration(piece)
        said.append(Said(text, intent, at, at + length))
        at += length + gap_s
        pieces.append(piece)
    join_with_silence(pieces, gap_s, out, lead_s=LEAD_S, tail_s=tail_s)
    with_microphone_floor(out)
    return Recording(out, tuple(said))


def with_microphone_floor(path: Path, level_dbfs: float = MICROPHONE_FLOOR_DBFS) -> Path:
    """The recording (in place) as a microphone would capture it: with its constant faint hiss."""
    floor = noise_wav(duration(path), path.with_name(f"{path.stem}.floor.wav"), "white", level_dbfs, rate=_rate(path))
    mixed = path.with_name(f"{path.stem}.mixed.wav")
    subprocess.run(["sox", "-m", "-v", "1", str(path), "-v", "1", str(floor), str(mixed)], check=True)
    floor.unlink()
    mixed.replace(path)
    return path


def _rate(path: Path) -> int:
    return int(subprocess.run(["soxi", "-r", str(path)], capture_output=True, text=True, check=True).stdout)


@dataclass
class KioskRun:
    """What `kiosk run --audio-in … --audio-out …` did."""

    process: subprocess.CompletedProcess[str]
    turns: list[TurnRecord]
    out_dir: Path

    def voice_turns(self) -> list[TurnRecord]:
        return [t for t in self.turns if t.source == "voice"]

    def __repr__(self) -> str:
        """What a failing assertion should show: every printed turn and the errors."""
        return f"\nstdout:\n{self.process.stdout}\nstderr:\n{self.process.stderr[-3000:]}"


def run_kiosk(recording: Path, out_dir: Path, server_url: str, token: str, data_dir: Path, *extra: str) -> KioskRun:
    """`kiosk run` on the recording against the server, replies as WAVs in `out_dir`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
    command = [
        sys.executable, "-m", "kiosk.cli", "run", "--server", server_url, "--token", token, "--lang", "en",
        "--audio-in", str(recording), "--audio-out", str(out_dir), "--data-dir", str(data_dir), *extra,
    ]  # fmt: skip
    process = subprocess.run(command, capture_output=True, text=True, timeout=RUN_SECONDS, env=env)
    log = out_dir / "turns.jsonl"
    turns = read_turn_log(log) if log.exists() else []
    return KioskRun(process, turns, out_dir)


def turns_for(recording: Recording, turns: list[TurnRecord]) -> list[list[TurnRecord]]:
    """For each utterance, the voice turns whose speech started within it."""
    matched: list[list[TurnRecord]] = [[] for _ in recording.utterances]
    for turn in turns:
        if turn.source != "voice" or turn.speech_started_s is None:
            continue
        for index, said in enumerate(recording.utterances):
            if said.start_s - 0.5 <= turn.speech_started_s <= said.end_s:
                matched[index].append(turn)
                break
    return matched
