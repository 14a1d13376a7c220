"""Find where a resident's utterance starts and ends in a stream of kiosk PCM frames.

A frame counts as voice only when two independent tests agree:

* WebRTC VAD (a small GMM over six sub-bands, ~10 µs per frame) says it sounds like speech —
  this rejects hum, rumble and most clicks; but on its own it calls white and pink noise speech;
* its energy stands `speech_margin_db` above an adaptive noise floor — the minimum of the
  recent (90 ms-smoothed) frame energies, which follows a fan or a busy hall within
  `noise_window_s` yet still falls to the noise between words, so speech cannot lift it.

Utterances then need `min_voice_s` of voice to start (a cough, a click or a dropped cane is
shorter) and end after `end_silence_s` without voice — 1.2 s by default because older speakers
pause longer mid-sentence than the 0.5–1 s consumer assistants use — or at `max_utterance_s`.
All times are seconds from the start of the stream, so the loop can compare them with when the
reply's first audio played.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
import webrtcvad

from .audio_format import SAMPLE_RATE, frame_bytes


class ListeningMode(StrEnum):
    """How the kiosk decides when to listen."""

    HANDS_FREE = "hands-free"
    """Always listening: any utterance is picked up."""
    PUSH_TO_TALK = "push-to-talk"
    """Listening only after `press()` (a big on-screen button or a physical one): the safe
    choice in a noisy hall or next to a television, and while the kiosk itself is speaking."""


class EndReason(StrEnum):
    """Why an utterance was closed."""

    SILENCE = "silence"
    """`end_silence_s` passed without voice: the normal end."""
    MAX_LENGTH = "max-length"
    """Cut at `max_utterance_s`; what follows starts a new utterance."""
    RELEASED = "released"
    """Push-to-talk button released."""
    END_OF_STREAM = "end-of-stream"
    """The recording ended (or the microphone closed) mid-utterance."""


@dataclass(frozen=True)
class EndpointerSettings:
    """Elder-friendly endpointing defaults; staff may lengthen `end_silence_s` for slow speakers."""

    end_silence_s: float = 1.2
    """Silence that ends an utterance. Older speakers pause longer mid-sentence, so this stays
    above the 0.5–1 s of consumer assistants (see the elder-friendly design notes)."""
    max_utterance_s: float = 15.0
    """Longest utterance: a resident talking on (or a television) cannot hold the kiosk."""
    min_voice_s: float = 0.25
    """Voice needed before an utterance counts: coughs, clicks and knocks are shorter, while
    a brisk one-syllable answer ("是", "yes") still has about 0.3 s."""
    short_noise_gap_s: float = 0.5
    """Silence after which voice too short to count is forgotten, so a cough is not glued to
    speech that follows later. Shorter would drop weak first syllables heard in noise (a soft
    "我想…" whose voiced frames come in bits)."""
    pre_roll_s: float = 0.3
    """Audio kept from before the first voiced frame: soft onsets (/h/, /s/) fall below the
    energy threshold and the recogniser needs them."""
    tail_s: float = 0.3
    """Audio kept after the last voiced frame, for the same reason at the end."""
    vad_aggressiveness: int = 2
    """WebRTC VAD mode 0–3: higher rejects more noise but clips more weak speech."""
    speech_margin_db: float = 8.0
    """How far above the noise floor a frame must be to count as voice."""
    min_speech_dbfs: float = -55.0
    """Frames quieter than this are never voice, whatever the floor (a silent room)."""
    min_level_spread_db: float = 2.5
    """Utterances whose frame energies vary less than this (standard deviation, dB) are dropped:
    speech rises and falls with every syllable, steady noise that the floor has not caught up
    with yet (a fan or hand dryer switched on) is flat."""
    noise_window_s: float = 2.0
    """How far back the noise floor looks; also about how long a new steady noise (a fan
    switched on) can pass for voice before the floor catches up with it."""

    def __post_init__(self) -> None:
        if not 0 <= self.vad_aggressiveness <= 3:
            raise ValueError(f"vad_aggressiveness must be 0-3, got {self.vad_aggressiveness}")
        if self.end_silence_s <= 0 or self.max_utterance_s <= self.min_voice_s:
            raise ValueError("end_silence_s must be > 0 and max_utterance_s longer than min_voice_s")


@dataclass(frozen=True)
class Utterance:
    """One stretch of speech cut from the stream, ready for a recogniser."""

    pcm: bytes = field(repr=False)
    """Kiosk PCM from `audio_started_at` (pre-roll included) to a short tail after `ended_at`."""
    started_at: float
    """Stream time (s) of the first voiced frame."""
    ended_at: float
    """Stream time (s) the voice stopped: what the resident perceives as the end of speech."""
    endpoint_at: float
    """Stream time (s) the endpointer decided the utterance was over (for the silence rule,
    `end_silence_s` after `ended_at`); the reply cannot start before this."""
    audio_started_at: float
    """Stream time (s) of the first sample of `pcm`."""
    end_reason: EndReason
    """Why the utterance was closed."""
    voiced_s: float
    """Seconds of frames judged voice: a rough measure of how much was said."""

    @property
    def duration_s(self) -> float:
        """Length of the speech, first to last voiced frame."""
        return self.ended_at - self.started_at


class Endpointer:
    """Turns frames into `Utterance`s; feed it every frame, in order.

    Push-to-talk is driven by `press()` / `release()` from any thread (a screen button);
    they take effect at the next frame. `hearing_speech` turns true as soon as speech is
    confirmed, which is the moment to stop the kiosk talking (barge-in).
    """

    def __init__(
        self,
        settings: EndpointerSettings | None = None,
        mode: ListeningMode = ListeningMode.HANDS_FREE,
        frame_ms: int = 30,
    ) -> None:
        if frame_ms not in (10, 20, 30):
            raise ValueError(f"WebRTC VAD takes 10, 20 or 30 ms frames, not {frame_ms} ms")
        self.settings = settings or EndpointerSettings()
        self._mode = mode
        self.frame_ms = frame_ms
        self._frame_bytes = frame_bytes(frame_ms)
        self._frame_s = frame_ms / 1000
        self._vad = webrtcvad.Vad(self.settings.vad_aggressiveness)
        frames = self._frames_for
        self._pre_roll: deque[bytes] = deque(maxlen=frames(self.settings.pre_roll_s))
        self._recent_power: deque[float] = deque(maxlen=3)
        self._floor_history: deque[float] = deque(maxlen=max(1, frames(self.settings.noise_window_s)))
        self._frame_index = 0
        self._last_energy = -100.0
        self._armed = mode is ListeningMode.HANDS_FREE
        self._release_requested = False
        self._reset_utterance()

    def _frames_for(self, seconds: float) -> int:
        return round(seconds / self._frame_s)

    def _reset_utterance(self) -> None:
        self._frames: list[bytes] = []  # frames since the first voiced one
        self._energies: list[float] = []  # their energies, dBFS
        self._first_index: int | None = None  # frame index of the first voiced frame
        self._last_voiced_index = -1
        self._voiced_frames = 0
        self._confirmed = False
        self._lead: list[bytes] = []  # pre-roll frames captured when the utterance began

    @property
    def stream_time(self) -> float:
        """Seconds of audio fed so far."""
        return self._frame_index * self._frame_s

    @property
    def noise_floor_dbfs(self) -> float:
        """Current noise floor estimate."""
        return min(self._floor_history) if self._floor_history else -100.0

    @property
    def hearing_speech(self) -> bool:
        """Whether an utterance is under way (enough voice heard, not yet ended)."""
        return self._confirmed

    @property
    def mode(self) -> ListeningMode:
        """Hands-free or push-to-talk; may be switched at any time (e.g. to push-to-talk in a noisy hall)."""
        return self._mode

    @mode.setter
    def mode(self, mode: ListeningMode) -> None:
        self._mode = mode
        self._armed = mode is ListeningMode.HANDS_FREE
        self._release_requested = False

    @property
    def listening(self) -> bool:
        """Whether voice would be picked up now (always in hands-free; after `press()` otherwise)."""
        return self._armed

    def press(self) -> None:
        """Push-to-talk: start listening (tap-to-talk works too: silence still ends the turn)."""
        self._release_requested = False
        self._armed = True

    def release(self) -> None:
        """Push-to-talk: the resident let go; the utterance so far is returned by the next `feed`."""
        if self._mode is ListeningMode.PUSH_TO_TALK:
            self._release_requested = True

    def feed(self, frame: bytes) -> Utterance | None:
        """Process one frame; returns an utterance the moment one is complete."""
        if len(frame) != self._frame_bytes:
            raise ValueError(f"expected {self._frame_bytes}-byte frames ({self.frame_ms} ms), got {len(frame)}")
        voiced = self._is_voice(frame)
        index = self._frame_index
        self._frame_index += 1

        if self._release_requested:
            self._release_requested = False
            self._armed = False
            finished = self._close(EndReason.RELEASED) if self._confirmed else None
            self._reset_utterance()
            self._pre_roll.append(frame)
            return finished

        if not self._armed:
            self._pre_roll.append(frame)
            return None

        if self._first_index is None:
            if voiced:
                self._first_index = index
                self._lead = list(self._pre_roll)
                self._pre_roll.clear()
            else:
                self._pre_roll.append(frame)
                return None

        self._frames.append(frame)
        self._energies.append(self._last_energy)
        if voiced:
            self._voiced_frames += 1
            self._last_voiced_index = index
        silence_s = (index - self._last_voiced_index) * self._frame_s

        if not self._confirmed:
            if self._voiced_frames * self._frame_s >= self.settings.min_voice_s - 1e-9:
                self._confirmed = True
            elif silence_s >= self.settings.short_noise_gap_s:
                # too little voice: a cough or a knock; keep its frames as pre-roll for what follows
                leftover = self._frames
                self._reset_utterance()
                self._pre_roll.extend(leftover)
                return None

        if self._confirmed:
            assert self._first_index is not None
            if silence_s >= self.settings.end_silence_s - 1e-9:
                return self._finish(EndReason.SILENCE)
            if (index + 1 - self._first_index) * self._frame_s >= self.settings.max_utterance_s - 1e-9:
                return self._finish(EndReason.MAX_LENGTH)
        return None

    def finish(self) -> Utterance | None:
        """The stream ended: the utterance under way, if it had enough voice."""
        if not self._confirmed:
            self._reset_utterance()
            return None
        return self._finish(EndReason.END_OF_STREAM)

    def _finish(self, reason: EndReason) -> Utterance | None:
        utterance = self._close(reason)
        self._reset_utterance()
        if self._mode is ListeningMode.PUSH_TO_TALK:
            self._armed = False  # one utterance per press
        return utterance

    def _close(self, reason: EndReason) -> Utterance | None:
        assert self._first_index is not None
        speech_energies = self._energies[: self._last_voiced_index + 1 - self._first_index]
        if float(np.std(speech_energies)) < self.settings.min_level_spread_db:
            return None
        keep_after = self._last_voiced_index + 1 + self._frames_for(self.settings.tail_s)
        if reason is EndReason.MAX_LENGTH:
            keep_after = self._frame_index  # cut mid-speech: keep everything up to the cut
        kept = self._frames[: max(0, keep_after - self._first_index)]
        frame_s = self._frame_s
        started_at = self._first_index * frame_s
        return Utterance(
            pcm=b"".join(self._lead) + b"".join(kept),
            started_at=started_at,
            ended_at=(self._last_voiced_index + 1) * frame_s,
            endpoint_at=self._frame_index * frame_s,
            audio_started_at=started_at - len(self._lead) * frame_s,
            end_reason=reason,
            voiced_s=self._voiced_frames * frame_s,
        )

    def _is_voice(self, frame: bytes) -> bool:
        samples = np.frombuffer(frame, dtype="<i2").astype(np.float32)
        power = float(np.dot(samples, samples)) / (len(samples) * 32768.0 * 32768.0)
        energy = _db(power)
        self._last_energy = energy
        self._recent_power.append(power)
        floor = self.noise_floor_dbfs if self._floor_history else energy
        self._floor_history.append(_db(sum(self._recent_power) / len(self._recent_power)))
        if energy < self.settings.min_speech_dbfs or energy < floor + self.settings.speech_margin_db:
            return False
        return bool(self._vad.is_speech(frame, SAMPLE_RATE))


def _db(power: float) -> float:
    return 10.0 * math.log10(power) if power > 1e-10 else -100.0


def split_utterances(
    frames: Iterable[bytes], settings: EndpointerSettings | None = None, frame_ms: int = 30
) -> Iterator[Utterance]:
    """Hands-free utterances of a whole stream (e.g. `WavFileSource(path).frames()`)."""
    endpointer = Endpointer(settings, ListeningMode.HANDS_FREE, frame_ms)
    for frame in frames:
        utterance = endpointer.feed(frame)
        if utterance is not None:
            yield utterance
    last = endpointer.finish()
    if last is not None:
        yield last
