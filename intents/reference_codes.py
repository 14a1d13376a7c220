"""Finding application reference codes ("A1023") however a resident reads them out.

Codes are a letter then a few digits, printed on the receipt residents hold. They read
them digit by digit, in Chinese ("B二二零七", "A幺零二三"), English ("bee two two oh
seven") or mixed, so the digits are read with the digit-by-digit readers, never as a
quantity: "a 十二零七" is not a code. A letter is required: a bare "1023" is as likely a
phone number, and "a health check" has no digits after its "a".
"""

from __future__ import annotations

import re

from .numbers import (
    EN_PHONE_TEENS,
    EN_SPOKEN_DIGIT_PATTERN,
    EN_TENS,
    EN_UNITS,
    en_digits,
    en_number,
    word_alternation,
    zh_digits,
    zh_number,
)
from .pattern_needs import guarded
from .slot_span import SlotSpan

EN_LETTER_NAMES: dict[str, str] = {
    "bee": "b", "see": "c", "sea": "c", "cee": "c", "dee": "d", "eff": "f", "ef": "f",
    "gee": "g", "aitch": "h", "jay": "j", "kay": "k", "ell": "l", "el": "l", "em": "m",
    "en": "n", "pee": "p", "ess": "s", "tee": "t", "vee": "v", "ex": "x", "zed": "z", "zee": "z",
}  # fmt: skip
"""How recognisers spell out a lone letter; homophones of everyday words ("you", "are",
"why", "oh") are left out because they would turn sentences into codes. A letter may be spelt
with a word that starts with it ("n as in nancy two seven…", "m for mother eight oh…")."""

_ZH_DIGIT = "[0-9零〇一二两三四五六七八九幺]"
_ZH_CODE = guarded(
    rf"(?<![a-z])(?P<letter>[a-z])[ -]?(?P<digits>{_ZH_DIGIT}(?:[ -]?{_ZH_DIGIT})*)(?![a-z0-9])"
)
_ZH_AMOUNT_CODE = guarded(
    r"(?<![a-z])(?P<letter>[a-z])[ -]?(?P<amount>[一二两三四五六七八九]千[零〇一二两三四五六七八九十百]*)"
    r"(?![a-z0-9零〇一二两三四五六七八九十百千万块元])"
)
"""A four-digit code read as a number, like a year: "P两千零一十" is P2010. Only with 千, so the
reading is a whole quantity of four digits."""
_EN_CODE = guarded(
    rf"\b(?P<letter>{word_alternation(EN_LETTER_NAMES)}|[a-z])(?: (?:as in|for) (?P=letter)[a-z]+)?[ -]?"
    rf"(?P<digits>{EN_SPOKEN_DIGIT_PATTERN}(?:[ -]?{EN_SPOKEN_DIGIT_PATTERN})*)(?![a-z0-9])"
)

_EN_PAIR = (
    rf"(?:(?:{word_alternation(EN_TENS)})(?: (?:{word_alternation(w for w, v in EN_UNITS.items() if 1 <= v <= 9)}))?"
    rf"|{word_alternation(EN_PHONE_TEENS)})"
)
_EN_PAIRED_CODE = guarded(
    rf"\b(?P<letter>{word_alternation(EN_LETTER_NAMES)}|[b-hj-z]) "
    rf"(?P<pairs>{_EN_PAIR}(?: {_EN_PAIR}){{1,2}})(?![a-z0-9])"
)
"""A code read in pairs, like a year: "ess seventy three forty one" is S7341. Not after "a" or "i",
which are words far more often than letters ("a fifty fifty chance")."""


def _en_pairs(text: str) -> str | None:
    pairs = re.findall(_EN_PAIR, text)
    values = [en_number(pair) for pair in pairs]
    return "".join(str(v) for v in values) if all(v is not None and v >= 10 for v in values) else None


def find_references(text: str, lang: str, digits: tuple[int, int] = (4, 6)) -> list[SlotSpan]:
    """Every reference code in `text`, in text order; `digits` bounds how many digits follow the letter.

    A run of digits longer than the maximum is not cut short: "a1234567" is not "A123456".
    """
    pattern, read = (_ZH_CODE, zh_digits) if lang == "zh" else (_EN_CODE, en_digits)
    found = []
    for m in pattern.finditer(text):
        number = read(m["digits"])
        if number is not None and digits[0] <= len(number) <= digits[1]:
            letter = EN_LETTER_NAMES.get(m["letter"], m["letter"]).upper()
            found.append(SlotSpan("reference", letter + number, m.start(), m.end()))
    if lang == "zh":
        for m in _ZH_AMOUNT_CODE.finditer(text):
            value = zh_number(m["amount"])
            if value is not None and 1000 <= value <= 9999 and digits[0] <= 4 <= digits[1] and all(
                    m.end() <= f.start or m.start() >= f.end for f in found):
                found.append(SlotSpan("reference", m["letter"].upper() + str(value), m.start(), m.end()))
        found.sort(key=lambda span: span.start)
    else:
        for m in _EN_PAIRED_CODE.finditer(text):
            number = _en_pairs(m["pairs"])
            if number is not None and digits[0] <= len(number) <= digits[1] and all(
                    m.end() <= f.start or m.start() >= f.end for f in found):
                letter = EN_LETTER_NAMES.get(m["letter"], m["letter"]).upper()
                found.append(SlotSpan("reference", letter + number, m.start(), m.end()))
        found.sort(key=lambda span: span.start)
    return found
