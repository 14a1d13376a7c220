"""PocketSphinx with the catalogue grammar, on requests spoken by espeak-ng.

The requests are said at three speaking rates and once more with pink noise at 15 dB SNR,
then go recogniser → transcript → the real `Parser`. At least 90 % must reach the right
intent. Silence, noise and clipped audio must never yield a confident intent.

A recogniser that hears nothing would pass those last tests, so the `recognizer` fixture
first proves it hears a request: every test here fails on a deaf recogniser.

The voice is espeak-ng's `en-us+f2`; spoken_requests.py says why.
"""

from __future__ import annotations

import itertools
import subprocess
import sys
import wave
from datetime import datetime
from pathlib import Path

import pytest

from intents import load_catalogue
from intents.parser import Parser
from kiosk.dialogue.dialogue import request_to_check
from speech.audio_format import read_wav
from speech.errors import ModelError
from speech.pocketsphinx_engine import PocketSphinxRecognizer
from speech.recognizer import Recognizer
from speech.samples.audio import clipped, convert, cough_wav, noise_wav, silence_wav, speak_wav, with_noise
from speech.samples.requests import NOISE_SNR_DB, NOISY_RATE_WPM, RATES_WPM, REQUESTS, VOICE

NOW = datetime(2026, 11, 26, 10, 0)
CONFIDENT = 0.5
"""A parse at least this sure would make the dialogue act."""
PROBE = "cancel my appointment"
"""Said once before any test, to prove the recogniser hears at all."""
MIN_OVERDRIVEN_UNDERSTOOD = 2
"""Of the first 4 requests overdriven by 20 dB. Measured: 3 reach the right intent, one is
refused ("book a health check tomorrow at nine" → unknown), none misread."""


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue()


@pytest.fixture(scope="module")
def parser(catalogue) -> Parser:
    return Parser(catalogue)


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("kiosk-data")


@pytest.fixture(scope="module")
def recognizer(catalogue, data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> PocketSphinxRecognizer:
    """The catalogue recogniser, once it has shown that it hears a plain request."""
    recognizer = PocketSphinxRecognizer(catalogue, data_dir)
    probe = speak_wav(PROBE, VOICE, tmp_path_factory.mktemp("probe") / "probe.wav")
    heard = recognizer.transcribe(read_wav(probe))
    assert heard.text == PROBE and not heard.unknown, f"the recogniser does not hear {PROBE!r}: {heard}"
    return recognizer


@pytest.fixture(scope="module")
def spoken_requests(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, str, Path]]:
    """(text, intent, wav) for every request at every rate, plus the noisy takes."""
    folder = tmp_path_factory.mktemp("requests")
    takes = []
    for n, (text, intent) in enumerate(REQUESTS):
        for rate in RATES_WPM:
            takes.append((text, intent, speak_wav(text, VOICE, folder / f"r{n:02d}-{rate}.wav", rate_wpm=rate)))
        clean = folder / f"r{n:02d}-{NOISY_RATE_WPM}.wav"
        takes.append((text, intent, with_noise(clean, NOISE_SNR_DB, "pink", folder / f"r{n:02d}-noisy.wav")))
    return takes


def test_it_is_a_recognizer(recognizer: PocketSphinxRecognizer) -> None:
    assert isinstance(recognizer, Recognizer)
    assert recognizer.engine == "pocketsphinx" and recognizer.lang == "en"


def test_nine_in_ten_spoken_requests_reach_the_right_intent(recognizer, parser, spoken_requests) -> None:
    """Reached: acted on, or, for a booking, cancel or list the parser was not sure enough of,
    checked with the resident first ("did you want to cancel?"), as the dialogue does
    (kiosk/dialogue/dialogue.py, request_to_check)."""
    right, checked, misses = 0, 0, []
    for text, intent, wav in spoken_requests:
        transcript = recognizer.transcribe(read_wav(wav))
        heard = transcript.text and not transcript.unknown
        parsed = parser.parse(transcript.text, lang="en", now=NOW) if heard else None
        to_check = request_to_check(parsed) if parsed is not None and parsed.intent is None else None
        if parsed is not None and parsed.intent == intent:
            right += 1
        elif to_check is not None and to_check.intent == intent:
            right += 1
            checked += 1
        else:
            misses.append(f"{wav.name}: said {text!r}, heard {transcript.text!r} (unknown={transcript.unknown}) "
                          f"→ {parsed.intent if parsed else None}")  # fmt: skip
    share = right / len(spoken_requests)
    print(f"\nright intent: {right}/{len(spoken_requests)} = {share:.1%} ({checked} after a check)", *misses,
          sep="\n  ")
    assert share >= 0.9, misses


def test_words_come_with_times_and_confidences(recognizer, spoken_requests) -> None:
    _, _, wav = next(t for t in spoken_requests if t[0] == "what's the ambulance number" and "160" in t[2].name)
    transcript = recognizer.transcribe(read_wav(wav))
    assert transcript.text == "what's the ambulance number" and not transcript.unknown
    assert [w.text for w in transcript.words] == transcript.text.split()
    assert all(0.0 <= w.start < w.end for w in transcript.words)
    assert all(a.end <= b.start + 0.05 for a, b in itertools.pairwise(transcript.words))
    assert 0.5 <= transcript.confidence <= 1.0


