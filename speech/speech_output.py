"""The kiosk's voice: Mandarin and English through pyttsx3 and espeak-ng, paced for older listeners.

Pace (see shared/reference/elder-friendly-design.md §3): older and younger listeners both find
150–200 wpm most comfortable, and *slowing* synthetic speech made words harder to identify for
every age group, while pauses helped. So the defaults sit at the calm end of normal (English
160 wpm; Mandarin about 180 syllables/min, below the 210–220 of normal reading), and clarity
comes from a real pause between sentences — each sentence is synthesised on its own and joined
with `sentence_pause_s` of silence. "Slower" (`slow=True`) drops to 130 wpm / 150 syllables/min
and lengthens the pauses, rather than stretching words.

How pyttsx3 is used, and why not more of it: pyttsx3 2.99's espeak driver applies rate and
volume changes asynchronously (they are dropped or land on the wrong utterance), returns from
`runAndWait()` before the file is written, and plays sound by running `aplay`, which cannot be
interrupted. So rate and volume travel inside the text as espeak-ng embedded commands (applied
exactly with that utterance), we wait for pyttsx3's own "finished-utterance" notice, and the
rendered audio is played by `Playback` (sounddevice), which `stop()` silences within 20 ms when
the resident starts talking. Rendering needs no sound device, so replies can always go to WAV.
"""

from __future__ import annotations

import contextlib
import re
import sys
import tempfile
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import numpy as np

from .audio_format import read_wav_samples, to_float, write_wav
from .errors import SpeechOutputError
from .playback import Playback

_RENDER_TIMEOUT_S = 10.0
"""espeak-ng renders hundreds of times faster than real time; this only catches a hang."""

_SILENCE_LEVEL = 0.003
"""Samples below this (about -50 dBFS) at either end of a sentence are trimmed off."""

_SENTENCE_END = re.compile(r"(?<=[。！？；!?;])\s*|(?<=[.])\s+|\s*\n+\s*")
_ABBREVIATION = re.compile(r"(?:^|\s)(?:Dr|Mr|Mrs|Ms|Prof|St|Rd|Ave|No|[A-Z])\.$")
"""English abbreviations whose full stop does not end the sentence ("Dr. Wang", "No. 3")."""
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # \x01 would start an espeak embedded command


@dataclass(frozen=True)
class SpeechOutputSettings:
    """How the kiosk speaks; staff may change these in the kiosk settings."""

    voices: Mapping[str, str] = field(default_factory=lambda: {"zh": "cmn", "en": "en-us"})
    """espeak-ng voice for each language code ("cmn" is Mandarin, "en-us" US English)."""
    rate: Mapping[str, int] = field(default_factory=lambda: {"zh": 180, "en": 160})
    """Normal speaking rate, espeak-ng's words per minute (for Mandarin about syllables/min)."""
    slow_rate: Mapping[str, int] = field(default_factory=lambda: {"zh": 150, "en": 130})
    """Rate after the resident asks to slow down: slower, but not so slow that words fall apart."""
    sentence_pause_s: float = 0.45
    """Silence between sentences: where older listeners catch up."""
    slow_sentence_pause_s: float = 0.7
    """Silence between sentences when speaking slowly."""
    volume: float = 1.0
    """Loudness 0–1 (linear amplitude; 1 is espeak-ng's full, unclipped level, 0.125 is 18 dB
    quieter — the range EN 301 549 asks for)."""
    device: int | str | None = None
    """Speaker: PortAudio index, unique part of its name, or None for the system default."""


@dataclass(frozen=True)
class SpokenAudio:
    """A reply rendered to sound, not yet played."""

    samples: np.ndarray = field(repr=False)
    """Mono float32 samples in [-1, 1]."""
    sample_rate: int
    """Samples per second (espeak-ng renders at 22 050 Hz)."""
    text: str
    """What was said."""

    @property
    def duration_s(self) -> float:
        """Length in seconds."""
        return len(self.samples) / self.sample_rate


def split_sentences(text: str) -> list[str]:
    """The sentences of a reply, each to be spoken with a pause after it."""
    sentences: list[str] = []
    for part in _SENTENCE_END.split(_CONTROL.sub(" ", text)):
        part = part.strip()
        if not part:
            continue
        if sentences and _ABBREVIATION.search(sentences[-1]):
            sentences[-1] += " " + part
        else:
            sentences.append(part)
    return sentences


