"""Every catalogue phrase of one language in a few comparable forms, scored against an
utterance by fuzzy match: the recall-weighted F-score of the longest common subsequence.

Why an index: a phrase that shares no unit with the utterance has a longest common
subsequence of 0, so its F-score is 0 without asking rapidfuzz. Over neighbouring pairs only
a few percent of phrases share anything with a sentence, so comparing only those skips most
of the work and changes no score. Over English letters every phrase shares some, and picking
them would cost more than it saves: then all are compared.

Why one table: the F-score arithmetic runs once over all forms together; numpy's cost per
call, not per number, is what a kiosk-sized catalogue pays.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from rapidfuzz.distance import LCSseq
from rapidfuzz.process import cdist

SPARSE_SHARE = 1.0
"""Pick the phrases to compare when the query's units' postings add up to fewer entries than
this many times the number of phrases: marking one costs about as much as comparing one."""


class PhraseTable:
    """One row per form (characters, sounds, pairs…), one column per phrase."""

    def __init__(self, rows: Sequence[list[str]]) -> None:
        self._size = len(rows[0]) if rows else 0
        # Object arrays: picking the phrases to compare by index is one numpy call, and
        # rapidfuzz reads the strings straight from them.
        self._phrases = [np.asarray(row, dtype=object) for row in rows]
        self._postings = [_postings(row) for row in rows]
        self.lengths = np.asarray([[len(text) for text in row] for row in rows], dtype=np.float64)
        self.lengths = self.lengths.reshape(len(rows), self._size)
        self._floors = np.maximum(self.lengths, 1.0)

    def f_scores(self, queries: Sequence[str], recall_weight: float) -> np.ndarray:
        """F-score of each query (one per row) against every phrase in its row."""
        common = np.zeros((len(self._phrases), self._size))
        for row, (query, phrases, postings) in enumerate(zip(queries, self._phrases, self._postings, strict=True)):
            ids, spans = postings
            shared = [spans[unit] for unit in set(query) if unit in spans]
            if not shared:
                continue  # nothing in common with any phrase: the row stays 0
            if sum(end - start for start, end in shared) < SPARSE_SHARE * self._size:
                mask = np.zeros(self._size, dtype=bool)
                mask[np.concatenate([ids[start:end] for start, end in shared])] = True
                where = np.flatnonzero(mask)
                common[row, where] = _common(query, phrases[where])
            else:
                common[row] = _common(query, phrases)
        # F = (1 + b²)·P·R / (b²·P + R) with P = c/|query| and R = c/|phrase| is
        # (1 + b²)·c / (b²·|phrase| + |query|): one division, and 0 where nothing is shared.
        b2 = recall_weight**2
        sizes = np.asarray([[max(len(query), 1)] for query in queries], dtype=np.float64)
        f: np.ndarray = common * ((1 + b2) / (b2 * self._floors + sizes))
        return f


def _common(query: str, phrases: np.ndarray) -> np.ndarray:
    """Length of the longest common subsequence of `query` and each phrase."""
    common: np.ndarray = cdist([query], phrases, scorer=LCSseq.similarity, dtype=np.int32, workers=1)[0]
    return common


def _postings(row: list[str]) -> tuple[np.ndarray, dict[str, tuple[int, int]]]:
    """For each unit, where the phrases that contain it (ascending) stand in one array.

    In numpy rather than a loop over every character: a 10,000-phrase catalogue has some
    300,000 of them, and this runs at every catalogue load."""
    lengths = np.fromiter(map(len, row), dtype=np.int64, count=len(row))
    units = np.frombuffer("".join(row).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    phrases = np.repeat(np.arange(len(row), dtype=np.int64), lengths)
    pairs = np.unique((units.astype(np.int64) << 32) | phrases)  # by unit, then phrase; once each
    ids = (pairs & 0xFFFFFFFF).astype(np.intp)
    unit_of = pairs >> 32
    starts = np.flatnonzero(np.diff(unit_of, prepend=-1)).tolist()
    spans = zip(starts, [*starts[1:], len(pairs)], strict=True)
    return ids, dict(zip(map(chr, unit_of[starts].tolist()), spans, strict=True))
