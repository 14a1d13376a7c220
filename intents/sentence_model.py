"""A second opinion on the matcher's reading, learned from labelled sentences.

The matcher compares an utterance with the catalogue's examples, one rule and word list at a
time; on wording nobody wrote an example for it is right about nine times in ten. A linear
model over the utterance's character and word n-grams, *plus the matcher's own reading*,
learns from thousands of labelled sentences which readings to keep and which wording means
something else ("can you fix the lift" is no notice, "book me a knee operation" no booking).
Trained on sentence sets read by the catalogue of the day before the set was tuned on
(bench/train_sentence_model.py), it learns when the matcher is wrong on *new* wording rather
than trusting it everywhere.

It only ever changes the intent (slots still come from the utterance). An intent a centre adds
after training is read by the matcher alone until the model is trained again (`Parser` says so
in its log, the console's publishing check names it).
"""

from __future__ import annotations

import itertools
import logging
import zlib
from dataclasses import dataclass
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path

import numpy as np

from .catalogue import Language
from .number_masking import mask_numbers

log = logging.getLogger(__name__)

FEATURE_SPACE = 2**18
"""Hashed n-gram features; the matcher's reading takes the ids above this."""

NO_INTENT = "-"
"""The label of sentences the kiosk should not act on (out of scope)."""


@dataclass(frozen=True)
class Reading:
    """The matcher's reading, as the model sees it."""

    intent: str | None
    """What the matcher decided (None: declined)."""
    confidence: float
    """Its calibrated confidence."""
    runners_up: tuple[str, ...]
    """Up to two next-best intents it offered."""
    stranger: bool = False
    """The utterance uses a word no example or keyword knows and names nothing of the centre's
    (intents/calibration.py): an unseen n-gram has no weight, so without this the model cannot
    tell "apply for a library card" from "apply for a card"."""
    scores: tuple[tuple[str, float], ...] = ()
    """The matcher's raw score of every intent it weighed, and of the nearest out-of-scope
    example (as NO_INTENT): how close the runners-up came says more than their names (six
    grouped folds of 24 tuning sets: intent 88.8 → 89.9 % en, 90.4 → 91.3 % zh, emergencies
    heard 90.8 → 92.3 %, out of scope 90.2 → 90.8 %)."""


class SentenceModel:
    """Multinomial logistic regression over sparse features; weights only for features seen."""

    def __init__(self, labels: tuple[str, ...], rows: np.ndarray, weights: np.ndarray) -> None:
        self.labels = labels
        """Intent ids, and NO_INTENT, in weight-column order."""
        self.rows = rows
        """Sorted ids of the features that have weights."""
        self.weights = weights
        """One row per feature id in `rows`, one column per label."""
        self._column = {label: k for k, label in enumerate(labels)}

    def intents(self) -> frozenset[str]:
        return frozenset(label for label in self.labels if label != NO_INTENT)

    def features(self, surface: str, lang: Language, reading: Reading | None) -> dict[int, float]:
        """N-grams of the prepared utterance (slots masked, fillers gone), scaled to unit length,
        and the matcher's reading: what it decided, how sure it was, what came next."""
        return self.with_reading(ngram_features(surface, lang), reading)

    def with_reading(self, ngrams: dict[int, float], reading: Reading | None) -> dict[int, float]:
        """`ngrams` (from ngram_features, shared by every model of an utterance) and the
        matcher's reading."""
        if reading is None:
            return ngrams
        found = dict(ngrams)
        width = len(self.labels)
        decided = self._column[reading.intent or NO_INTENT]
        found[FEATURE_SPACE + decided] = 1.0
        found[FEATURE_SPACE + width + decided] = reading.confidence
        for intent in reading.runners_up[:2]:
            if intent in self._column:
                found[FEATURE_SPACE + 2 * width + self._column[intent]] = 0.5
        if reading.stranger:
            found[FEATURE_SPACE + 3 * width + decided] = 1.0
        for intent, score in reading.scores:
            if intent in self._column:
                found[FEATURE_SPACE + 4 * width + self._column[intent]] = score
        return found

    @property
    def feature_count(self) -> int:
        return FEATURE_SPACE + 5 * len(self.labels)

    def probabilities(self, features: dict[int, float]) -> np.ndarray:
        """One probability per label."""
        keys = np.fromiter(features, dtype=np.int64, count=len(features))
        values = np.fromiter(features.values(), dtype=np.float64, count=len(features))
        at = np.searchsorted(self.rows, keys)
        at = np.minimum(at, len(self.rows) - 1)
        known = self.rows[at] == keys
        logits = values[known] @ self.weights[at[known]]
        logits = np.exp(logits - logits.max())
        return np.asarray(logits / logits.sum())

    def chance_of(self, label: str, probabilities: np.ndarray) -> float:
        """`label`'s share of `probabilities` (as returned by `probabilities`)."""
        return float(probabilities[self._column[label]])

    def save(self, path: Path) -> None:
        np.savez(path, labels=np.asarray(self.labels), rows=self.rows, weights=self.weights)


def ngram_features(surface: str, lang: Language) -> dict[int, float]:
    """Hashed character (Mandarin) or word and character (English) n-grams, scaled to unit length:
    the same for the sentence model and the slot models, so an utterance's are worked out once.
    A phone number or a year is one "#": its digits say nothing of what is wanted, and each
    number would bring n-grams no other sentence shares."""
    surface = mask_numbers(surface)
    if lang == "zh":
        chars = surface.replace(" ", "")
        grams = [chars[i:i + n] for n in (1, 2, 3) for i in range(len(chars) - n + 1)]
    else:
        words = surface.split()
        padded = f" {surface} "
        grams = [*words, *(f"{a} {b}" for a, b in itertools.pairwise(words)),
                 *(padded[i:i + 4] for i in range(len(padded) - 3))]
    counts: dict[int, float] = {}
    for gram in grams:
        key = zlib.crc32(f"{lang}{gram}".encode()) % FEATURE_SPACE
        counts[key] = counts.get(key, 0.0) + 1.0
    norm = float(np.sqrt(sum(v * v for v in counts.values()))) or 1.0
    return {key: value / norm for key, value in counts.items()}


def shipped_model_path() -> Traversable:
    return resources.files("intents") / "data" / "sentence_model.npz"


DESCRIBED_SLOTS = ("service", "hotline")
"""Slots a sentence can describe without naming ("the card I use at the chemist"): each has a
model of the same kind, labels its values and NO_INTENT (nothing described), trained on the
sentences of intents that take the slot where no value was named, and the catalogue's situations."""


def shipped_slot_model_path(slot: str) -> Traversable:
    return resources.files("intents") / "data" / f"{slot}_model.npz"


def load_sentence_model(path: Path | Traversable | None = None) -> SentenceModel | None:
    """The trained model, or None when none is installed (the matcher then reads alone)."""
    source = path if path is not None else shipped_model_path()
    if not source.is_file():
        log.warning("no sentence model at %s: the matcher reads alone", source)
        return None
    with source.open("rb") as handle, np.load(handle) as data:
        return SentenceModel(tuple(str(x) for x in data["labels"]), data["rows"].astype(np.int64),
                             data["weights"].astype(np.float32))
