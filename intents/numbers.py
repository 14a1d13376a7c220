"""Reading numbers the way residents say them, in Mandarin and English.

Recognisers write numbers as words as often as digits ("十二月三号", "twenty-first"), and
codes are read one digit at a time ("幺零二三", "one oh two three"), so every slot finder
shares these readers and the regex fragments that find the words in the first place.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# --------------------------------------------------------------------------- Mandarin

ZH_DIGITS: dict[str, int] = {
    "零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
    "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
}  # fmt: skip
ZH_UNITS: dict[str, int] = {"十": 10, "百": 100, "千": 1000}

ZH_SPOKEN_DIGITS: dict[str, int] = {**ZH_DIGITS, "幺": 1, "洞": 0, "拐": 7}
"""Digits as read one by one: 幺 replaces 一 there so it cannot be misheard as 七; people who
learnt to read numbers over a radio or a railway telephone also say 洞 for 0 and 拐 for 7
("K洞洞拐二" is K0072). Only in a run of digits: 拐 alone is a turn, 洞 a hole."""

ZH_NUMERAL_CHARS = "零〇一二两三四五六七八九十百千0-9"
"""A regex character-class body matching any character of a written-out number."""


def zh_number(text: str) -> int | None:
    """The value of a Chinese (or Arabic) numeral: "十二" → 12, "一百零五" → 105, "12" → 12.

    Returns None for strings that are not one number, such as a digit-by-digit reading
    ("二二零七"): calling that 2207 would turn a code into a quantity.
    """
    if text.isascii():
        return int(text) if text.isdigit() else None
    if not text:
        return None
    total, digit = 0, None
    for char in text:
        if char in ZH_UNITS:
            total += (1 if digit is None else digit) * ZH_UNITS[char]
            digit = None
        elif char in ZH_DIGITS:
            if digit:  # two non-zero digits in a row: a digit reading, not a number
                return None
            digit = ZH_DIGITS[char]
        else:
            return None
    return total + (digit or 0)


def zh_digits(text: str) -> str | None:
    """Digits read one by one: "幺零二三" → "1023"; Arabic digits and spaces pass through."""
    out = []
    for char in text:
        if char in ZH_SPOKEN_DIGITS:
            out.append(str(ZH_SPOKEN_DIGITS[char]))
        elif char.isascii() and char.isdigit():
            out.append(char)
        elif char not in " -":
            return None
    return "".join(out) or None


# --------------------------------------------------------------------------- English

EN_UNITS: dict[str, int] = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}  # fmt: skip
EN_TENS: dict[str, int] = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}  # fmt: skip
EN_ORDINAL_UNITS: dict[str, int] = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13,
    "fourteenth": 14, "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18,
    "nineteenth": 19,
}  # fmt: skip
EN_ORDINAL_TENS: dict[str, int] = {
    "twentieth": 20, "thirtieth": 30, "fortieth": 40, "fiftieth": 50,
    "sixtieth": 60, "seventieth": 70, "eightieth": 80, "ninetieth": 90,
}  # fmt: skip
EN_SPOKEN_DIGITS: dict[str, int] = {
    **{w: v for w, v in EN_UNITS.items() if v < 10},
    "oh": 0,
    "o": 0,
    "nought": 0,
}
"""Digits as read one by one; "oh"/"o" (and the British "nought") mean zero only here, never in
a quantity."""

EN_REPEATS: dict[str, int] = {"double": 2, "triple": 3}

EN_PHONE_TEENS: dict[str, int] = {w: v for w, v in EN_UNITS.items() if 10 <= v <= 19}
"""Phone numbers are also said in pairs: "thirteen seven…" is 1, 3, 7."""

EN_ROUND: dict[str, int] = {"hundred": 2, "thousand": 3}
"""…and in round figures after a digit: "seven hundred" is 700, "seven thousand" 7000."""


_NUMBER_UNITS = frozenset({
    *ZH_SPOKEN_DIGITS, *ZH_UNITS, *EN_UNITS, *EN_TENS, *EN_ORDINAL_UNITS, *EN_ORDINAL_TENS,
    *EN_SPOKEN_DIGITS, *EN_REPEATS, *EN_ROUND,
})


def is_number_unit(unit: str) -> bool:
    """A word (a character, in Mandarin) that only says a number: "13712345678", "seven",
    "oh", "三", "幺". A phone number or a year is not a word the catalogue is missing."""
    return unit.isdigit() or unit in _NUMBER_UNITS


def word_alternation(words: Iterable[str]) -> str:
    """Longest first, so "seventeen" is tried before "seven"."""
    return "|".join(sorted(words, key=len, reverse=True))


_UNIT_1_9 = word_alternation(w for w, v in EN_UNITS.items() if 1 <= v <= 9)
EN_CARDINAL_PATTERN = (
    rf"(?:(?:{word_alternation(EN_TENS)})(?:[ -](?:{_UNIT_1_9}))?|{word_alternation(EN_UNITS)}|\d{{1,2}})"
)
"""One to ninety-nine in words ("twenty one", "twenty-one") or 1–2 digits; wrap in \\b."""

EN_ORDINAL_PATTERN = (
    rf"(?:(?:{word_alternation(EN_TENS)})[ -](?:{word_alternation(EN_ORDINAL_UNITS)})"
    rf"|{word_alternation([*EN_ORDINAL_UNITS, *EN_ORDINAL_TENS])}|\d{{1,2}}(?:st|nd|rd|th))"
)
"""An ordinal: "third", "twenty-first", "twenty first", "3rd"; wrap in \\b."""

EN_SPOKEN_DIGIT_PATTERN = (
    rf"(?:(?:{word_alternation(EN_REPEATS)}) )?(?:{word_alternation(EN_SPOKEN_DIGITS)}|\d)"
)
"""One digit as read aloud, maybe repeated: "oh", "seven", "double three", "4"."""

_ORDINAL_SUFFIX = re.compile(r"(\d{1,2})(?:st|nd|rd|th)")
_WORD_SPLIT = re.compile(r"[ -]+")


def en_number(text: str) -> int | None:
    """0–99 from words or digits: "twenty one", "twenty-one", "21" → 21; else None."""
    words = _WORD_SPLIT.split(text.strip())
    if len(words) == 1:
        word = words[0]
        if word.isdigit():
            return int(word)
        return EN_UNITS.get(word, EN_TENS.get(word))
    if len(words) == 2 and words[0] in EN_TENS and 1 <= EN_UNITS.get(words[1], 0) <= 9:
        return EN_TENS[words[0]] + EN_UNITS[words[1]]
    return None


def en_ordinal(text: str) -> int | None:
    """1–99 from an ordinal: "third", "3rd", "twenty-first", "twenty first" → int; else None."""
    text = text.strip()
    if match := _ORDINAL_SUFFIX.fullmatch(text):
        return int(match.group(1))
    words = _WORD_SPLIT.split(text)
    if len(words) == 1:
        return EN_ORDINAL_UNITS.get(words[0], EN_ORDINAL_TENS.get(words[0]))
    if len(words) == 2 and words[0] in EN_TENS and words[1] in EN_ORDINAL_UNITS:
        value = EN_ORDINAL_UNITS[words[1]]
        return EN_TENS[words[0]] + value if value <= 9 else None
    return None


def en_phone_digits(text: str) -> str | None:
    """A phone number as residents read it: digits one by one, pairs such as "thirteen", and
    round figures: "thirteen seven hundred" → "13700", "one three nine double oh" → "13900"."""
    out: list[str] = []
    previous = ""
    for word in _WORD_SPLIT.split(text.strip()):
        if word in EN_ROUND:
            if previous not in EN_SPOKEN_DIGITS and previous not in EN_PHONE_TEENS:
                return None  # "hundred" must follow a digit
            out.append("0" * EN_ROUND[word])
        elif word in EN_PHONE_TEENS:
            out.append(str(EN_PHONE_TEENS[word]))
        elif word in EN_REPEATS:
            out.append(word)  # "double oh": en_digits below repeats what follows
        else:
            digits = en_digits(word)
            if digits is None:
                return None
            out.append(digits)
        previous = word
    return en_digits(" ".join(out)) if out else None


def en_digits(text: str) -> str | None:
    """Digits read one by one: "one oh two three" → "1023", "double three" → "33"."""
    out: list[str] = []
    repeat = 1
    for word in _WORD_SPLIT.split(text.strip()):
        if word in EN_REPEATS:
            repeat = EN_REPEATS[word]
            continue
        if word in EN_SPOKEN_DIGITS:
            out.append(str(EN_SPOKEN_DIGITS[word]) * repeat)
        elif word.isdigit():
            out.append(word[0] * repeat + word[1:])
        else:
            return None
        repeat = 1
    return "".join(out) if out and repeat == 1 else None
