"""Which names a fuzzy partial match could possibly find in a text, by counting shared units.

Why: rapidfuzz's partial_ratio slides every name along the sentence; over a few hundred names
that is most of a parse. A partial match scores 2·LCS/(n + w) for a needle of n units and a
window of w ≥ LCS, so reaching `cutoff` (a share c) needs LCS ≥ c·n/(2 − c), and the longest
common subsequence is never longer than the units the two strings share, counted with repeats.
Names below that bound can only score under the cutoff, so skipping them changes no match.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

_SLACK = 1e-9
"""Keep names right at the bound whatever the rounding."""


class SharedUnits:
    """Unit counts of every name, for one quick bound per name."""

    def __init__(self, names: list[str]) -> None:
        self._column: dict[str, int] = {}
        counted = [Counter(name) for name in names]
        for counts in counted:
            for unit in counts:
                self._column.setdefault(unit, len(self._column))
        self._counts = np.zeros((len(names), len(self._column)), dtype=np.int32)
        for row, counts in enumerate(counted):
            for unit, n in counts.items():
                self._counts[row, self._column[unit]] = n
        self._lengths = np.asarray([len(name) for name in names], dtype=np.float64)

    def candidates(self, text: str, cutoff: float) -> list[int]:
        """Positions (in name order) of the names whose partial_ratio with `text` can reach
        `cutoff` (0–100); the others cannot."""
        seen = Counter(unit for unit in text if unit in self._column)
        if not seen:
            return []
        columns = [self._column[unit] for unit in seen]
        shared = np.minimum(self._counts[:, columns], np.asarray(list(seen.values()))).sum(axis=1)
        share = cutoff / 100.0
        needed = share * np.minimum(self._lengths, len(text)) / (2.0 - share)
        return np.flatnonzero(shared >= needed - _SLACK).tolist()
