"""One comparable form of every catalogue phrase, scored against an utterance by fuzzy match.

Why an index: a phrase that shares no unit with the utterance has a longest common
subsequence of 0, so its F-score is 0 without asking rapidfuzz. Over neighbouring pairs
only a few percent of phrases share anything with a sentence, over single units under half,
so comparing only those skips most of the work and changes no score.
"""

from __future__ import annotations

import numpy as np
from rapidfuzz.distance import LCSseq
from rapidfuzz.process import cdist


class PhraseColumn:
    """The phrases' strings of one kind (characters, pairs, sounds…), in phrase order."""

    def __init__(self, phrases: list[str]) -> None:
        self._phrases = phrases
        self.lengths = np.asarray([len(t) for t in phrases], dtype=np.float64)
        postings: dict[str, list[int]] = {}
        for position, text in enumerate(phrases):
            for unit in set(text):
                ids = postings.get(unit)
                if ids is None:
                    postings[unit] = [position]
                else:
                    ids.append(position)
        self._postings = {unit: np.asarray(ids, dtype=np.intp) for unit, ids in postings.items()}

    def f_scores(self, query: str, recall_weight: float) -> np.ndarray:
        """Recall-weighted F-score of the longest common subsequence, query vs every phrase."""
        f: np.ndarray = np.zeros(len(self._phrases))
        postings = self._postings
        shared = [postings[unit] for unit in set(query) if unit in postings]
        if not shared:
            return f
        mask = np.zeros(len(self._phrases), dtype=bool)
        for ids in shared:
            mask[ids] = True
        where = np.flatnonzero(mask)
        phrases = self._phrases
        choices = [phrases[i] for i in where.tolist()]
        common = cdist([query], choices, scorer=LCSseq.similarity, dtype=np.int32, workers=1)[0]
        common = common.astype(np.float64)
        precision = common / max(len(query), 1)
        recall = common / np.maximum(self.lengths[where], 1.0)
        b2 = recall_weight**2
        denominator = b2 * precision + recall
        # 0 where nothing is shared; dividing only where the denominator is positive skips the
        # error-state switching of np.where over a full division (same values).
        scores = np.zeros_like(denominator)
        np.divide((1 + b2) * precision * recall, denominator, out=scores, where=denominator > 0)
        f[where] = scores
        return f
