"""Where the kiosk's spoken replies go: the loudspeaker, numbered WAV files, or nowhere.

The conversation does not care which: it hands each reply over and gets back when the
first audio was ready (the end of the latency the bench measures) and, for files, where
the reply was written. One implementation per destination keeps `kiosk run` free of
"if recording … else …" branches.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from kiosk.dialogue.reply import Reply
from speech.speech_output import SpeechOutput


@dataclass(frozen=True)
class Voiced:
    """What became of one spoken reply."""

    ready_at: float | None
    """`time.perf_counter()` when the first reply audio was ready to play (None: not spoken)."""
    synthesis_ms: float | None
    """How long rendering the reply took."""
    path: Path | None = None
    """The WAV file written, for file output."""


class ReplyVoice(Protocol):
    """Speaks replies somewhere."""

    def say(self, reply: Reply, turn: int) -> Voiced:
        """Speak (or render) `reply`; returns once its first audio is ready, not when it ends."""
        ...

    @property
    def speaking(self) -> bool:
        """Whether a reply is still coming out of the speaker."""
        ...

    def stop(self) -> None:
        """Stop talking at once (the resident started speaking)."""
        ...


class LoudspeakerVoice:
    """Replies on the kiosk's speaker, in the background so the kiosk can listen meanwhile."""

    def __init__(self, output: SpeechOutput) -> None:
        self.output = output

    def say(self, reply: Reply, turn: int) -> Voiced:
        started = time.perf_counter()
        self.output.speak(reply.speech, reply.lang, slow=reply.slow, wait=False)
        ready = time.perf_counter()  # rendered and handed to PortAudio: playing within one block
        return Voiced(ready, (ready - started) * 1000)

    @property
    def speaking(self) -> bool:
        return self.output.speaking

    def stop(self) -> None:
        self.output.stop()


class WavFileVoice:
    """Each reply rendered to `turn-NN.wav` in a directory (`kiosk run --audio-out DIR`)."""

    def __init__(self, output: SpeechOutput, directory: Path) -> None:
        self.output = output
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)

    def path_for(self, turn: int) -> Path:
        return self.directory / f"turn-{turn:02d}.wav"

    def say(self, reply: Reply, turn: int) -> Voiced:
        started = time.perf_counter()
        path = self.path_for(turn)
        self.output.render_to_wav(reply.speech, reply.lang, path, slow=reply.slow)
        ready = time.perf_counter()
        return Voiced(ready, (ready - started) * 1000, path)

    @property
    def speaking(self) -> bool:
        return False

    def stop(self) -> None:
        pass


class NoVoice:
    """Touch-only kiosks (`kiosk screen`): replies are shown, not spoken."""

    def say(self, reply: Reply, turn: int) -> Voiced:
        return Voiced(None, None)

    @property
    def speaking(self) -> bool:
        return False

    def stop(self) -> None:
        pass
