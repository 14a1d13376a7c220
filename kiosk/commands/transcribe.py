"""`kiosk transcribe`: what the kiosk's recogniser hears in a recording.

For staff checking a microphone or a newly installed model, and for developers: the same
engine, model and catalogue grammar `kiosk run` would use, on a WAV file of any sample
rate and channel count (resampled to 16 kHz mono first).

Prints the words heard on one line (an empty line for silence); when the recogniser
judges the speech to be outside what the catalogue covers, it says so on stderr — that is
when the kiosk would ask the resident to say it another way.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from intents import CatalogueError, load_catalogue
from speech.audio_format import pcm_duration, read_wav
from speech.errors import SpeechError
from speech.recognizer_factory import ENGINES, RecognizerSettings, load_recognizer


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "transcribe",
        help="print what the speech recogniser hears in a WAV file",
        description="Transcribe a WAV recording (any sample rate) with the kiosk's recogniser and catalogue grammar.",
    )
    parser.add_argument("wav", type=Path, metavar="FILE.wav", help="the recording")
    parser.add_argument("--engine", choices=ENGINES, help="default: Vosk if a model is installed, else PocketSphinx")
    parser.add_argument("--model", type=Path, metavar="DIR", help="a Vosk model folder (implies --engine vosk)")
    parser.add_argument("--lang", help="language to listen for: en, zh, or the model's own (default: the model's)")
    parser.add_argument("--catalogue", metavar="FILE", help="catalogue YAML (default: the demo centre)")
    parser.add_argument(
        "--data-dir", type=Path, default=Path(os.environ.get("KIOSK_DATA_DIR") or "data"),
        help="data directory with installed models and cached grammars (default: $KIOSK_DATA_DIR or ./data)",
    )  # fmt: skip
    parser.add_argument("--json", action="store_true", help="print the full transcript as JSON")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        settings = RecognizerSettings.from_environment()
        settings = RecognizerSettings(
            engine="vosk" if args.model else args.engine or settings.engine,
            vosk_model=args.model or settings.vosk_model,
            lang=args.lang or settings.lang,
        )
        catalogue = load_catalogue(args.catalogue)
        pcm = read_wav(args.wav)
        recognizer = load_recognizer(catalogue, args.data_dir, settings)
        started = time.perf_counter()
        transcript = recognizer.transcribe(pcm)
        elapsed = time.perf_counter() - started
    except (CatalogueError, SpeechError) as exc:
        print(f"kiosk transcribe: {exc}", file=sys.stderr)
        return 2
    if args.json:
        payload = {
            "text": transcript.text, "confidence": transcript.confidence, "unknown": transcript.unknown,
            "engine": transcript.engine, "lang": recognizer.lang,
            "words": [vars(w) for w in transcript.words],
            "audio_s": round(pcm_duration(pcm), 3), "rtf": round(elapsed / max(pcm_duration(pcm), 1e-9), 4),
        }  # fmt: skip
        print(json.dumps(payload, ensure_ascii=False))
        return 0
    print(transcript.text)
    if transcript.unknown:
        print(
            f"kiosk transcribe: not understood (outside the catalogue or too unsure, confidence "
            f"{transcript.confidence:.2f}): the kiosk would ask to say it another way",
            file=sys.stderr,
        )
    elif not transcript.text:
        print("kiosk transcribe: no speech heard", file=sys.stderr)
    return 0
