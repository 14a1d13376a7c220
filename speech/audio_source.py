"""Where kiosk audio comes from: a microphone, or a WAV file standing in for one.

Both yield the same thing — fixed frames of kiosk PCM (16 kHz mono int16, 30 ms by default,
a size WebRTC VAD accepts) — so endpointing, recognition and the loop cannot tell a recording
from a resident speaking, and tests exercise the same code the kiosk runs.
"""

from __future__ import annotations

import queue
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, Self, runtime_checkable

import numpy as np

from .audio_format import BYTES_PER_SECOND, SAMPLE_RATE, float_to_pcm, frame_bytes, read_wav
from .errors import AudioDeviceError
from .portaudio import NO_MICROPHONE_HELP, PortAudioStream, load_portaudio
from .stream_resampler import StreamResampler

if TYPE_CHECKING:
    from typing_extensions import Buffer  # collections.abc.Buffer from Python 3.12 on

FRAME_MS = 30
"""Default frame length: the longest WebRTC VAD accepts, so the fewest Python calls."""

SILENT_DEVICE_TIMEOUT_S = 3.0
"""A microphone that delivers nothing for this long has been unplugged or has hung."""


@runtime_checkable
class AudioSource(Protocol):
    """A stream of kiosk PCM frames, each exactly `frame_ms` long."""

    frame_ms: int
    """Length of every frame in milliseconds (10, 20 or 30)."""

    def frames(self) -> Iterator[bytes]:
        """Frames in order until the source ends (a file) or is closed (a microphone)."""
        ...

    def close(self) -> None:
        """Release the device or file; `frames()` then stops."""
        ...


@dataclass(frozen=True)
class InputDevice:
    """A microphone the kiosk could listen to."""

    index: int
    """PortAudio device number (what `--device` takes)."""
    name: str
    """Name as the system reports it; a unique part of it also selects the device."""
    channels: int
    """Input channels the device offers."""
    default_rate: float
    """The device's native sample rate; other rates are converted."""
    is_default: bool
    """Whether this is the system's default input."""


def list_input_devices() -> list[InputDevice]:
    """Every microphone PortAudio can see (empty when there is none)."""
    sd = load_portaudio()
    try:
        default_index = sd.default.device[0]
        devices = sd.query_devices()
    except sd.PortAudioError:
        return []
    return [
        InputDevice(
            index=index,
            name=info["name"],
            channels=info["max_input_channels"],
            default_rate=info["default_samplerate"],
            is_default=index == default_index,
        )
        for index, info in enumerate(devices)
        if info["max_input_channels"] > 0
    ]


