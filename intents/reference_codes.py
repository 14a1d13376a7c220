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
    "en": "n", "pee": "p", "ess": "s", "es": "s", "tee": "t", "vee": "v", "ex": "x", "zed": "z", "zee": "z",
    # the phonetic alphabet, as read by people who learnt it at work or in the forces
    "alpha": "a", "alfa": "a", "bravo": "b", "charlie": "c", "delta": "d", "echo": "e", "foxtrot": "f",
    "golf": "g", "hotel": "h", "india": "i", "juliet": "j", "juliett": "j", "kilo": "k", "lima": "l",
    "mike": "m", "november": "n", "oscar": "o", "papa": "p", "quebec": "q", "romeo": "r", "sierra": "s",
    "tango": "t", "uniform": "u", "victor": "v", "whiskey": "w", "whisky": "w", "xray": "x",
    "yankee": "y", "zulu": "z",
}  # fmt: skip
"""How recognisers spell out a lone letter; homophones of everyday words ("you", "are",
"why", "oh") are left out because they would turn sentences into codes. A letter may be spelt
with a word that starts with it ("n as in nancy two seven…", "m for mother eight oh…")."""

ZH_LETTER_NAMES: dict[str, str] = {
    "诶": "a", "欸": "a", "比": "b", "必": "b", "西": "c", "希": "c", "迪": "d", "滴": "d", "伊": "e",
    "艾弗": "f", "爱福": "f", "鸡": "g", "吉": "g", "爱吃": "h", "艾尺": "h", "艾奇": "h", "杰": "j",
    "艾勒": "l", "艾姆": "m", "爱母": "m", "恩": "n", "欧": "o", "批": "p", "皮": "p", "丘": "q",
    "阿尔": "r", "艾斯": "s", "爱死": "s", "梯": "t", "踢": "t", "优": "u", "维": "v", "达布溜": "w",
    "达不溜": "w", "大不溜": "w", "艾克斯": "x", "歪": "y", "贼德": "z", "泽德": "z",
}  # fmt: skip
"""How Mandarin speakers say a letter, written down by a recogniser as characters that sound
like it ("批一二三四" is P1234, "爱死五五零八" S5508). Only before a run of digits long enough for
a code, where these characters say nothing else."""

_ZH_DIGIT = "[0-9零〇一二两三四五六七八九幺洞拐]"
_ZH_CODE = guarded(
    rf"(?:(?<![a-z])(?P<letter>[a-z])|(?P<sounds>{word_alternation(ZH_LETTER_NAMES)}))"
    rf"[ -]?(?P<digits>{_ZH_DIGIT}(?:[ -]?{_ZH_DIGIT})*)(?![a-z0-9])"
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


_ZH_CODE_LEAD = "号码是查的：:"
"""What may stand right before a letter said in characters: 编号/单号 西零七七二, 是批一二三四."""


def _starts_a_code(text: str, at: int) -> bool:
    """A letter said in characters starts a word: "东西一二三四块钱" holds no code C1234."""
    before = text[at - 1] if at else " "
    return before in _ZH_CODE_LEAD or not ("\u4e00" <= before <= "\u9fff")


def find_references(text: str, lang: str, digits: tuple[int, int] = (4, 6)) -> list[SlotSpan]:
    """Every reference code in `text`, in text order; `digits` bounds how many digits follow the letter.

    A run of digits longer than the maximum is not cut short: "a1234567" is not "A123456".
    """
    pattern, read = (_ZH_CODE, zh_digits) if lang == "zh" else (_EN_CODE, en_digits)
    found = []
    for m in pattern.finditer(text):
        number = read(m["digits"])
        sounds = m.groupdict().get("sounds")
        if sounds and not _starts_a_code(text, m.start()):
            continue
        if number is not None and digits[0] <= len(number) <= digits[1]:
            said = m["letter"] or ZH_LETTER_NAMES[sounds or ""]
            letter = EN_LETTER_NAMES.get(said, said).upper()
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
