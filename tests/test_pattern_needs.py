"""A guarded pattern finds exactly what the bare pattern finds: its needed strings are only
ever a shortcut for "nothing to find here"."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from intents import dates, demo_catalogue_path, load_catalogue, reference_codes, times
from intents.normaliser import braced_to_placeholders, normalise
from intents.pattern_needs import GuardedPattern, guarded, needed_strings
from intents.sentence_sets import load_set, regression_dir

GUARDED = [p for module in (dates, times, reference_codes) for p in vars(module).values()
           if isinstance(p, GuardedPattern)]
GUARDED += [p for table in (dates._ZH_PATTERNS, dates._EN_PATTERNS) for p, _ in table]


def _texts() -> list[str]:
    catalogue = load_catalogue(demo_catalogue_path())
    said = [(case.text, case.lang) for case in load_set(regression_dir())]
    written = [(text, lang) for intent in catalogue.intents for lang, texts in intent.examples.items()
               for text in texts]
    return [normalise(braced_to_placeholders(text), lang) for text, lang in said + written]


def _spans(pattern: re.Pattern[str] | GuardedPattern, text: str) -> list[tuple[int, int, tuple[str | None, ...]]]:
    return [(m.start(), m.end(), m.groups()) for m in pattern.finditer(text)]


def test_every_finder_pattern_is_guarded() -> None:
    assert len(GUARDED) >= 25
    assert sum(p.needs is not None for p in GUARDED) >= 25


def test_guarded_finds_what_the_pattern_finds_in_every_sentence() -> None:
    texts = _texts()
    for pattern in GUARDED:
        for text in texts:
            assert _spans(pattern, text) == _spans(pattern.pattern, text), (pattern.pattern.pattern, text)


_PIECES = st.sampled_from(sorted({s for p in GUARDED for s in p.needs or ()} | set(" 0123456789点月号天日周a")))


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES | st.text(max_size=3), max_size=12))
def test_guarded_finds_what_the_pattern_finds_in_made_up_text(pieces: list[str]) -> None:
    text = "".join(pieces)
    for pattern in GUARDED:
        assert _spans(pattern, text) == _spans(pattern.pattern, text)


@pytest.mark.parametrize(("pattern", "needs"), [
    (r"(?:周|星期|礼拜)[一二三]", {"周", "星", "礼"}),
    (r"(a)\1?", {"a"}),
    (r"\bin (one|two) days?\b", {"in "}),
    (r"ab|cd", {"ab", "cd"}),
    (r"x?y", {"y"}),
])
def test_needed_strings(pattern: str, needs: set[str]) -> None:
    assert needed_strings(re.compile(pattern)) == needs


def test_no_test_for_a_lone_letter() -> None:
    assert needed_strings(re.compile(r"\b[a-z]\d")) == set("abcdefghijklmnopqrstuvwxyz")
    assert guarded(r"\b[a-z]\d").needs is None


@pytest.mark.parametrize("pattern", [r"\d+", r"a?b?", r"(?i)abc", r"[^a]c?", r"(a?)\1", r"a|\w", r".x?"])
def test_nothing_needed_when_unsure(pattern: str) -> None:
    assert needed_strings(re.compile(pattern)) is None
    assert guarded(pattern).needs is None
