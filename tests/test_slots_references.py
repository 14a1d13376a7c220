"""Reference codes (a letter and 4–6 digits) however residents read them out."""

from __future__ import annotations

from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from intents.reference_codes import find_references

# (text as normalised, expected code, the words the span must cover)
ZH_REFERENCES = [
    ("a1023", "A1023", "a1023"),
    ("a 1 0 2 3", "A1023", "a 1 0 2 3"),
    ("a-1023", "A1023", "a-1023"),
    ("b二二零七", "B2207", "b二二零七"),
    ("b 二 二 零 七", "B2207", "b 二 二 零 七"),
    ("a幺零二三", "A1023", "a幺零二三"),
    ("a一零二三", "A1023", "a一零二三"),
    ("a102345", "A102345", "a102345"),
    # inside sentences
    ("帮我查一下a1023办好了没有", "A1023", "a1023"),
    ("我那个单子号是a幺零二三", "A1023", "a幺零二三"),
    ("嗯我的回执上写的是c三三零五帮我看看到哪了", "C3305", "c三三零五"),
    ("查询d四五六七办到哪了", "D4567", "d四五六七"),
    # a letter said as Mandarin sounds, written as characters by the recogniser
    ("皮三二一零办好了没", "P3210", "皮三二一零"),
    ("我的编号是艾斯九八七六", "S9876", "艾斯九八七六"),
    ("单号迪零零四五", "D0045", "迪零零四五"),
    # digits as read over a radio: 洞 for 0, 拐 for 7
    ("k洞洞拐二查一下进度", "K0072", "k洞洞拐二"),
]

ZH_NOT_REFERENCES = ["我买了点东西一二三四块钱", "这就好比一二三四五"]


@pytest.mark.parametrize("text", ZH_NOT_REFERENCES)
def test_characters_that_sound_like_a_letter_inside_a_word_are_no_code(text: str) -> None:
    assert [s.value for s in find_references(text, "zh")] == []

EN_REFERENCES = [
    ("a1023", "A1023", "a1023"),
    ("a 1023", "A1023", "a 1023"),
    ("a 1 0 2 3", "A1023", "a 1 0 2 3"),
    ("a one oh two three", "A1023", "a one oh two three"),
    ("a one o two three", "A1023", "a one o two three"),
    ("a one zero two three", "A1023", "a one zero two three"),
    ("bee two two zero seven", "B2207", "bee two two zero seven"),
    ("see three three oh five", "C3305", "see three three oh five"),
    ("dee four five six seven", "D4567", "dee four five six seven"),
    ("a double three four five", "A3345", "a double three four five"),
    # the phonetic alphabet, "es" for S and the British "nought"
    ("kilo six six nought one", "K6601", "kilo six six nought one"),
    ("es four four three two", "S4432", "es four four three two"),
    ("victor thirty one seventy", "V3170", "victor thirty one seventy"),
    # inside sentences
    ("can you check if a1023 is done", "A1023", "a1023"),
    ("my reference is a one oh two three", "A1023", "a one oh two three"),
    ("check progress b two two oh seven", "B2207", "b two two oh seven"),
    ("um the slip says c three three oh five where is that up to", "C3305", "c three three oh five"),
    ("d four five six seven status please", "D4567", "d four five six seven"),
]

NO_REFERENCE = [
    ("zh", "a十二零七"),  # only digit-by-digit readings
    ("zh", "电话是1023"),  # no letter: a phone fragment
    ("zh", "a123"),  # too short
    ("zh", "a1234567"),  # too long, and not cut short
    ("zh", "ab1234"),  # the letter is part of a word
    ("zh", "我想预约体检"),
    ("en", "i want a health check"),
    ("en", "call 1023"),
    ("en", "a 2 oclock appointment"),
    ("en", "a one two three four five six seven"),
    ("en", "room ab1234"),
    ("en", "a twenty three"),  # a quantity, not a digit reading
]


@pytest.mark.parametrize(("text", "value", "words"), ZH_REFERENCES)
def test_zh_references(text: str, value: str, words: str) -> None:
    [span] = find_references(text, "zh")
    assert (span.name, span.value, text[span.start : span.end]) == ("reference", value, words)


@pytest.mark.parametrize(("text", "value", "words"), EN_REFERENCES)
def test_en_references(text: str, value: str, words: str) -> None:
    [span] = find_references(text, "en")
    assert (span.name, span.value, text[span.start : span.end]) == ("reference", value, words)


@pytest.mark.parametrize(("lang", "text"), NO_REFERENCE)
def test_no_reference(lang: str, text: str) -> None:
    assert find_references(text, lang) == []


@pytest.mark.parametrize(
    ("text", "digits", "found"),
    [
        ("a123", (3, 3), ["A123"]),
        ("a1023", (3, 3), []),
        ("a10234567", (4, 8), ["A10234567"]),
    ],
)
def test_digit_count_follows_settings(text: str, digits: tuple[int, int], found: list[str]) -> None:
    assert [s.value for s in find_references(text, "zh", digits)] == found


@pytest.mark.parametrize(
    ("lang", "text", "values"),
    [
        ("zh", "a1023和b二二零七", ["A1023", "B2207"]),
        ("en", "a1023 and bee two two oh seven", ["A1023", "B2207"]),
    ],
)
def test_several_references_in_text_order(lang: str, text: str, values: list[str]) -> None:
    assert [s.value for s in find_references(text, lang)] == values


@given(st.text(alphabet="ab 0123零二幺十和", max_size=30), st.sampled_from(["zh", "en"]))
def test_spans_are_ordered_and_disjoint(text: str, lang: str) -> None:
    spans = find_references(text, lang)
    assert all(a.end <= b.start for a, b in pairwise(spans))
    assert all(text[s.start].isalpha() and s.value[0].isupper() for s in spans)
