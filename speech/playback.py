"""Play a sound on the kiosk speaker in the background, and stop it the moment the resident talks.

PortAudio pulls audio through a callback in blocks of `block_ms`, so `stop()` takes effect
within one block (20 ms) — fast enough that a resident who starts talking is not talked over.
"""

from __future__ import annotations

import threading
import time
from types import ModuleType

import numpy as np

from .audio_format import resample
from .errors import AudioDeviceError
from .portaudio import NO_SPEAKER_HELP, PortAudioStream, load_portaudio


class Playback:
    """One sound playing on a speaker (PortAudio device index, unique name part, or default)."""

    def __init__(self, samples: np.ndarray, rate: int, device: int | str | None = None, block_ms: int = 20) -> None:
        sd = load_portaudio()
        self._sd = sd
        try:
            info = sd.query_devices(device, kind="output")
        except (sd.PortAudioError, ValueError) as err:
            raise AudioDeviceError(f"No usable speaker ({err}). {NO_SPEAKER_HELP}") from err
        self._samples = np.asarray(samples, dtype=np.float32)
        self._position = 0
        self._stop_requested = False
        self._closed = False
        self._done = threading.Event()
        self.started_at: float | None = None
        """`time.monotonic()` when the first block went to the device (the reply became audible,
        give or take the device's output latency)."""
        try:
            self._stream = self._open(sd, rate, device, block_ms)
        except sd.PortAudioError:
            # the device does not take this rate (typical of hardware devices): convert to its own
            native = int(info["default_samplerate"])
            self._samples = resample(self._samples, rate, native)
            try:
                self._stream = self._open(sd, native, device, block_ms)
            except sd.PortAudioError as err:
                raise AudioDeviceError(
                    f"The speaker {info['name']!r} could not be opened ({err}). {NO_SPEAKER_HELP}"
                ) from err
        self._stream.start()

    def _open(self, sd: ModuleType, rate: int, device: int | str | None, block_ms: int) -> PortAudioStream:
        stream: PortAudioStream = sd.OutputStream(
            samplerate=rate,
            channels=1,
            dtype="float32",
            device=device,
            blocksize=rate * block_ms // 1000,
            callback=self._fill,
            finished_callback=self._done.set,
        )
        return stream

    def _fill(self, out: np.ndarray, frames: int, _time: object, _status: object) -> None:
        if self.started_at is None:
            self.started_at = time.monotonic()
        if self._stop_requested:
            out.fill(0)
            raise self._sd.CallbackAbort
        chunk = self._samples[self._position : self._position + frames]
        out[: len(chunk), 0] = chunk
        out[len(chunk) :] = 0
        self._position += frames
        if len(chunk) < frames:
            raise self._sd.CallbackStop

    @property
    def playing(self) -> bool:
        """Whether sound is still coming out."""
        return not self._done.is_set()

    @property
    def played_s(self) -> float:
        """Seconds of the sound handed to the device so far (how much a barge-in let through)."""
        return min(self._position, len(self._samples)) / self._stream.samplerate

    @property
    def stopped(self) -> bool:
        """Whether `stop()` cut the sound short."""
        return self._stop_requested

    def stop(self) -> None:
        """Silence the speaker now (barge-in); safe to call from any thread, more than once."""
        self._stop_requested = True
        self._done.wait(0.5)
        self._close()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the sound ends; True if it played to the end, False if stopped or timed out."""
        finished = self._done.wait(timeout)
        if finished:
            self._close()
        return finished and not self._stop_requested

    def _close(self) -> None:
        if not self._closed:
            self._closed = True
            self._stream.close()
