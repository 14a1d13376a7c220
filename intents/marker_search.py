"""Whether a text holds any word of a marker list, in one regex search.

Why: the scope and tense readers ask this of lists of dozens of markers several times per
utterance; testing the markers one by one in Python cost a few percent of a parse. An
alternation of the escaped markers finds a match exactly when some marker occurs in the text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable


class MarkerSearch:
    """One marker list, compiled for `found_in`."""

    def __init__(self, markers: Iterable[str]) -> None:
        words = sorted(set(markers), key=len, reverse=True)
        self._pattern = re.compile("|".join(map(re.escape, words))) if words else None

    def found_in(self, text: str) -> bool:
        """Some marker is a substring of `text` (as `any(m in text for m in markers)`)."""
        return self._pattern is not None and self._pattern.search(text) is not None

    def blanked(self, text: str) -> str:
        """`text` with every marker found replaced by as many spaces (positions kept)."""
        if self._pattern is None:
            return text
        return self._pattern.sub(lambda found: " " * len(found.group()), text)

    def first_in(self, text: str, start: int, end: int) -> int:
        """Where the first marker lying wholly within text[start:end] begins, or -1."""
        found = self._pattern.search(text, start, end) if self._pattern is not None else None
        return found.start() if found is not None else -1


NOTHING = MarkerSearch(())
"""For a language without markers."""
