"""Hearing a phone number in English: the one answer the catalogue-wide recogniser cannot take down.

The catalogue's language model (speech/pocketsphinx_engine.py) is built from requests, in
which eleven digits in a row never occur; it hears "I'd like to" in "nine eight two".
Measured on espeak-ng speech of 36 random mobile numbers (130/160/185 wpm, with a
microphone's noise floor): 0 of 36 taken down right. A grammar that admits nothing but a
phone number's worth of digits got 29 of 36 (11/12, 12/12, 6/12 by rate) at a real-time
factor of about 0.09.

So while the kiosk is waiting for a phone number, an utterance the catalogue recogniser
heard as mostly digits is decoded once more with that grammar (`VoiceLoop`). Anything
else the resident says then ("say that again", "I don't know") still goes through the
catalogue recogniser untouched.

This belongs next to the PocketSphinx engine, as a per-question grammar
(`transcribe(pcm, expect="phone")`); it lives here until the engine offers one.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pocketsphinx

from intents.numbers import EN_REPEATS, EN_SPOKEN_DIGITS
from speech.errors import ModelError
from speech.pronouncing_dictionary import english_model_dir, read_dictionary
from speech.recognizer import SAMPLE_RATE, Transcript, Word

ENGINE = "pocketsphinx"
PHONE_LENGTHS = (8, 11)
"""A local landline, or a mobile (or area code + landline) number."""
DIGIT_WORDS = ("zero", "oh", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
EDGE_PADDING_S = 0.3
"""Silence around the utterance, as the catalogue engine adds: the acoustic model expects it."""
MIN_DIGIT_WORDS = 3
"""Digits the catalogue recogniser must have heard to try the phone grammar. It mangles most
of a number into words ("one three i need to get silly one five seven": five digits of eleven),
while the other answers to "what is your phone number?" ("say that again", "I don't have one",
"nineteen fifty") hold none."""


def phone_grammar() -> str:
    """JSGF accepting exactly 8 or 11 spoken digits."""
    alternatives = " | ".join(" ".join(["<digit>"] * n) for n in PHONE_LENGTHS)
    return f"#JSGF V1.0;\ngrammar phone;\n<digit> = {' | '.join(DIGIT_WORDS)};\npublic <phone> = {alternatives};\n"


def sounds_like_digits(transcript: Transcript) -> bool:
    """Whether the catalogue recogniser heard mostly digits (a phone number it mangled)."""
    return sum(w in EN_SPOKEN_DIGITS or w in EN_REPEATS for w in transcript.text.split()) >= MIN_DIGIT_WORDS


class PhoneNumberListener:
    """PocketSphinx with the English model and a grammar of phone numbers only."""

    engine = ENGINE
    lang = "en"

    def __init__(self, data_dir: Path) -> None:
        folder = data_dir / "grammars"
        dictionary_path = folder / "phone-number-en.dict"
        grammar_path = folder / "phone-number-en.jsgf"
        _write_atomically(grammar_path, phone_grammar())
        with tempfile.TemporaryDirectory() as scratch:
            subset = Path(scratch) / "digits.dict"
            read_dictionary().write_subset(DIGIT_WORDS, subset)
            _write_atomically(dictionary_path, subset.read_text(encoding="utf-8"))
        model = english_model_dir()
        try:
            self._decoder = pocketsphinx.Decoder(
                hmm=str(model / "en-us"), dict=str(dictionary_path), jsgf=str(grammar_path),
                samprate=SAMPLE_RATE, loglevel="FATAL",
            )  # fmt: skip
        except (RuntimeError, ValueError) as exc:
            raise ModelError(f"PocketSphinx will not load the phone-number grammar {grammar_path}: {exc}") from None

    def transcribe(self, pcm: bytes) -> Transcript:
        padding = bytes(int(EDGE_PADDING_S * SAMPLE_RATE) * 2)
        decoder = self._decoder
        decoder.start_utt()
        decoder.process_raw(padding + pcm + padding, full_utt=True)
        decoder.end_utt()
        frame_s = 1.0 / decoder.config["frate"]
        words = tuple(
            Word(
                segment.word.split("(", 1)[0],
                round(max(0.0, segment.start_frame * frame_s - EDGE_PADDING_S), 2),
                round(max(0.0, (segment.end_frame + 1) * frame_s - EDGE_PADDING_S), 2),
                round(min(1.0, max(0.0, segment.prob)), 3),
            )
            for segment in decoder.seg()
            if segment.word.split("(", 1)[0] in DIGIT_WORDS
        )
        if not words:
            return Transcript.silence(ENGINE)
        confidence = sum(w.confidence for w in words) / len(words)
        return Transcript(" ".join(w.text for w in words), round(confidence, 3), words, False, ENGINE)


def _write_atomically(path: Path, text: str) -> None:
    """Two kiosk processes sharing a data directory must never read half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(text)
    os.replace(temporary, path)
