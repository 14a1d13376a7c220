"""WAV files of any format become kiosk PCM (16 kHz mono int16) with their sound intact.

Inputs are made by sox from real espeak-ng speech and from a pure tone, so a wrong rate, a
dropped channel or a mis-scaled bit depth shows up as a wrong duration, pitch or loudness.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy.io import wavfile
from scipy.signal import resample_poly

from speech import audio_format
from speech.audio_format import SAMPLE_RATE, pcm_duration, pcm_samples, read_wav, to_pcm, write_wav
from speech.errors import AudioFormatError
from speech.samples.audio import convert, duration, rms_dbfs, speak_wav
from speech.stream_resampler import StreamResampler


def dominant_hz(pcm: bytes) -> float:
    samples = pcm_samples(pcm).astype(np.float64)
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples))))
    return float(np.argmax(spectrum) * SAMPLE_RATE / len(samples))


@pytest.fixture(scope="module")
def speech_wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("format")
    return speak_wav("Please book a health check for Tuesday morning.", "en", folder / "speech.wav")


@pytest.fixture(scope="module")
def tone_wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """2 s of 440 Hz at half scale, 48 kHz 16-bit (a sine: its pitch and level are exact)."""
    path = tmp_path_factory.mktemp("tone") / "tone.wav"
    t = np.arange(2 * 48_000) / 48_000
    wavfile.write(path, 48_000, (0.5 * np.sin(2 * np.pi * 440 * t) * 32767).astype(np.int16))
    return path


@pytest.mark.parametrize(
    ("rate", "channels", "bits"),
    [(8_000, 1, 16), (44_100, 2, 16), (48_000, 1, 24), (22_050, 2, 24), (16_000, 1, 32), (11_025, 1, 8)],
)
def test_any_wav_becomes_16k_mono_with_duration_and_level_kept(
    speech_wav: Path, tmp_path: Path, rate: int, channels: int, bits: int
) -> None:
    source = convert(speech_wav, tmp_path / f"in-{rate}-{channels}-{bits}.wav", rate, channels, bits)
    assert wavfile.read(source)[1].ndim == (2 if channels == 2 else 1)  # sox really wrote that format

    pcm = read_wav(source)

    assert len(pcm) % 2 == 0
    assert pcm_duration(pcm) == pytest.approx(duration(source), abs=0.002)
    # same loudness: a wrong bit-depth scale would be off by 48 dB or more; 8 kHz loses the top band
    assert audio_format.rms_dbfs(pcm) == pytest.approx(rms_dbfs(source), abs=1.5)


@pytest.mark.parametrize(("rate", "channels", "bits"), [(8_000, 1, 16), (44_100, 2, 16), (48_000, 1, 24)])
def test_pitch_is_kept(tone_wav: Path, tmp_path: Path, rate: int, channels: int, bits: int) -> None:
    source = convert(tone_wav, tmp_path / "tone-converted.wav", rate, channels, bits)
    pcm = read_wav(source)
    assert dominant_hz(pcm) == pytest.approx(440, abs=2)
    assert pcm_duration(pcm) == pytest.approx(2.0, abs=0.002)
    assert audio_format.rms_dbfs(pcm) == pytest.approx(20 * np.log10(0.5 / np.sqrt(2)), abs=0.3)


def test_float_wav_and_channel_average(tmp_path: Path) -> None:
    t = np.arange(44_100) / 44_100
    left = 0.4 * np.sin(2 * np.pi * 300 * t)
    stereo = np.stack([left, np.zeros_like(left)], axis=1).astype(np.float32)  # voice on one channel only
    wavfile.write(tmp_path / "float.wav", 44_100, stereo)
    pcm = read_wav(tmp_path / "float.wav")
    assert pcm_duration(pcm) == pytest.approx(1.0, abs=0.001)
    assert dominant_hz(pcm) == pytest.approx(300, abs=2)
    assert np.max(np.abs(pcm_samples(pcm))) == pytest.approx(0.2 * 32768, rel=0.02)


def test_44k_resampling_does_not_alias(tmp_path: Path) -> None:
    """A 10 kHz tone is above the 8 kHz Nyquist limit of kiosk PCM: it must vanish, not fold to 6 kHz."""
    t = np.arange(44_100) / 44_100
    pcm = to_pcm((0.5 * np.sin(2 * np.pi * 10_000 * t)).astype(np.float32), 44_100)
    middle = pcm[len(pcm) // 10 : -len(pcm) // 10]  # the tone's abrupt start and end are broadband
    assert audio_format.rms_dbfs(middle) < -60  # picking every 2.76th sample instead would leave it at -9 dBFS


def test_too_loud_float_is_clipped_not_wrapped() -> None:
    pcm = to_pcm(np.array([1.5, -1.5, 0.5], dtype=np.float32), SAMPLE_RATE)
    assert list(pcm_samples(pcm)) == [32767, -32768, 16384]


def test_write_then_read_is_lossless(tmp_path: Path) -> None:
    original = (np.arange(-1000, 1000, dtype=np.int16) * 16).astype("<i2").tobytes()
    assert read_wav(write_wav(tmp_path / "round.wav", original)) == original


def test_unreadable_files_give_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "notes.wav").write_text("not audio at all")
    with pytest.raises(AudioFormatError, match=r"not a PCM WAV file.*sox"):
        read_wav(tmp_path / "notes.wav")
    with pytest.raises(AudioFormatError, match="no such audio file"):
        read_wav(tmp_path / "missing.wav")


@pytest.mark.parametrize("rate_in", [44_100, 48_000, 22_050, 8_000])
def test_stream_resampler_matches_one_shot_resampling(rate_in: int) -> None:
    """Block-by-block conversion of a live microphone equals converting the whole recording."""
    rng = np.random.default_rng(rate_in)
    signal = (0.1 * rng.standard_normal(2 * rate_in)).astype(np.float32)
    resampler = StreamResampler(rate_in, SAMPLE_RATE)
    pieces, start = [], 0
    while start < len(signal):
        size = int(rng.integers(1, 3000))  # callback block sizes vary
        pieces.append(resampler.push(signal[start : start + size]))
        start += size
    pieces.append(resampler.flush())
    streamed = np.concatenate(pieces)

    step = np.gcd(rate_in, SAMPLE_RATE)
    whole = resample_poly(signal, SAMPLE_RATE // step, rate_in // step)
    assert len(streamed) == len(whole) == 2 * SAMPLE_RATE
    assert np.max(np.abs(streamed - whole)) < 1e-5
    assert resampler.latency_s <= 0.05


def test_importing_speech_leaves_scipy_for_when_it_is_needed() -> None:
    """scipy.signal takes about 2 s to import: a kiosk that never resamples should not pay for it."""
    code = "import sys, speech; print(sorted({m.split('.')[0] for m in sys.modules} & {'scipy', 'pyttsx3', 'vosk'}))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]", result.stdout
