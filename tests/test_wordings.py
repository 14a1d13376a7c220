"""The one loader of fixed bilingual wording (screen, console, family page) refuses a file
that says something in one language only, whichever layout it is written in."""

from __future__ import annotations

import pytest

from intents.wordings import Wordings, WordingsError


def test_both_layouts_give_the_same_words() -> None:
    by_language = Wordings.parse("zh: {title: 标题, keypad: {ok: 好}}\nen: {title: Title, keypad: {ok: OK}}", "a")
    by_key = Wordings.parse("title: {zh: 标题, en: Title}\n", "b")
    assert by_language.words("en")["keypad"]["ok"] == "OK"
    assert by_key.words("zh") == {"title": "标题"}
    assert by_key.words("fr") == {"title": "标题"}  # an unknown language falls back to the first


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("zh: {title: 标题, keypad: {ok: 好}}\nen: {title: Title}", "the en wording lacks keypad.ok"),
        ("zh: {title: 标题}", "no section for en"),
        ("title: {zh: 标题}", "must have exactly zh and en"),
        ("title: {zh: 标题, en: Title, fr: Titre}", "must have exactly zh and en"),
        ("- a list", "expected a mapping"),
        ("zh: [", "not valid YAML"),
    ],
)
def test_incomplete_wording_is_refused_with_the_missing_keys(text: str, expected: str) -> None:
    with pytest.raises(WordingsError, match=expected):
        Wordings.parse(text, "words.yaml")