class WavFileSource:
    """Frames from a WAV file of any format, for tests, benchmarks and `--audio-in`.

    With `realtime=True` frames arrive at the pace a microphone would deliver them, so
    timing-sensitive code (barge-in, re-prompts) behaves as it would live.
    """

    def __init__(self, path: str | Path, frame_ms: int = FRAME_MS, realtime: bool = False) -> None:
        self.path = Path(path)
        self.frame_ms = frame_ms
        self.realtime = realtime
        self._pcm = read_wav(self.path)
        self._closed = False

    @property
    def duration_s(self) -> float:
        """Length of the recording in seconds."""
        return len(self._pcm) / BYTES_PER_SECOND

    def frames(self) -> Iterator[bytes]:
        """Every frame of the file; the last one is padded with silence to full length."""
        size = frame_bytes(self.frame_ms)
        started = time.monotonic()
        for count, offset in enumerate(range(0, len(self._pcm), size)):
            if self._closed:
                return
            if self.realtime:
                delay = started + count * self.frame_ms / 1000 - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
            frame = self._pcm[offset : offset + size]
            yield frame + bytes(size - len(frame))

    def close(self) -> None:
        """Stop `frames()` early."""
        self._closed = True

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class MicrophoneSource:
    """Frames from a microphone via PortAudio (sounddevice).

    `device` is a PortAudio index, a unique part of the device name, or None for the system
    default. The device is opened at 16 kHz when it allows it; otherwise at its native rate,
    converted on the fly (about 20 ms extra delay). Opening fails with `AudioDeviceError`
    saying what to do, never a PortAudio traceback.
    """

    def __init__(self, device: int | str | None = None, frame_ms: int = FRAME_MS) -> None:
        self.frame_ms = frame_ms
        self.overflows = 0
        """Times the system dropped audio because frames were not read fast enough."""
        self._sd = load_portaudio()
        self._queue: queue.Queue[bytes | None] = queue.Queue()
        self._closed = False
        self.device_info = self._find_device(device)
        """PortAudio's description of the chosen device."""
        self._stream, self._resampler = self._open(device)
        self._stream.start()

    def _find_device(self, device: int | str | None) -> dict[str, Any]:
        sd = self._sd
        try:
            return dict(sd.query_devices(device, kind="input"))
        except sd.PortAudioError as err:
            if device is None:
                raise AudioDeviceError(f"No microphone found. {NO_MICROPHONE_HELP}") from err
            raise AudioDeviceError(f"Cannot use input device {device!r}: {err}. {NO_MICROPHONE_HELP}") from err
        except ValueError as err:  # no name match, ambiguous name, or not an input device
            names = ", ".join(f"{d.index}: {d.name}" for d in list_input_devices()) or "none"
            raise AudioDeviceError(
                f"No single microphone matches {device!r} ({err}). Microphones found: {names}. {NO_MICROPHONE_HELP}"
            ) from err

    def _open(self, device: int | str | None) -> tuple[PortAudioStream, StreamResampler | None]:
        sd = self._sd
        frame_samples = SAMPLE_RATE * self.frame_ms // 1000
        stream: PortAudioStream
        try:
            stream = sd.RawInputStream(
                samplerate=SAMPLE_RATE,
                channels=1,
                dtype="int16",
                blocksize=frame_samples,
                device=device,
                callback=self._on_pcm_block,
            )
            return stream, None
        except sd.PortAudioError:
            pass  # typically "Invalid sample rate": fall back to the device's own rate
        native_rate = int(self.device_info["default_samplerate"])
        resampler = StreamResampler(native_rate, SAMPLE_RATE)
        try:
            stream = sd.InputStream(
                samplerate=native_rate,
                channels=1,
                dtype="float32",
                blocksize=native_rate * self.frame_ms // 1000,
                device=device,
                callback=self._on_float_block,
            )
        except sd.PortAudioError as err:
            raise AudioDeviceError(
                f"The microphone {self.device_info['name']!r} could not be opened ({err}). "
                f"It may be in use by another program. {NO_MICROPHONE_HELP}"
            ) from err
        return stream, resampler

    def _on_pcm_block(self, data: Buffer, _frames: int, _time: object, status: object) -> None:
        if status:
            self.overflows += 1
        self._queue.put(bytes(data))

    def _on_float_block(self, data: np.ndarray, _frames: int, _time: object, status: object) -> None:
        if status:
            self.overflows += 1
        assert self._resampler is not None
        self._queue.put(float_to_pcm(self._resampler.push(data[:, 0])))

    def frames(self) -> Iterator[bytes]:
        """Frames as the microphone delivers them, until `close()`."""
        size = frame_bytes(self.frame_ms)
        pending = b""
        while True:
            try:
                block = self._queue.get(timeout=SILENT_DEVICE_TIMEOUT_S)
            except queue.Empty:
                raise AudioDeviceError(
                    f"The microphone {self.device_info['name']!r} stopped sending sound "
                    f"(unplugged or in use elsewhere?). {NO_MICROPHONE_HELP}"
                ) from None
            if block is None:
                return
            pending += block
            while len(pending) >= size:
                yield pending[:size]
                pending = pending[size:]

    def close(self) -> None:
        """Stop and release the microphone."""
        if self._closed:
            return
        self._closed = True
        self._stream.stop()
        self._stream.close()
        self._queue.put(None)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
