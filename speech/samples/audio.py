"""Make test audio with the real tools: espeak-ng speech, sox noise, silence, coughs, clipping.

Every function writes a WAV file and returns its path, so tests can chain them:

    hello = speak_wav("I want to book a health check", "en", tmp_path / "hello.wav", rate_wpm=140)
    noisy = with_noise(hello, snr_db=10, color="pink")
    both = join_with_silence([hello, noisy], 1.5, tmp_path / "both.wav")

`lang` is "en" or "zh" (mapped to the espeak-ng voices en-us and cmn) or any other espeak-ng
voice name ("ko", "en-gb"…). Speech is written as espeak-ng makes it (22.05 kHz mono 16-bit);
`join_with_silence` and the noise helpers keep the first input's format unless told otherwise.
Noise is repeatable (`sox -R`): a test that passes passes every time. Nothing here uses the
code under test, so the tests do not check the kiosk against itself.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
from scipy.io import wavfile

ESPEAK_VOICE = {"en": "en-us", "zh": "cmn"}
"""espeak-ng voice for each kiosk language; other names are passed to espeak-ng as they are."""


def _run(command: list[str]) -> None:
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed: {result.stderr.strip()}")


def _suffixed(path: Path, suffix: str) -> Path:
    return path.with_name(f"{path.stem}.{suffix}.wav")


def read_float(path: str | Path) -> tuple[int, np.ndarray]:
    """(rate, samples as float in [-1, 1], channels averaged) — for measuring test audio."""
    rate, data = wavfile.read(path)
    if data.dtype.kind == "u":
        signal = (data.astype(np.float64) - 128) / 128
    elif data.dtype.kind == "i":
        signal = data.astype(np.float64) / 2 ** (8 * data.dtype.itemsize - 1)
    else:
        signal = data.astype(np.float64)
    if signal.ndim == 2:
        signal = signal.mean(axis=1)
    return rate, signal


def duration(path: str | Path) -> float:
    """Seconds of audio in a WAV file."""
    rate, signal = read_float(path)
    return len(signal) / rate


def rms_dbfs(path: str | Path) -> float:
    """Loudness of a whole WAV file in dB relative to full scale (-100 for silence)."""
    _, signal = read_float(path)
    power = float(np.mean(signal**2)) if len(signal) else 0.0
    return 10 * np.log10(power) if power > 0 else -100.0


def sound_extent(path: str | Path, threshold_dbfs: float = -50.0) -> tuple[float, float]:
    """(first, last) second at which the recording is louder than `threshold_dbfs`.

    espeak-ng surrounds speech with silence of its own (about 0.3 s at the end); tests that
    check where speech starts and ends want the sound, not the file.
    """
    rate, signal = read_float(path)
    loud = np.flatnonzero(np.abs(signal) > 10 ** (threshold_dbfs / 20))
    if not len(loud):
        return (0.0, 0.0)
    return (loud[0] / rate, (loud[-1] + 1) / rate)


def speak_wav(text: str, lang: str, path: str | Path, rate_wpm: int = 160, pitch: int = 50) -> Path:
    """Speech by espeak-ng at `rate_wpm` words per minute (Mandarin: about syllables per minute)."""
    path = Path(path)
    voice = ESPEAK_VOICE.get(lang, lang)
    _run(["espeak-ng", "-v", voice, "-s", str(rate_wpm), "-p", str(pitch), "-w", str(path), text])
    return path


def silence_wav(seconds: float, path: str | Path, rate: int = 16_000) -> Path:
    """Digital silence."""
    path = Path(path)
    wavfile.write(path, rate, np.zeros(round(seconds * rate), dtype=np.int16))
    return path


def noise_wav(
    seconds: float, path: str | Path, color: str = "white", level_dbfs: float = -30.0, rate: int = 16_000
) -> Path:
    """sox-generated noise (`white`, `pink` or `brown`) at an RMS level of `level_dbfs`."""
    path = Path(path)
    raw = path.with_name(f"{path.stem}.raw-noise.wav")
    _run(["sox", "-R", "-n", "-r", str(rate), "-c", "1", "-b", "16", str(raw), "synth", str(seconds), f"{color}noise"])
    gain = level_dbfs - rms_dbfs(raw)
    _run(["sox", str(raw), str(path), "gain", f"{gain:.2f}"])
    raw.unlink()
    return path


def with_noise(path: str | Path, snr_db: float, color: str = "white", out: str | Path | None = None) -> Path:
    """The recording mixed with sox noise so that signal power / noise power = `snr_db`.

    The signal power is taken over the whole file (espeak-ng speech has little silence), so
    this is the usual "global" SNR; short words in long silences would be harder than stated.
    """
    path = Path(path)
    out = Path(out) if out else _suffixed(path, f"{color}{snr_db:g}db")
    rate, _ = wavfile.read(path)
    noise = noise_wav(duration(path), out.with_name(f"{out.stem}.noise.wav"), color, rms_dbfs(path) - snr_db, rate)
    # -v 1 on both inputs: sox -m would otherwise halve each to avoid clipping
    _run(["sox", "-m", "-v", "1", str(path), "-v", "1", str(noise), str(out)])
    noise.unlink()
    return out


def clipped(path: str | Path, gain_db: float = 20.0, out: str | Path | None = None) -> Path:
    """The recording amplified by `gain_db` so its peaks clip, as an over-driven microphone does."""
    path = Path(path)
    out = Path(out) if out else _suffixed(path, f"clipped{gain_db:g}db")
    _run(["sox", "-V1", str(path), str(out), "gain", str(gain_db)])  # -V1: clipping warnings are the point
    return out


def cough_wav(path: str | Path, seconds: float = 0.15, level_dbfs: float = -12.0, rate: int = 16_000) -> Path:
    """A cough-like burst: pink noise with a sharp attack and a quick decay."""
    path = Path(path)
    raw = path.with_name(f"{path.stem}.raw-cough.wav")
    _run(["sox", "-R", "-n", "-r", str(rate), "-c", "1", "-b", "16", str(raw), "synth", str(seconds), "pinknoise"])
    _run(["sox", str(raw), str(path), "fade", "q", "0.005", str(seconds), str(seconds * 0.6), "norm", "-1"])
    raw.unlink()
    gain = level_dbfs - rms_dbfs(path)
    tmp = path.with_name(f"{path.stem}.tmp.wav")
    _run(["sox", str(path), str(tmp), "gain", f"{gain:.2f}"])
    tmp.replace(path)
    return path


def convert(path: str | Path, out: str | Path, rate: int, channels: int = 1, bits: int = 16) -> Path:
    """The recording as another WAV format (sox: rate, channels, bits per sample)."""
    _run(["sox", str(path), "-r", str(rate), "-c", str(channels), "-b", str(bits), str(out)])
    return Path(out)


def join_with_silence(
    paths: list[str | Path],
    seconds: float | list[float],
    out: str | Path,
    lead_s: float = 0.5,
    tail_s: float = 0.5,
    rate: int | None = None,
) -> Path:
    """The recordings one after another, `seconds` of silence between each pair.

    `seconds` may be one gap for all or a list with one gap per pair. Inputs are converted to
    `rate` (default: the first input's rate), mono, 16-bit; `lead_s`/`tail_s` of silence go
    before the first and after the last, as a microphone would hear them.
    """
    out = Path(out)
    gaps = seconds if isinstance(seconds, list) else [seconds] * (len(paths) - 1)
    if len(gaps) != len(paths) - 1:
        raise ValueError(f"{len(paths)} recordings need {len(paths) - 1} gaps, got {len(gaps)}")
    rate = rate or wavfile.read(paths[0])[0]
    pieces = [np.zeros(round(lead_s * rate))]
    for index, path in enumerate(paths):
        source_rate, _ = wavfile.read(path)
        if source_rate != rate:
            converted = out.with_name(f"{out.stem}.part{index}.wav")
            convert(path, converted, rate)
            _, signal = read_float(converted)
            converted.unlink()
        else:
            _, signal = read_float(path)
        pieces.append(signal)
        pieces.append(np.zeros(round((gaps[index] if index < len(gaps) else tail_s) * rate)))
    joined = np.concatenate(pieces)
    wavfile.write(out, rate, np.clip(np.rint(joined * 32768), -32768, 32767).astype(np.int16))
    return out
