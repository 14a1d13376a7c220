"""Phone numbers and birth years read out of whole answers, as residents say them."""

from __future__ import annotations

from datetime import date

import pytest

from intents.digit_strings import find_birth_year, find_digit_groups, find_identity, find_phone_number

TODAY = date(2026, 11, 26)


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("幺三八零零幺三八零零零", "zh", "13800138000"),
        ("我的手机号是13800138000", "zh", "13800138000"),
        ("幺三八，零零幺三，八零零零", "zh", "13800138000"),  # pauses between groups
        ("138 0013 8000", "zh", "13800138000"),
        ("１３８００１３８０００", "zh", "13800138000"),  # full-width digits from an input method
        ("零二零，八七六五，四三二一", "zh", "02087654321"),  # a landline
        ("020-8765 4321", "zh", "02087654321"),
        ("幺三八零零幺三八零零零，一九四八年", "zh", "13800138000"),  # the year stays apart
        ("幺三八零零幺三八零零零一九四八年", "zh", "13800138000"),  # even without a pause
        ("one three eight double oh one three eight triple oh", "en", "13800138000"),
        ("my number is 137 0013 7000", "en", "13700137000"),
        ("oh, it's one three seven oh oh one three seven oh oh oh", "en", "13700137000"),
        ("one three seven oh oh one three seven oh oh oh, one nine five oh", "en", "13700137000"),
        ("thirteen seven hundred, thirteen seven thousand", "en", "13700137000"),  # pairs, round figures
        ("one three nine, double oh, one three nine, triple oh", "en", "13900139000"),
        ("three in the afternoon, a hundred times", "en", None),  # "hundred" must follow a digit
        # no phone number
        ("请帮我查一下", "zh", None),  # 一 in 一下 is one digit, not a number
        ("一二三", "zh", None),  # too short to dial
        ("I don't remember", "en", None),
        ("oh dear", "en", None),
    ],
)
def test_phone_number(text: str, lang: str, expected: str | None) -> None:
    assert find_phone_number(text, lang) == expected


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("一九四八", "zh", 1948),
        ("一九四八年", "zh", 1948),
        ("我是一九四八年出生的", "zh", 1948),
        ("我是四八年的", "zh", 1948),  # how older residents usually say it
        ("四八", "zh", 1948),  # the whole answer
        ("1948", "zh", 1948),
        ("一千九百四十八年", "zh", 1948),
        ("零五年", "zh", 2005),  # 1905 would make them 121
        ("幺三八零零幺三八零零零一九四八年", "zh", 1948),
        ("nineteen forty eight", "en", 1948),
        ("I was born in nineteen forty-eight", "en", 1948),
        ("nineteen fifty", "en", 1950),
        ("nineteen oh eight", "en", 1908),
        ("nineteen hundred and fifty", "en", 1950),
        ("nineteen hundred fifty two", "en", 1952),
        ("one nine five oh", "en", 1950),
        ("1950", "en", 1950),
        ("forty-eight", "en", 1948),
        ("48", "en", 1948),
        # no year
        ("我七十五了", "zh", None),  # an age, not a year
        ("2030", "en", None),  # not born yet
        ("two", "en", None),
        ("不记得了", "zh", None),
    ],
)
def test_birth_year(text: str, lang: str, expected: int | None) -> None:
    assert find_birth_year(text, lang, TODAY) == expected


def test_groups_keep_their_place_in_the_text() -> None:
    text = "电话138 0013 8000"
    groups = find_digit_groups(text, "zh")
    assert [g.digits for g in groups] == ["138", "0013", "8000"]
    assert text[groups[0].start:groups[-1].end] == "138 0013 8000"


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("1 3 9 2 8 1 9 4 9 4 2, born in 1949", "en", ("13928194942", 1949)),  # the year is in the number too
        ("幺三九二八幺九四九四二，一九四九年的", "zh", ("13928194942", 1949)),
        ("139 1948 1234", "en", ("13919481234", None)),  # the 1948 is part of the number
        ("幺三八零零幺三八零零零一九四八", "zh", ("13800138000", 1948)),  # no pause before the year
        ("13800138000, 1948", "en", ("13800138000", 1948)),
        ("born in 1948", "en", (None, 1948)),
    ],
)
def test_identity_is_read_from_one_answer(text: str, lang: str, expected: tuple[str | None, int | None]) -> None:
    assert find_identity(text, lang, TODAY) == expected