class SpeechOutput:
    """Speaks replies on the speaker, or renders them to WAV; one per kiosk session.

    `slow` and `volume` are session state: "slower" lasts for the rest of the conversation,
    and `reset()` (at the end of a session) brings both back to the settings, so the next
    resident does not inherit a whisper or a crawl.
    """

    def __init__(self, settings: SpeechOutputSettings | None = None) -> None:
        self.settings = settings or SpeechOutputSettings()
        self._voice_ids = {lang: _espeak().voice_id(name) for lang, name in self.settings.voices.items()}
        self.slow = False
        """Speak slowly for the rest of the session."""
        self.volume = self.settings.volume
        """Current loudness 0–1."""
        self._playing: Playback | None = None

    def reset(self) -> None:
        """Back to normal pace and the configured volume (call when a session ends)."""
        self.stop()
        self.slow = False
        self.volume = self.settings.volume

    def render(self, text: str, lang: str, slow: bool | None = None) -> SpokenAudio:
        """The reply as sound: each sentence synthesised, trimmed, and joined with pauses."""
        if lang not in self._voice_ids:
            raise SpeechOutputError(f"no voice configured for language {lang!r} (have: {', '.join(self._voice_ids)})")
        slow = self.slow if slow is None else slow
        rate = (self.settings.slow_rate if slow else self.settings.rate)[lang]
        pause_s = self.settings.slow_sentence_pause_s if slow else self.settings.sentence_pause_s
        amplitude = round(max(0.0, min(1.0, self.volume)) * 100)
        sample_rate = 0
        pieces: list[np.ndarray] = []
        for sentence in split_sentences(text):
            sample_rate, samples = _espeak().synthesise(sentence, self._voice_ids[lang], rate, amplitude)
            trimmed = _trim(samples)
            if pieces and len(trimmed):
                pieces.append(np.zeros(round(pause_s * sample_rate), dtype=np.float32))
            pieces.append(trimmed)
        if not pieces:
            raise SpeechOutputError("nothing to say: the reply text is empty")
        return SpokenAudio(np.concatenate(pieces), sample_rate, text)

    def render_to_wav(self, text: str, lang: str, path: str | Path, slow: bool | None = None) -> SpokenAudio:
        """Render the reply and write it as a 16-bit mono WAV file (no sound device needed)."""
        audio = self.render(text, lang, slow)
        pcm = np.clip(np.rint(audio.samples * 32767), -32768, 32767).astype("<i2")
        write_wav(path, pcm.tobytes(), audio.sample_rate)
        return audio

    def speak(self, text: str, lang: str, slow: bool | None = None, wait: bool = True) -> Playback:
        """Say the reply on the speaker; with `wait=False` return at once so the kiosk can listen
        for barge-in while it talks. Raises `AudioDeviceError` when there is no speaker."""
        audio = self.render(text, lang, slow)
        self.stop()
        self._playing = Playback(audio.samples, audio.sample_rate, self.settings.device)
        if wait:
            self._playing.wait()
        return self._playing

    @property
    def speaking(self) -> bool:
        """Whether a reply is coming out of the speaker now."""
        return self._playing is not None and self._playing.playing

    def stop(self) -> None:
        """Stop talking at once: the resident has started to speak."""
        if self._playing is not None:
            self._playing.stop()
            self._playing = None


def _trim(samples: np.ndarray) -> np.ndarray:
    loud = np.flatnonzero(np.abs(samples) > _SILENCE_LEVEL)
    if not len(loud):
        return samples[:0]
    return samples[loud[0] : loud[-1] + 1]


class _Espeak:
    """The one pyttsx3 engine of the process (espeak-ng can be initialised only once)."""

    def __init__(self) -> None:
        try:
            import pyttsx3

            self._engine = pyttsx3.init("espeak")
        except Exception as err:  # pyttsx3 raises bare OSError/RuntimeError/KeyError when espeak-ng is absent
            raise SpeechOutputError(
                f"espeak-ng cannot be started ({err}); run script/setup (Debian package espeak-ng)"
            ) from err
        self._lock = threading.Lock()
        self._finished = threading.Event()
        self._errors: list[BaseException] = []
        self._engine.connect("finished-utterance", lambda **_: self._finished.set())
        self._engine.connect("error", lambda exception, **_: self._errors.append(exception))
        self._voices = self._engine.getProperty("voices")

    def voice_id(self, name: str) -> str:
        """The espeak-ng identifier ("sit/cmn") for a voice name, identifier or language code."""
        for voice in self._voices:
            if name in (voice.id, voice.name) or voice.id.endswith("/" + name) or name in (voice.languages or []):
                return str(voice.id)
        raise SpeechOutputError(f"espeak-ng has no voice {name!r}; `espeak-ng --voices` lists those installed")

    def synthesise(self, text: str, voice_id: str, rate: int, amplitude: int) -> tuple[int, np.ndarray]:
        """(sample rate, float samples) for one sentence."""
        # embedded commands: \x01<n>S speed (wpm), \x01<n>A amplitude — applied with this text
        command = f"\x01{rate}S\x01{amplitude}A {text}"
        with self._lock, tempfile.TemporaryDirectory(prefix="kiosk-tts-") as folder:
            path = Path(folder) / "sentence.wav"
            self._finished.clear()
            self._errors.clear()
            self._engine.setProperty("voice", voice_id)
            self._engine.save_to_file(command, str(path))
            with _quiet_pyttsx3():
                self._engine.runAndWait()
                done = self._finished.wait(_RENDER_TIMEOUT_S)
            if self._errors:
                raise SpeechOutputError(f"espeak-ng failed on {text!r}: {self._errors[0]}")
            if not done or not path.exists():
                raise SpeechOutputError(f"espeak-ng did not finish rendering {text!r} within {_RENDER_TIMEOUT_S:g} s")
            rate_hz, samples = read_wav_samples(path)
        return rate_hz, to_float(samples)


_engine_lock = threading.Lock()
_engine: _Espeak | None = None


def _espeak() -> _Espeak:
    global _engine
    with _engine_lock:
        if _engine is None:
            _engine = _Espeak()
        return _engine


class _WithoutSavedNotice:
    """stdout minus pyttsx3's "Audio saved to …" line (printed from espeak's thread)."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._skip_newline = False

    def write(self, text: str) -> int:
        if text.startswith("Audio saved to "):
            self._skip_newline = True
            return len(text)
        if self._skip_newline and text == "\n":
            self._skip_newline = False
            return len(text)
        return self._stream.write(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


@contextlib.contextmanager
def _quiet_pyttsx3() -> Iterator[None]:
    original = sys.stdout
    sys.stdout = _WithoutSavedNotice(original)
    try:
        yield
    finally:
        sys.stdout = original
