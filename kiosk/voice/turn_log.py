"""One record per turn of `kiosk run`: what was heard, what the kiosk did, and how fast.

The figures that matter to a resident standing at the kiosk — how long after they stop
talking the kiosk starts answering, and whether the recogniser keeps up with speech — are
measured where they happen (in the voice loop) and kept here, one JSON object per line, so
`bench/voice_latency.py` and the tests read the same numbers the kiosk measured instead of
timing it again from outside.
"""

from __future__ import annotations

import json
import threading
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, TextIO


@dataclass(frozen=True)
class TurnRecord:
    """One turn: an utterance (or a touch, a long silence, the welcome) and the reply."""

    turn: int
    """0 for the welcome, then 1, 2, … in the order the replies were given."""

    source: str
    """What started the turn: "welcome", "voice", "touch" or "silence" (the re-prompt)."""

    heard: str
    """The recogniser's words ("" for a touch, the welcome, or when nothing usable was heard);
    for a touch, the option id."""

    unknown: bool
    """The recogniser said the speech was outside what it can understand: the reply is the
    polite "could you say that another way?" and nothing was done."""

    intent: str | None
    """What the parser made of `heard` (None: nothing, or not parsed)."""

    reply: str
    """The reply's screen text."""

    state: str
    """The dialogue state after the reply ("idle", "booking.ask_date", …)."""

    lang: str
    """Language of the reply."""

    audio_path: str | None = None
    """The reply rendered as a WAV file (`--audio-out`), if any."""

    speech_started_s: float | None = None
    """Stream time (s from the start of the input) of the first voiced frame."""

    speech_ended_s: float | None = None
    """Stream time the resident stopped talking."""

    endpoint_s: float | None = None
    """Stream time the endpointer decided the utterance was over (`end_silence_s` later)."""

    utterance_s: float | None = None
    """Length of the audio given to the recogniser (s)."""

    recognise_ms: float | None = None
    """Wall time the recogniser took."""

    rtf: float | None = None
    """Recogniser real-time factor: `recognise_ms` / length of the audio it was given."""

    dialogue_ms: float | None = None
    """Wall time of parse + dialogue, server calls included."""

    synthesis_ms: float | None = None
    """Wall time to render the reply's audio."""

    end_to_first_audio_ms: float | None = None
    """Wall time from the endpointer closing the utterance to the reply's first audio being
    ready to play: recognition + understanding + server + synthesis — what the kiosk adds
    after it knows the resident has finished."""

    heard_to_first_audio_ms: float | None = None
    """`end_to_first_audio_ms` plus the silence the endpointer waited for (`endpoint_s` −
    `speech_ended_s`): the pause the resident actually experiences."""

    engine: str | None = None
    """Recogniser engine ("pocketsphinx", "vosk")."""

    def to_json(self) -> dict[str, Any]:
        return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in asdict(self).items()}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TurnRecord:
        return cls(**data)


class TurnLog:
    """Appends turn records to a JSON-lines file (and keeps them in memory for the caller)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self.records: list[TurnRecord] = []
        self._lock = threading.Lock()
        self._file: TextIO | None = None
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._file = path.open("w", encoding="utf-8")

    def add(self, record: TurnRecord) -> None:
        with self._lock:
            self.records.append(record)
            if self._file is not None:
                self._file.write(json.dumps(record.to_json(), ensure_ascii=False) + "\n")
                self._file.flush()

    def next_turn(self) -> int:
        with self._lock:
            return len(self.records)

    def close(self) -> None:
        with self._lock:
            if self._file is not None:
                self._file.close()
                self._file = None


def read_turn_log(path: Path) -> list[TurnRecord]:
    """The records of a turn log written by `kiosk run`."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [TurnRecord.from_json(json.loads(line)) for line in lines if line.strip()]
