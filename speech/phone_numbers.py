"""Hearing a phone number in English: the one answer the catalogue recogniser cannot take down.

The catalogue's language model (`pocketsphinx_engine`) is built from requests, in which eleven
digits in a row never occur; it hears "I'd like to" in "nine eight two". Measured on espeak-ng
speech of 36 random mobile numbers (130/160/185 wpm, with a microphone's noise floor): 0 of 36
taken down right. A grammar that admits nothing but a phone number's worth of digits got 29
of 36 (11/12, 12/12, 6/12 by rate) at a real-time factor of about 0.09.

So while the kiosk waits for a phone number, an utterance the catalogue recogniser heard as
mostly digits is decoded once more with that grammar (`PhoneNumberRecognizer.second_pass`).
Anything else the resident says then ("say that again", "I don't know") keeps the catalogue
recogniser's transcript. Decoding itself is the catalogue engine's (`pocketsphinx_decoding`).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from intents.numbers import EN_PHONE_TEENS, EN_REPEATS, EN_ROUND, EN_SPOKEN_DIGITS

from .atomic_files import write_text_atomically
from .pocketsphinx_decoding import decode_words, english_decoder, mean_confidence
from .pronouncing_dictionary import read_dictionary
from .recognizer import Transcript

ENGINE = "pocketsphinx"

PHONE_LENGTHS = (8, 11)
"""A local landline, or a mobile (or area code + landline) number."""

DIGIT_WORDS = ("zero", "oh", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")

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
    """Whether the catalogue recogniser heard mostly digits (a phone number it mangled): the
    words `intents.numbers.en_phone_digits` reads ("one three nine", "thirteen seven hundred")."""
    number_words = (EN_SPOKEN_DIGITS, EN_REPEATS, EN_PHONE_TEENS, EN_ROUND)
    return sum(any(w in words for words in number_words) for w in transcript.text.split()) >= MIN_DIGIT_WORDS


class PhoneNumberRecognizer:
    """PocketSphinx with the English model and a grammar of phone numbers only.

    A `Recognizer`, but only for answers to "what is your phone number?": whatever it is given,
    it hears digits. Not thread-safe: one utterance at a time.
    """

    engine = ENGINE
    lang = "en"

    def __init__(self, data_dir: Path) -> None:
        folder = data_dir / "grammars"
        dictionary_path = folder / "phone-number-en.dict"
        grammar_path = folder / "phone-number-en.jsgf"
        write_text_atomically(grammar_path, phone_grammar())
        with tempfile.TemporaryDirectory() as scratch:
            subset = Path(scratch) / "digits.dict"
            read_dictionary().write_subset(DIGIT_WORDS, subset)
            write_text_atomically(dictionary_path, subset.read_text(encoding="utf-8"))
        self._decoder = english_decoder(dict=str(dictionary_path), jsgf=str(grammar_path))

    def transcribe(self, pcm: bytes) -> Transcript:
        """The digits said in one utterance (8 or 11 of them), or silence."""
        words = decode_words(self._decoder, pcm)
        if not words:
            return Transcript.silence(ENGINE)
        text = " ".join(w.text for w in words)
        return Transcript(text, round(mean_confidence(words), 3), words, False, ENGINE)

    def second_pass(self, first: Transcript, pcm: bytes) -> Transcript:
        """The phone-number reading of an answer the catalogue recogniser heard as `first`, when
        that was mostly digits; otherwise `first` itself (the resident said something else)."""
        return self.transcribe(pcm) if sounds_like_digits(first) else first
