"""Cutting Mandarin text into the words of a recogniser's lexicon.

Written Chinese has no spaces, but a Vosk grammar is a list of *words*, and a word the
model does not know is dropped without a sound (vosk-api#746). So "我想预约健康体检" must
become "我 想 预约 健康 体检" in exactly the model's own words. Longest match, with
one refinement: among segmentations into lexicon words the one with the fewest words
wins (dynamic programming), so a greedy long word cannot strand a character that only
fits with its neighbour.
"""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass


@dataclass(frozen=True)
class Segmentation:
    """A phrase cut into lexicon words."""

    words: tuple[str, ...]
    """Lexicon words, in order."""

    missing: tuple[str, ...]
    """Characters no lexicon word covers (left out of `words`)."""


class WordSegmenter:
    """Fewest-words segmentation against one lexicon."""

    def __init__(self, lexicon: Container[str], longest_word: int) -> None:
        self._lexicon = lexicon
        self._longest = max(1, longest_word)

    def segment(self, text: str) -> Segmentation:
        """Segment each space-separated chunk; Latin words and digits pass as whole chunks."""
        words: list[str] = []
        missing: list[str] = []
        for chunk in text.split():
            if chunk in self._lexicon:
                words.append(chunk)
                continue
            found, lost = self._segment_chunk(chunk)
            words += found
            missing += lost
        return Segmentation(tuple(words), tuple(missing))

    def _segment_chunk(self, chunk: str) -> tuple[list[str], list[str]]:
        n = len(chunk)
        # best[i] = (cost, previous index, word or None) for the prefix chunk[:i]; a character
        # no word covers costs 100, so any real segmentation beats skipping one.
        best: list[tuple[int, int, str | None]] = [(0, 0, None), *[(1 << 30, 0, None)] * n]
        for end in range(1, n + 1):
            for start in range(max(0, end - self._longest), end):
                piece = chunk[start:end]
                if piece in self._lexicon:
                    cost = best[start][0] + 1
                    if cost < best[end][0]:
                        best[end] = (cost, start, piece)
            skip = best[end - 1][0] + 100
            if skip < best[end][0]:
                best[end] = (skip, end - 1, None)
        words: list[str] = []
        missing: list[str] = []
        end = n
        while end > 0:
            _, start, word = best[end]
            if word is None:
                missing.append(chunk[start:end])
            else:
                words.append(word)
            end = start
        return words[::-1], missing[::-1]
