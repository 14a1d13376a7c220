"""The one PCM format every part of the kiosk shares: 16 kHz, mono, signed 16-bit little-endian.

Both recognisers (Vosk, PocketSphinx) and WebRTC VAD want exactly this, so audio is converted
once at the edge (microphone or WAV file) and everything behind that passes plain `bytes`.
Resampling is polyphase (`scipy.signal.resample_poly`): band-limited, so 44.1/48 kHz input does
not alias into the speech band the way naive decimation would.

SciPy is imported only inside the functions that need it: `scipy.signal` takes about 2 s to
import and `scipy.io` half a second, and most kiosk processes (a 16 kHz microphone, the
chat and screen commands) never resample or read a file, so `import speech` stays cheap.
"""

from __future__ import annotations

import warnings
from math import gcd
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .errors import AudioFormatError

SAMPLE_RATE = 16_000
"""Samples per second of kiosk PCM."""

SAMPLE_WIDTH = 2
"""Bytes per sample (signed 16-bit little-endian)."""

CHANNELS = 1
"""Mono: one microphone, one speaker."""

BYTES_PER_SECOND = SAMPLE_RATE * SAMPLE_WIDTH * CHANNELS


def frame_bytes(frame_ms: int) -> int:
    """Bytes in one frame of `frame_ms` milliseconds of kiosk PCM."""
    return SAMPLE_RATE * frame_ms // 1000 * SAMPLE_WIDTH


def pcm_duration(pcm: bytes) -> float:
    """Seconds of audio in kiosk PCM."""
    return len(pcm) / BYTES_PER_SECOND


def pcm_samples(pcm: bytes) -> np.ndarray:
    """Kiosk PCM as an int16 array (a view, no copy)."""
    return np.frombuffer(pcm, dtype="<i2")


def to_float(samples: NDArray[Any]) -> NDArray[np.float32]:
    """Any WAV sample type as float32 in [-1, 1], keeping the channel axis.

    scipy returns integer PCM left-justified (24-bit arrives as int32 with a zero low byte),
    so dividing by the container type's full scale is right for every bit depth.
    """
    if samples.dtype.kind == "f":
        return samples.astype(np.float32, copy=False)
    full_scale = 1 << (8 * samples.dtype.itemsize - 1)
    if samples.dtype.kind == "u":  # 8-bit WAV is unsigned, centred on 128
        return ((samples.astype(np.float32) - full_scale) / full_scale).astype(np.float32)
    if samples.dtype.kind == "i":
        return (samples.astype(np.float32) / full_scale).astype(np.float32)
    raise AudioFormatError(f"unsupported sample type {samples.dtype}")


def resample(signal: np.ndarray, rate_in: int, rate_out: int) -> np.ndarray:
    """Float audio (samples along axis 0) from `rate_in` to `rate_out` Hz, band-limited."""
    if rate_in == rate_out:
        return signal
    from scipy.signal import resample_poly  # slow to import: see the module docstring

    step = gcd(rate_in, rate_out)
    return resample_poly(signal, rate_out // step, rate_in // step, axis=0).astype(np.float32)


def float_to_pcm(signal: np.ndarray) -> bytes:
    """Mono float audio in [-1, 1] as kiosk PCM; louder samples are clipped, not wrapped."""
    scaled = np.clip(np.rint(signal * 32768.0), -32768, 32767)
    return scaled.astype("<i2").tobytes()


def to_pcm(samples: np.ndarray, rate: int) -> bytes:
    """Audio of any rate, channel count and sample type as kiosk PCM.

    Channels are averaged (a stereo recording of one speaker has the voice in both).
    """
    if rate <= 0:
        raise AudioFormatError(f"invalid sample rate {rate}")
    signal = to_float(np.asarray(samples))
    if signal.ndim == 2:
        signal = signal.mean(axis=1)
    elif signal.ndim != 1:
        raise AudioFormatError(f"expected (samples,) or (samples, channels) audio, got shape {signal.shape}")
    return float_to_pcm(resample(signal, rate, SAMPLE_RATE))


def read_wav(path: str | Path) -> bytes:
    """A WAV file of any rate, channels and width (8/16/24/32-bit int, float) as kiosk PCM."""
    rate, samples = read_wav_samples(path)
    return to_pcm(samples, rate)


def read_wav_samples(path: str | Path) -> tuple[int, NDArray[Any]]:
    """(sample rate, samples as stored) of a WAV file; (samples,) or (samples, channels)."""
    from scipy.io import wavfile  # slow to import: see the module docstring

    path = Path(path)
    if not path.is_file():
        raise AudioFormatError(f"{path}: no such audio file")
    try:
        with warnings.catch_warnings():
            # sox and editors add LIST/metadata chunks that scipy warns about and skips
            warnings.simplefilter("ignore", wavfile.WavFileWarning)
            rate, samples = wavfile.read(path)
    except (ValueError, EOFError) as err:
        raise AudioFormatError(
            f"{path}: not a PCM WAV file the kiosk can read ({err}); convert it first, "
            f"e.g. `sox {path.name} -r 16000 -c 1 -b 16 converted.wav`"
        ) from err
    return rate, samples


def write_wav(path: str | Path, pcm: bytes, rate: int = SAMPLE_RATE) -> Path:
    """Mono 16-bit PCM (kiosk PCM by default) as a WAV file; returns the path."""
    from scipy.io import wavfile  # slow to import: see the module docstring

    path = Path(path)
    wavfile.write(path, rate, pcm_samples(pcm))
    return path


def rms_dbfs(pcm: bytes) -> float:
    """Loudness of kiosk PCM in dB relative to full scale (-100 for digital silence)."""
    samples = pcm_samples(pcm).astype(np.float32)
    if samples.size == 0:
        return -100.0
    power = float(np.mean(samples * samples)) / (32768.0 * 32768.0)
    return max(-100.0, 10.0 * np.log10(power)) if power > 0 else -100.0
