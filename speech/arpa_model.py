"""A small n-gram language model over weighted phrases, written in ARPA format.

Rhasspy's approach: rather than a strict grammar that accepts only the exact catalogue
sentences, a bigram/trigram model estimated from them. It strongly prefers catalogue word
sequences, yet still lets a resident leave a word out or join two requests, which a
strict grammar would force onto the nearest whole sentence.

Witten–Bell smoothing, because the counts are fractional: a sentence counts once however
many service names its `{service}` expands to, so one expansion may count 1/187.
Absolute discounting would discount such counts to nothing; Witten–Bell only needs to know
how many different words follow a history.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable

from .grammar import WeightedPhrase

SENTENCE_START = "<s>"
SENTENCE_END = "</s>"

COUNT_SCALE = 100.0
"""A catalogue sentence of weight 1 counts this much; keeps one expansion's share of it
comparable with the number of word types that follow a history."""

EMPTY_UTTERANCE_PROBABILITY = 1e-6
"""P(</s> | <s>): an utterance with no words at all."""

NO_PROBABILITY = -99.0
"""ARPA's log10 probability for <s>, which is never predicted."""

History = tuple[str, ...]


def arpa_text(phrases: Iterable[WeightedPhrase], order: int = 3) -> str:
    """An ARPA-format model of `order` (1–3) estimated from the phrases."""
    counts: list[dict[History, dict[str, float]]] = [defaultdict(lambda: defaultdict(float)) for _ in range(order)]
    for phrase in phrases:
        if not phrase.words:
            continue
        tokens = (SENTENCE_START, *phrase.words, SENTENCE_END)
        for i in range(1, len(tokens)):
            for n in range(order):
                if i - n < 0:
                    break
                counts[n][tokens[i - n : i]][tokens[i]] += phrase.weight * COUNT_SCALE
    vocabulary = sorted({w for followers in counts[0].values() for w in followers} | {SENTENCE_START})
    probabilities = _witten_bell(counts, vocabulary)
    if order > 1:
        # Saying nothing at all is not a phrase: without this the decoder finds "<s> </s>"
        # (backing off to the frequent </s>) cheaper than a short word such as "no".
        probabilities[1].setdefault((SENTENCE_START,), {})[SENTENCE_END] = EMPTY_UTTERANCE_PROBABILITY
    return _format(probabilities, order)


def _witten_bell(
    counts: list[dict[History, dict[str, float]]], vocabulary: list[str]
) -> list[dict[History, dict[str, float]]]:
    """Interpolated Witten–Bell probabilities for every seen n-gram, lowest order first."""
    predicted = [w for w in vocabulary if w != SENTENCE_START]
    uniform = 1.0 / len(predicted)
    unigram_counts = counts[0][()]
    total = sum(unigram_counts.values())
    types = len(unigram_counts)
    probs: list[dict[History, dict[str, float]]] = [
        {(): {w: (unigram_counts.get(w, 0.0) + types * uniform) / (total + types) for w in predicted}}
    ]
    for n in range(1, len(counts)):
        level: dict[History, dict[str, float]] = {}
        for history, followers in counts[n].items():
            seen = sum(followers.values())
            distinct = len(followers)
            lower = history[1:]
            level[history] = {
                w: (c + distinct * _lookup(probs, lower, w)) / (seen + distinct) for w, c in followers.items()
            }
        probs.append(level)
    return probs


def _lookup(probs: list[dict[History, dict[str, float]]], history: History, word: str) -> float:
    """P(word | history) from the model so far, backing off to shorter histories."""
    level = probs[len(history)]
    if history in level and word in level[history]:
        return level[history][word]
    return _backoff_weight(probs, history) * _lookup(probs, history[1:], word) if history else 0.0


def _backoff_weight(probs: list[dict[History, dict[str, float]]], history: History) -> float:
    if len(history) >= len(probs) or history not in probs[len(history)]:
        return 1.0
    seen = probs[len(history)][history]
    left = 1.0 - sum(seen.values())
    lower_left = 1.0 - sum(_lookup(probs, history[1:], w) for w in seen)
    return max(left, 1e-12) / max(lower_left, 1e-12)


def _format(probs: list[dict[History, dict[str, float]]], order: int) -> str:
    grams: list[list[tuple[History, float]]] = []
    for n, level in enumerate(probs):
        entries = [((*history, w), p) for history, followers in level.items() for w, p in followers.items()]
        if n == 0:
            entries.append(((SENTENCE_START,), 0.0))
        grams.append(sorted(entries))
    lines = ["\\data\\"] + [f"ngram {n + 1}={len(entries)}" for n, entries in enumerate(grams)]
    for n, entries in enumerate(grams):
        lines += ["", f"\\{n + 1}-grams:"]
        for gram, p in entries:
            logp = NO_PROBABILITY if gram == (SENTENCE_START,) else math.log10(p)
            if n + 1 < order and gram[-1] != SENTENCE_END and gram in _histories(probs, n + 1):
                lines.append(f"{logp:.6f} {' '.join(gram)} {math.log10(_backoff_weight(probs, gram)):.6f}")
            else:
                lines.append(f"{logp:.6f} {' '.join(gram)}")
    lines += ["", "\\end\\", ""]
    return "\n".join(lines)


def _histories(probs: list[dict[History, dict[str, float]]], n: int) -> dict[History, dict[str, float]]:
    return probs[n] if n < len(probs) else {}
