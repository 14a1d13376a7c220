"""The parser's shortcuts for speed skip only work that could find nothing.

Keywords are tested only when their head occurs in the utterance, and entity names only when
their first word does (intents/matcher.py, intents/entity_finder.py); names are fuzzily matched
only when they share enough units with the text (intents/shared_units.py), and phrases only
when they share a unit with it (intents/phrase_table.py). Here each shortcut is checked against
the full search over the regression sets and hypothesis-made text: same keyword scores, same
entities, same phrase scores. (bench/parse_snapshot.py checks whole readings before and after
a change.)
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz.distance import LCSseq
from rapidfuzz.process import cdist

from intents import load_catalogue
from intents.catalogue import Language
from intents.matcher import RECALL_WEIGHT, _comparable
from intents.parser import Parser
from intents.sentence_sets import load_set, regression_dir

DAY = date(2026, 11, 26)


class _Everything:
    """A head set that claims to hold every head, so no shortcut is ever taken."""

    def isdisjoint(self, other: object) -> bool:
        return False


@pytest.fixture(scope="module")
def parser() -> Parser:
    return Parser(load_catalogue())


def _sentences() -> list[tuple[str, Language]]:
    return [(c.text, c.lang) for c in load_set(regression_dir())]


def _assert_same_keywords(parser: Parser, text: str, lang: Language) -> None:
    utterance = parser._preparer.prepare(text, lang, DAY)
    index = parser._matcher._indexes[lang]
    fast = index.keyword_scores(utterance)
    heads = index._keyword_heads
    try:
        index._keyword_heads = _AllCandidates(len(index.keywords))  # type: ignore[assignment]
        full = index.keyword_scores(utterance)
    finally:
        index._keyword_heads = heads
    assert np.array_equal(fast, full), text


def _assert_same_entities(parser: Parser, text: str, lang: Language) -> None:
    preparer = parser._preparer
    finders = [preparer._entities, *preparer._situations.values()]
    fast = [repr(preparer.prepare(text, lang, DAY, heard=heard)) for heard in (True, False)]
    saved = [(f._sound_heads, f._en_surface_heads, f._fuzzy_bounds) for f in finders]
    try:
        for finder in finders:
            finder._sound_heads = {"zh": _Everything(), "en": _Everything()}  # type: ignore[dict-item]
            finder._en_surface_heads = _Everything()  # type: ignore[assignment]
            finder._fuzzy_bounds = {lang: _AllCandidates(len(keys))  # type: ignore[misc]
                                    for lang, keys in finder._fuzzy_keys.items()}
        full = [repr(preparer.prepare(text, lang, DAY, heard=heard)) for heard in (True, False)]
    finally:
        for finder, (sound, surface, bounds) in zip(finders, saved, strict=True):
            finder._sound_heads, finder._en_surface_heads, finder._fuzzy_bounds = sound, surface, bounds
    assert fast == full, text


class _AllCandidates:
    """A prefilter that lets everything through (every keyword, every name to the fuzzy match):
    what the full search would compare."""

    def __init__(self, count: int) -> None:
        self._count = count

    def candidates(self, *_: object) -> list[int]:
        return list(range(self._count))


def _assert_same_phrase_scores(parser: Parser, text: str, lang: Language) -> None:
    """Every phrase compared, as before the phrase table: the same F-scores to the last bit."""
    utterance = parser._preparer.prepare(text, lang, DAY)
    if not utterance.form.surface:
        return
    table = parser._matcher._indexes[lang].table
    queries = _comparable(utterance)
    fast = table.f_scores(queries, RECALL_WEIGHT)
    for row, query in enumerate(queries):
        phrases = table._phrases[row].tolist()
        common = cdist([query], phrases, scorer=LCSseq.similarity, dtype=np.int32, workers=1)[0]
        b2 = RECALL_WEIGHT**2  # F-score of P = c/|query|, R = c/|phrase|, as (1 + b²)·c / (b²·|phrase| + |query|)
        full = common.astype(np.float64) * ((1 + b2) / (b2 * np.maximum(table.lengths[row], 1.0) + max(len(query), 1)))
        assert np.array_equal(fast[row], full), (text, row)


def test_keyword_shortcut_keeps_every_score(parser: Parser) -> None:
    for text, lang in _sentences():
        _assert_same_keywords(parser, text, lang)


def test_entity_shortcut_keeps_every_slot(parser: Parser) -> None:
    for text, lang in _sentences():
        _assert_same_entities(parser, text, lang)


def test_phrase_shortcut_keeps_every_score(parser: Parser) -> None:
    for text, lang in _sentences():
        _assert_same_phrase_scores(parser, text, lang)


_WORDS = st.sampled_from(
    ["call", "cancels", "the", "front", "desk", "doctors", "senior", "cards", "card", "police", "please",
     "help", "booking", "health", "checks", "check", "up", "ups", "fire", "number", "appointment", "a",
     "point", "meant", "social", "security", "housekeeping", "house", "keeping"]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_WORDS, min_size=1, max_size=12))
def test_shortcuts_on_made_up_english(parser: Parser, words: list[str]) -> None:
    text = " ".join(words)
    _assert_same_keywords(parser, text, "en")
    _assert_same_entities(parser, text, "en")
    _assert_same_phrase_scores(parser, text, "en")


_HANZI = "我想预约体检取消社保卡老年证电话热线火警救命帮不是的时候明天三点号码"


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=_HANZI, min_size=1, max_size=20))
def test_shortcuts_on_made_up_mandarin(parser: Parser, text: str) -> None:
    _assert_same_keywords(parser, text, "zh")
    _assert_same_entities(parser, text, "zh")
    _assert_same_phrase_scores(parser, text, "zh")
