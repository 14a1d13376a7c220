"""Finding application reference codes ("A1023") however a resident reads them out.

Codes are a letter then a few digits, printed on the receipt residents hold. They read
them digit by digit, in Chinese ("B二二零七", "A幺零二三"), English ("bee two two oh
seven") or mixed, so the digits are read with the digit-by-digit readers, never as a
quantity: "a 十二零七" is not a code. A letter is required: a bare "1023" is as likely a
phone number, and "a health check" has no digits after its "a".
"""

from __future__ import annotations

import re

from .numbers import EN_SPOKEN_DIGIT_PATTERN, en_digits, word_alternation, zh_digits
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
_ZH_CODE = re.compile(
    rf"(?<![a-z])(?P<letter>[a-z])[ -]?(?P<digits>{_ZH_DIGIT}(?:[ -]?{_ZH_DIGIT})*)(?![a-z0-9])"
)
_EN_CODE = re.compile(
    rf"\b(?P<letter>{word_alternation(EN_LETTER_NAMES)}|[a-z])(?: (?:as in|for) (?P=letter)[a-z]+)?[ -]?"
    rf"(?P<digits>{EN_SPOKEN_DIGIT_PATTERN}(?:[ -]?{EN_SPOKEN_DIGIT_PATTERN})*)(?![a-z0-9])"
)


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
    return found
