"""Which intents the *informative words* of an utterance point to, learned from the examples.

Fuzzy matching against whole examples is exact-minded: it rewards saying what an example
says. Residents paraphrase ("take my booking off", "我后天是不是有个约"), so beside it each
word (and word pair) votes for the intents whose examples use it, weighted by how few
intents share it — "取消" or "cancel" speak loudly, "我" or "the" barely at all.
"""

from __future__ import annotations

import itertools
import math
from functools import lru_cache

import numpy as np

from .catalogue import Language
from .normaliser import PLACEHOLDER_CHARS
from .sound_form import SoundForm

UNKNOWN_WORD_WEIGHT = 0.35
"""How much a word no example uses dilutes the vote (rambling is common; noise is too)."""

_EN_SUFFIXES = ("ing", "ed", "es", "s", "ly")
_PLACEHOLDERS = frozenset(PLACEHOLDER_CHARS.values())


def evidence_words(form: SoundForm, lang: Language) -> set[str]:
    """Units and neighbouring pairs: pinyin syllables in Mandarin, stemmed words in English."""
    units = form.sound.split() if lang == "zh" else [_stem(w) for w in form.surface.split()]
    words = set(units)
    words.update(f"{a}+{b}" for a, b in itertools.pairwise(units))
    return words


def content_units(form: SoundForm, lang: Language) -> set[str]:
    """What a vocabulary is made of: characters in Mandarin (no word breaks to trust), stemmed
    words in English; slot placeholders left out, since they stand for the centre's own things."""
    if lang == "zh":
        return {c for c in form.surface if not c.isspace() and c not in _PLACEHOLDERS}
    return {_stem(w) for w in form.surface.split() if _PLACEHOLDERS.isdisjoint(w)}


@lru_cache(maxsize=1 << 16)
def _stem(word: str) -> str:
    """A light English stemmer: booking, booked, books → book; cancelling → cancel.

    Remembered: a catalogue repeats its few thousand words tens of thousands of times, and
    stemming them was a tenth of building the index."""
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
        self._counts: dict[str, dict[int, int]] = {}
        self._sizes = np.zeros(classes)
        self._rows: dict[str, int] = {}
        self._weights: list[float] = []
        self._votes = np.zeros((0, classes))
        self._unknown_weight = 0.0

    def add(self, cls: int, words: set[str]) -> None:
        if not words:
            return
        self._sizes[cls] += 1
        counts = self._counts
        for word in words:
            per_class = counts.get(word)
            if per_class is None:
                counts[word] = {cls: 1}
            else:
                per_class[cls] = per_class.get(cls, 0) + 1

    def freeze(self) -> None:
        present = max(int((self._sizes > 0).sum()), 1)
        sizes = np.maximum(self._sizes, 1.0)
        words = list(self._counts)
        if words:
            # One matrix for all words (a row each), same arithmetic as word by word.
            rows = [row for row, word in enumerate(words) for _ in self._counts[word]]
            columns = [cls for word in words for cls in self._counts[word]]
            values = [n for word in words for n in self._counts[word].values()]
            counts = np.zeros((len(words), self._classes))
            counts[rows, columns] = values
            rates = counts / sizes
            shares = rates / rates.sum(axis=1, keepdims=True)
            self._weights = [math.log(1.0 + present / len(self._counts[word])) for word in words]
            # Each word's vote is its weight times its shares: multiplied here once, not per utterance.
            self._votes = np.asarray(self._weights)[:, None] * shares
            self._rows = {word: row for row, word in enumerate(words)}
        self._unknown_weight = UNKNOWN_WORD_WEIGHT * math.log(1.0 + present)
        self._counts.clear()

    def scores(self, words: set[str]) -> np.ndarray:
        """The words' votes summed, over their weight (and some weight for unknown words).

        Summed by `np.add.accumulate` over the gathered rows: strictly in word order, as adding
        them one by one did, so the sums are the same to the last bit, in two numpy calls."""
        rows: list[int] = []
        mass = 0.0
        known = self._rows
        for word in words:
            row = known.get(word)
            if row is None:
                if "+" not in word:  # an unseen pair of known words says nothing either way
                    mass += self._unknown_weight
            else:
                rows.append(row)
                mass += self._weights[row]
        if not rows:
            return np.zeros(self._classes)
        total: np.ndarray = np.add.accumulate(self._votes[rows], axis=0)[-1]
        return total / mass


class WordOverlap:
    """How much of each phrase's *informative* wording an utterance shares.

    Like the fuzzy match, but each word counts by its rarity across phrases: sharing
    "取消" with an example says far more than sharing "我想".
    """

    def __init__(self, phrases: list[set[str]]) -> None:
        count = max(len(phrases), 1)
        postings: dict[str, list[int]] = {}
        for index, words in enumerate(phrases):
            for word in words:
                ids = postings.get(word)
                if ids is None:
                    postings[word] = [index]
                else:
                    ids.append(index)
        self._weight = {word: math.log(1.0 + count / len(ids)) for word, ids in postings.items()}
        self._unknown = math.log(1.0 + count)
        self._postings = {word: np.asarray(ids, dtype=np.int64) for word, ids in postings.items()}
        weight = self._weight.__getitem__
        self._totals = np.asarray([sum(map(weight, words)) for words in phrases], dtype=np.float64)
        self._size = len(phrases)

    def scores(self, words: set[str], recall_weight: float) -> np.ndarray:
        """Recall-weighted F-score of the shared weight, per phrase."""
        shared = np.zeros(self._size)
        mass = 0.0
        for word in words:
            weight = self._weight.get(word)
            if weight is None:
                if "+" not in word:
                    mass += UNKNOWN_WORD_WEIGHT * self._unknown
                continue
            mass += weight
            shared[self._postings[word]] += weight
        if mass == 0.0:
            return shared
        precision = shared / mass
        recall = shared / np.maximum(self._totals, 1e-9)
        b2 = recall_weight**2
        denominator = b2 * precision + recall
        return np.divide((1 + b2) * precision * recall, denominator, out=np.zeros_like(denominator),
                         where=denominator > 0)