def _never_a_confident_intent(recognizer, parser, wav: Path) -> None:
    """Nothing heard, refused, or parsed unsure: all fine for noise (the fixture proved the
    recogniser is not simply deaf)."""
    transcript = recognizer.transcribe(read_wav(wav))
    refused = transcript.unknown or not transcript.text
    parsed = None if refused else parser.parse(transcript.text, lang="en", now=NOW)
    assert parsed is None or parsed.intent is None or parsed.confidence < CONFIDENT, (wav.name, transcript, parsed)


def test_silence_is_heard_as_nothing(recognizer, tmp_path: Path) -> None:
    transcript = recognizer.transcribe(read_wav(silence_wav(2.0, tmp_path / "silence.wav")))
    assert transcript.heard_nothing and transcript.text == "" and transcript.words == ()


@pytest.mark.parametrize("color", ["white", "pink", "brown"])
def test_noise_never_gives_a_confident_intent(recognizer, parser, tmp_path: Path, color: str) -> None:
    for level in (-35.0, -20.0):
        _never_a_confident_intent(recognizer, parser, noise_wav(2.0, tmp_path / f"{color}{level}.wav", color, level))


def test_a_cough_never_gives_a_confident_intent(recognizer, parser, tmp_path: Path) -> None:
    _never_a_confident_intent(recognizer, parser, cough_wav(tmp_path / "cough.wav"))


def test_clipped_audio_never_gives_a_confident_intent(recognizer, parser, tmp_path: Path) -> None:
    """Clipped three ways: mumbling through a microphone turned up 40 dB too far (square-wave
    mush), a burst of noise overdriven the same way, and a word cut off after 0.2 or 0.35 s."""
    for voice in ("en", VOICE):
        mumble = speak_wav("mm er ah um", voice, tmp_path / f"mumble-{voice}.wav", rate_wpm=120)
        _never_a_confident_intent(recognizer, parser, clipped(mumble, 40.0))
        whole = speak_wav("pensioners allowance", voice, tmp_path / f"whole-{voice}.wav", rate_wpm=150)
        for seconds in (0.2, 0.35):
            cut = tmp_path / f"cut-{voice}-{seconds}.wav"
            subprocess.run(["sox", str(whole), str(cut), "trim", "0", str(seconds)], check=True)
            _never_a_confident_intent(recognizer, parser, cut)
    burst = clipped(noise_wav(1.0, tmp_path / "burst.wav", "pink", -20.0), 30.0, tmp_path / "burst-clipped.wav")
    _never_a_confident_intent(recognizer, parser, burst)


def test_overdriven_speech_is_understood_or_refused_never_misread(recognizer, parser, tmp_path: Path) -> None:
    understood = []
    for n, (text, intent) in enumerate(REQUESTS[:4]):
        loud = clipped(speak_wav(text, VOICE, tmp_path / f"loud{n}.wav"), 20.0)
        transcript = recognizer.transcribe(read_wav(loud))
        if transcript.unknown or not transcript.text:
            continue  # refused: allowed, but counts against MIN_OVERDRIVEN_UNDERSTOOD
        parsed = parser.parse(transcript.text, lang="en", now=NOW)
        assert parsed.intent in (intent, None) or parsed.confidence < CONFIDENT, (text, transcript, parsed)
        if parsed.intent == intent and parsed.confidence >= CONFIDENT:
            understood.append(text)
    print(f"\noverdriven requests understood: {len(understood)}/4: {understood}")
    assert len(understood) >= MIN_OVERDRIVEN_UNDERSTOOD, understood


def test_pocketsphinx_refuses_mandarin_with_advice(catalogue, data_dir: Path) -> None:
    with pytest.raises(ModelError, match="kiosk models add"):
        PocketSphinxRecognizer(catalogue, data_dir, lang="zh")


def test_kiosk_transcribe_prints_what_a_44k_stereo_recording_says(spoken_requests, data_dir: Path) -> None:
    source = next(t[2] for t in spoken_requests if t[0] == "cancel my appointment" and "160" in t[2].name)
    stereo = convert(source, source.with_name("stereo-44k.wav"), 44_100, channels=2)
    with wave.open(str(stereo)) as check:
        assert (check.getframerate(), check.getnchannels()) == (44_100, 2)
    result = subprocess.run(
        [sys.executable, "-m", "kiosk.cli", "transcribe", str(stereo), "--engine", "pocketsphinx",
         "--data-dir", str(data_dir)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "cancel my appointment", result


def test_kiosk_transcribe_explains_a_missing_file(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "kiosk.cli", "transcribe", str(tmp_path / "nothing.wav"), "--data-dir", str(tmp_path)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 2
    assert "nothing.wav" in result.stderr and "Traceback" not in result.stderr
