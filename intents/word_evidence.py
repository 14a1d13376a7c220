"""Which intents the *informative words* of an utterance point to, learned from the examples.

Fuzzy matching against whole examples is exact-minded: it rewards saying what an example
says. Residents paraphrase ("take my booking off", "我后天是不是有个约"), so beside it each
word (and word pair) votes for the intents whose examples use it, weighted by how few
intents share it — "取消" or "cancel" speak loudly, "我" or "the" barely at all.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from .catalogue import Language
from .sound_form import SoundForm

UNKNOWN_WORD_WEIGHT = 0.35
"""How much a word no example uses dilutes the vote (rambling is common; noise is too)."""

_EN_SUFFIXES = ("ing", "ed", "es", "s", "ly")


def evidence_words(form: SoundForm, lang: Language) -> set[str]:
    """Units and neighbouring pairs: pinyin syllables in Mandarin, stemmed words in English."""
    units = form.sound.split() if lang == "zh" else [_stem(w) for w in form.surface.split()]
    words = set(units)
    words.update(f"{a}+{b}" for a, b in itertools.pairwise(units))
    return words


def _stem(word: str) -> str:
    """A light English stemmer: booking, booked, books → book; cancelling → cancel."""
    for suffix in _EN_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            doubled = len(word) > 3 and word[-1] == word[-2]
            if doubled and (word[-1] not in "aeiousl" or (word[-1] == "l" and suffix in ("ing", "ed"))):
                word = word[:-1]  # stopped → stop, cancelled → cancel; but dress, call stay
            break
    return word


class WordEvidence:
    """Per-word votes over classes (intents, then out-of-scope as the last class)."""

    def __init__(self, classes: int) -> None:
        self._classes = classes
        self._counts: dict[str, np.ndarray] = {}
        self._sizes = np.zeros(classes)
        self._votes: dict[str, tuple[float, np.ndarray]] = {}
        self._unknown_weight = 0.0

    def add(self, cls: int, words: set[str]) -> None:
        if not words:
            return
        self._sizes[cls] += 1
        for word in words:
            counts = self._counts.get(word)
            if counts is None:
                counts = self._counts[word] = np.zeros(self._classes)
            counts[cls] += 1

    def freeze(self) -> None:
        present = max(int((self._sizes > 0).sum()), 1)
        sizes = np.maximum(self._sizes, 1.0)
        for word, counts in self._counts.items():
            rates = counts / sizes
            share = rates / rates.sum()
            spread = int((counts > 0).sum())
            self._votes[word] = (math.log(1.0 + present / spread), share)
        self._unknown_weight = UNKNOWN_WORD_WEIGHT * math.log(1.0 + present)
        self._counts.clear()

    def scores(self, words: set[str]) -> np.ndarray:
        total = np.zeros(self._classes)
        mass = 0.0
        for word in words:
            vote = self._votes.get(word)
            if vote is None:
                if "+" not in word:  # an unseen pair of known words says nothing either way
                    mass += self._unknown_weight
            else:
                weight, share = vote
                total += weight * share
                mass += weight
        return total / mass if mass else total
