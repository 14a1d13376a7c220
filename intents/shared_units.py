"""Which names a fuzzy partial match could possibly find in a text, by counting shared units.

Why: rapidfuzz's partial_ratio slides every name along the sentence; over a few hundred names
that is most of a parse. A partial match scores 2·LCS/(n + w) for a needle of n units and a
window of w ≥ LCS, so reaching `cutoff` (a share c) needs LCS ≥ c·n/(2 − c), and the longest
common subsequence is never longer than the units the two strings share, counted with repeats.
Names below that bound can only score under the cutoff, so skipping them changes no match.

A second bound counts neighbouring pairs of units: over English letters nearly every name shares
enough single letters with a long sentence, far fewer pairs. When the name (n units) is the
shorter string, every window it is compared with has w ≤ n units; in an alignment of LCS L, at
most n − L neighbouring matches are broken by a skipped unit of the name and at most w − L ≤ n − L
by one of the window, so at least 3L − 2n − 1 neighbouring pairs of the name also stand in the
text, each at its own place (counted with repeats, like the units).
"""

from __future__ import annotations

from collections import Counter
from operator import add

import numpy as np

_SLACK = 1e-9
"""Keep names right at the bound whatever the rounding."""


class SharedUnits:
    """Unit and pair counts of every name, for two quick bounds per name."""

    def __init__(self, names: list[str]) -> None:
        self._units = _Counts([Counter(name) for name in names])
        self._pairs = _Counts([Counter(_pairs(name)) for name in names])
        self._lengths = np.asarray([len(name) for name in names], dtype=np.float64)
        self._bounds: dict[tuple[int, float], tuple[np.ndarray, np.ndarray | None]] = {}

    def candidates(self, text: str, cutoff: float) -> list[int]:
        """Positions (in name order) of the names whose partial_ratio with `text` can reach
        `cutoff` (0–100); the others cannot."""
        shared = self._units.shared(Counter(text))
        if shared is None:
            return []
        units_needed, pairs_needed = self._needed(len(text), cutoff)
        possible = shared >= units_needed
        if pairs_needed is not None:
            pairs = self._pairs.shared(Counter(_pairs(text)))
            possible &= (pairs if pairs is not None else 0) >= pairs_needed
        return np.flatnonzero(possible).tolist()

    def _needed(self, length: int, cutoff: float) -> tuple[np.ndarray, np.ndarray | None]:
        """Least shared units and pairs per name for a text of `length` units; they depend on
        nothing else, so they are worked out once per length."""
        key = (length, cutoff)
        if key not in self._bounds:
            share = cutoff / 100.0
            needed = share * np.minimum(self._lengths, length) / (2.0 - share) - _SLACK
            # For names no longer than the text; L is whole, so at least ⌈needed⌉.
            pairs = np.where(self._lengths <= length, 3.0 * np.ceil(needed) - 2.0 * self._lengths - 1.0, 0.0)
            self._bounds[key] = needed, (pairs if (pairs > 0).any() else None)
        return self._bounds[key]


class _Counts:
    """Which names hold each unit (or pair) at least once, twice, …: one row per unit and count,
    one column per name. A text holding a unit k times gathers that unit's first k rows, and
    their sum per name is min(k, the name's count): the shared units, in one gather and one sum."""

    def __init__(self, counted: list[Counter[str]]) -> None:
        most: dict[str, int] = {}
        for counts in counted:
            for unit, n in counts.items():
                most[unit] = max(most.get(unit, 0), n)
        self._rows: dict[str, list[int]] = {}
        start = 0
        for unit, n in most.items():
            self._rows[unit] = list(range(start, start + n))
            start += n
        self._held = np.zeros((start, len(counted)), dtype=np.uint8)
        for column, counts in enumerate(counted):
            for unit, n in counts.items():
                self._held[self._rows[unit][:n], column] = 1

    def shared(self, seen: Counter[str]) -> np.ndarray | None:
        """Per name, the units it shares with a text holding `seen`, counted with repeats; None
        when it shares none at all."""
        rows = self._rows
        gathered = [row for unit, n in seen.items() if unit in rows for row in rows[unit][:n]]
        if not gathered:
            return None
        shared: np.ndarray = self._held.take(gathered, axis=0).sum(axis=0, dtype=np.int64)
        return shared


def _pairs(text: str) -> map[str]:
    return map(add, text, text[1:])
