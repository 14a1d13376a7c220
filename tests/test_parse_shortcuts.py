"""The parser's shortcuts for speed skip only work that could find nothing.

Keywords are tested only when their head occurs in the utterance, and entity names only when
their first word does (intents/matcher.py, intents/entity_finder.py). Here each shortcut is
checked against the full search over the regression sets and hypothesis-made text: same
keyword scores, same entities. (bench/parse_snapshot.py checks whole readings before and after
a change.)
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from intents import load_catalogue
from intents.catalogue import Language
from intents.matcher import _SoundIndex
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
        index._keyword_heads = _AllKeywords(len(index.keywords))  # type: ignore[assignment]
        full = index.keyword_scores(utterance)
    finally:
        index._keyword_heads = heads
    assert np.array_equal(fast, full), text


class _AllKeywords:
    def __init__(self, count: int) -> None:
        self._count = count

    def candidates(self, utterance: object, heard: _SoundIndex) -> list[int]:
        return list(range(self._count))


def _assert_same_entities(parser: Parser, text: str, lang: Language) -> None:
    preparer = parser._preparer
    finders = [preparer._entities, *preparer._situations.values()]
    fast = [repr(preparer.prepare(text, lang, DAY, heard=heard)) for heard in (True, False)]
    saved = [(f._sound_heads, f._en_surface_heads) for f in finders]
    try:
        for finder in finders:
            finder._sound_heads = {"zh": _Everything(), "en": _Everything()}  # type: ignore[dict-item]
            finder._en_surface_heads = _Everything()  # type: ignore[assignment]
        full = [repr(preparer.prepare(text, lang, DAY, heard=heard)) for heard in (True, False)]
    finally:
        for finder, (sound, surface) in zip(finders, saved, strict=True):
            finder._sound_heads, finder._en_surface_heads = sound, surface
    assert fast == full, text


def test_keyword_shortcut_keeps_every_score(parser: Parser) -> None:
    for text, lang in _sentences():
        _assert_same_keywords(parser, text, lang)


def test_entity_shortcut_keeps_every_slot(parser: Parser) -> None:
    for text, lang in _sentences():
        _assert_same_entities(parser, text, lang)


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


_HANZI = "我想预约体检取消社保卡老年证电话热线火警救命帮不是的时候明天三点号码"


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=_HANZI, min_size=1, max_size=20))
def test_shortcuts_on_made_up_mandarin(parser: Parser, text: str) -> None:
    _assert_same_keywords(parser, text, "zh")
    _assert_same_entities(parser, text, "zh")
