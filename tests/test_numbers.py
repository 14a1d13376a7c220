"""Number readers shared by the slot finders: quantities, digit-by-digit codes, ordinals."""

from __future__ import annotations

import pytest

from intents.numbers import en_digits, en_number, en_ordinal, en_phone_digits, zh_digits, zh_number


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("零", 0),
        ("三", 3),
        ("两", 2),
        ("十", 10),
        ("十二", 12),
        ("二十", 20),
        ("二十一", 21),
        ("四十五", 45),
        ("一百零五", 105),
        ("两千", 2000),
        ("三千零二十", 3020),
        ("12", 12),
        ("零五", 5),
        # not one number
        ("二二零七", None),  # a code read digit by digit
        ("一四", None),
        ("幺", None),  # 幺 only means 1 when reading digits
        ("十a", None),
        ("", None),
    ],
)
def test_zh_number(text: str, expected: int | None) -> None:
    assert zh_number(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("二二零七", "2207"),
        ("幺零二三", "1023"),
        ("一零二三", "1023"),
        ("〇〇七", "007"),
        ("1 0 2 3", "1023"),
        ("二 二 零 七", "2207"),
        ("十二零七", None),  # 十 is not a digit
        ("", None),
    ],
)
def test_zh_digits(text: str, expected: str | None) -> None:
    assert zh_digits(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("one", 1),
        ("zero", 0),
        ("twelve", 12),
        ("nineteen", 19),
        ("twenty", 20),
        ("twenty one", 21),
        ("twenty-one", 21),
        ("ninety-nine", 99),
        ("21", 21),
        ("oh", None),  # zero only when reading digits
        ("twenty twelve", None),
        ("one two", None),
        ("hundred", None),
        ("", None),
    ],
)
def test_en_number(text: str, expected: int | None) -> None:
    assert en_number(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("first", 1),
        ("second", 2),
        ("third", 3),
        ("twelfth", 12),
        ("twentieth", 20),
        ("twenty-first", 21),
        ("twenty first", 21),
        ("thirty first", 31),
        ("3rd", 3),
        ("1st", 1),
        ("22nd", 22),
        ("31st", 31),
        ("three", None),
        ("twenty tenth", None),
        ("3", None),
    ],
)
def test_en_ordinal(text: str, expected: int | None) -> None:
    assert en_ordinal(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("one oh two three", "1023"),
        ("one o two three", "1023"),
        ("one zero two three", "1023"),
        ("two two zero seven", "2207"),
        ("double three", "33"),
        ("one double three four", "1334"),
        ("triple seven", "777"),
        ("1 0 2 3", "1023"),
        ("10 23", "1023"),
        ("twenty three", None),  # a quantity, not a digit reading
        ("one two double", None),
        ("", None),
    ],
)
def test_en_digits(text: str, expected: str | None) -> None:
    assert en_digits(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("thirteen seven hundred", "13700"),
        ("thirteen seven thousand", "137000"),
        ("one three nine double oh", "13900"),
        ("hundred", None),
        ("double hundred", None),
        ("twenty three", None),
    ],
)
def test_en_phone_digits(text: str, expected: str | None) -> None:
    assert en_phone_digits(text) == expected
