"""The one small interface every speech recogniser engine offers the kiosk.

An engine takes one endpointed utterance (16 kHz mono 16-bit PCM) and says what it heard,
how sure it is, and — most important for residents — whether it heard something it was
*not* built to understand. A recogniser restricted to the catalogue's phrases always
finds the nearest phrase; `unknown` is how it admits that the nearest phrase is not what
was said, so the dialogue asks "sorry, could you say that another way?" instead of acting.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

SAMPLE_RATE = 16_000
"""Hz. Both engines' models are trained on 16 kHz audio; other rates are resampled first."""

SAMPLE_WIDTH = 2
"""Bytes per sample: signed 16-bit little-endian, one channel."""


@dataclass(frozen=True)
class Word:
    """One recognised word with where it was said."""

    text: str
    """As the engine spelt it (Mandarin: one lexicon word, such as "体检")."""

    start: float
    """Seconds from the start of the utterance."""

    end: float
    """Seconds from the start of the utterance."""

    confidence: float
    """0–1 posterior probability of this word, from the engine's lattice."""


@dataclass(frozen=True)
class Transcript:
    """What an engine heard in one utterance."""

    text: str
    """The words heard, separated by spaces (also for Mandarin), without unknown-word tokens;
    empty when nothing usable was heard."""

    confidence: float
    """0–1: how sure the engine is of `text` as a whole (0 when `text` is empty)."""

    words: tuple[Word, ...]
    """The words of `text`, in order, each with its own confidence."""

    unknown: bool
    """True when the speech was outside what the grammar covers (unknown-word dominated,
    or too unsure to act on): the dialogue should ask the resident to say it another way."""

    engine: str
    """Which engine produced it ("pocketsphinx" or "vosk"), for logs and benchmarks."""

    @property
    def heard_nothing(self) -> bool:
        """Silence or noise only: nothing to act on, and nothing to apologise for."""
        return not self.text and not self.unknown

    @classmethod
    def silence(cls, engine: str) -> Transcript:
        return cls("", 0.0, (), False, engine)


@runtime_checkable
class Recognizer(Protocol):
    """An engine loaded with a model and a grammar, ready to transcribe utterances."""

    engine: str
    """"pocketsphinx" or "vosk"."""

    lang: str
    """The catalogue language its grammar was built for ("en", "zh", or a model's own)."""

    def transcribe(self, pcm: bytes) -> Transcript:
        """What was said in one utterance of 16 kHz mono int16 PCM."""
        ...
