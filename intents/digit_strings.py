"""Reading a phone number or a birth year out of a whole answer, the way residents say them.

The kiosk asks "您的手机号码是多少？" and hears "幺三八，零零幺三，八零零零", "138 0013
8000" or "one three eight double oh one three…"; it asks for the year of birth and hears
"一九四八年", "四八年的", "nineteen forty-eight" or just "1948". The slot finders leave
these alone on purpose (a bare number is not a slot anywhere else), so the dialogue reads
them here, only when it has asked.

Digits are read one by one with the shared readers (`zh_digits`, `en_phone_digits`): a phone
number is never a quantity, though English speakers also say it in pairs and round figures
("thirteen seven hundred, thirteen seven thousand"), and a year as "nineteen hundred and
fifty". Residents pause between groups, so groups separated only by spaces, dashes or commas
are joined — up to the length of a Chinese phone number, so a
year said straight after the number stays a year.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from .numbers import (
    EN_PHONE_TEENS,
    EN_REPEATS,
    EN_ROUND,
    EN_SPOKEN_DIGITS,
    en_number,
    en_phone_digits,
    zh_digits,
    zh_number,
)

MOBILE_DIGITS = 11
"""Chinese mobile numbers: 11 digits starting with 1."""

LONGEST_PHONE = 12
"""Area code + local number (e.g. 0755 + 8 digits)."""

SHORTEST_PHONE = 5
"""Below this a digit string is a code or a count, not a number to dial."""

OLDEST_AGE = 110
"""A two-digit year is 19xx unless that would make the resident older than this."""

_ZH_DIGIT_CHARS = "0-9零〇一二两三四五六七八九幺洞拐"
_ZH_GROUP = re.compile(rf"[{_ZH_DIGIT_CHARS}]+")
_GROUP_GAP = re.compile(r"^[\s\-–—,，、.。:：]*$")
_ZH_YEAR = re.compile(rf"(?P<number>[{_ZH_DIGIT_CHARS}十百千]{{2,7}})\s*年")
_EN_WORD = re.compile(r"[a-z]+|\d+")
_EN_DIGIT_WORDS = {*EN_SPOKEN_DIGITS, *EN_REPEATS, *EN_PHONE_TEENS}


@dataclass(frozen=True)
class DigitGroup:
    """Digits said together, with where they were in the text."""

    digits: str
    start: int
    end: int


def find_digit_groups(text: str, lang: str) -> list[DigitGroup]:
    """Every run of digits read one by one (or written), in text order; pauses not yet joined."""
    text = _tidy(text)
    groups = _zh_groups(text) if lang == "zh" else _en_groups(text)
    return [piece for group in groups for piece in _split_long(group)]


def find_phone_number(text: str, lang: str) -> str | None:
    """The phone number in an answer: the longest run of digits once pauses are joined."""
    phone = _phone_group(_tidy(text), lang)
    return phone.digits if phone is not None else None


def find_identity(text: str, lang: str, today: date) -> tuple[str | None, int | None]:
    """The phone number and the birth year of one answer. A year inside the number is part of
    it ("139 1948 1234"), unless it is also said apart: "13928194942, born in 1949"."""
    tidy = _tidy(text)
    phone = _phone_group(tidy, lang)
    if phone is None:
        return None, find_birth_year(tidy, lang, today)
    apart = find_birth_year(tidy[:phone.start] + " " * (phone.end - phone.start) + tidy[phone.end:], lang, today)
    if apart is not None:
        return phone.digits, apart
    year = find_birth_year(tidy, lang, today)  # said without a pause after the number ("…八零零零一九四八")
    return phone.digits, None if year is not None and str(year) in phone.digits else year


def _phone_group(tidy: str, lang: str) -> DigitGroup | None:
    best: DigitGroup | None = None
    for group in _joined(find_digit_groups(tidy, lang), tidy):
        if len(group.digits) >= SHORTEST_PHONE and (best is None or len(group.digits) > len(best.digits)):
            best = group
    return best


def find_birth_year(text: str, lang: str, today: date) -> int | None:
    """A year of birth: 1948 from "一九四八年", "四八年的", "nineteen forty-eight", "1948", "48"."""
    text = _tidy(text)
    year = _zh_year(text, today) if lang == "zh" else _en_year(text, today)
    if year is not None:
        return year
    groups = find_digit_groups(text, lang)
    for group in groups:
        if len(group.digits) == 4 and _plausible(int(group.digits), today):
            return int(group.digits)
    if len(groups) == 1 and len(groups[0].digits) == 2 and _only_digits(text, groups[0]):
        return _two_digit_year(int(groups[0].digits), today)
    if lang != "zh" and (value := en_number(text.strip(" ,.!?"))) is not None and 10 <= value <= 99:
        return _two_digit_year(value, today)  # "forty-eight" on its own
    return None


# ------------------------------------------------------------------------------ helpers


def _tidy(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


def _zh_groups(text: str) -> list[DigitGroup]:
    groups = []
    for match in _ZH_GROUP.finditer(text):
        digits = zh_digits(match.group())
        if digits:
            groups.append(DigitGroup(digits, match.start(), match.end()))
    return groups


def _en_groups(text: str) -> list[DigitGroup]:
    """Runs of digit words ("oh", "double", "seven") and written digits."""
    groups: list[DigitGroup] = []
    run: list[re.Match[str]] = []

    def close() -> None:
        while run and run[-1].group() in EN_REPEATS:
            run.pop()
        if run:
            digits = en_phone_digits(" ".join(m.group() for m in run))
            if digits:
                groups.append(DigitGroup(digits, run[0].start(), run[-1].end()))
        run.clear()

    for match in _EN_WORD.finditer(text):
        word = match.group()
        adjacent = not run or _GROUP_GAP.match(text[run[-1].end():match.start()]) is not None
        if (word in _EN_DIGIT_WORDS or word.isdigit()) and adjacent and not (word.isdigit() and run):
            run.append(match)
        elif word in EN_ROUND and run and text[run[-1].end():match.start()] == " " and run[-1].group() not in (
                *EN_REPEATS, "o", "oh") and not run[-1].group().isdigit():
            run.append(match)  # "seven hundred", "thirteen seven thousand"
        else:
            close()
            if word in _EN_DIGIT_WORDS or word.isdigit():
                run.append(match)
    close()
    return _drop_lone_oh(groups, text)


def _drop_lone_oh(groups: list[DigitGroup], text: str) -> list[DigitGroup]:
    """"oh, I see" is a sigh, not a zero: a lone o/oh is only a digit next to other digits."""
    return [g for g in groups if not (g.digits == "0" and text[g.start:g.end] in ("o", "oh"))]


def _phone_limit(digits: str) -> int:
    return MOBILE_DIGITS if digits.startswith("1") else LONGEST_PHONE


def _split_long(group: DigitGroup) -> list[DigitGroup]:
    """A number said without a pause before the year ("幺三八…八零零零一九四八") is cut
    where a phone number must end; the rest is its own group."""
    pieces = []
    digits = group.digits
    start = group.start
    while len(digits) > _phone_limit(digits) and len(digits) - _phone_limit(digits) >= 2:
        limit = _phone_limit(digits)
        pieces.append(DigitGroup(digits[:limit], start, group.end))
        digits, start = digits[limit:], group.end
    pieces.append(DigitGroup(digits, start, group.end))
    return pieces


def _joined(groups: list[DigitGroup], text: str) -> list[DigitGroup]:
    """Groups separated by a pause only, joined while they still fit one phone number."""
    out: list[DigitGroup] = []
    current: DigitGroup | None = None
    for group in groups:
        if current is not None and _GROUP_GAP.match(text[current.end:group.start]):
            merged = current.digits + group.digits
            if len(merged) <= _phone_limit(merged):
                current = DigitGroup(merged, current.start, group.end)
                continue
        if current is not None:
            out.append(current)
        current = group
    if current is not None:
        out.append(current)
    return out


def _zh_year(text: str, today: date) -> int | None:
    for match in _ZH_YEAR.finditer(text):
        number = match["number"]
        value = zh_number(number) if any(c in number for c in "十百千") else None
        if value is None:
            digits = zh_digits(number)
            if digits is None:
                continue
            digits = digits[-4:] if len(digits) > 4 else digits  # "…八零零零一九四八年": the year is at the end
            value = int(digits) if len(digits) in (2, 4) else None
            if value is not None and len(digits) == 2:
                value = _two_digit_year(value, today)
        if value is not None and _plausible(value, today):
            return value
    return None


def _en_year(text: str, today: date) -> int | None:
    """"nineteen forty eight", "nineteen oh five", "nineteen fifty"; digits are left to the caller."""
    words = _EN_WORD.findall(text)
    for n, word in enumerate(words):
        if word not in ("nineteen", "twenty"):
            continue
        century = 1900 if word == "nineteen" else 2000
        rest = words[n + 1:n + 3]
        if rest[:1] == ["hundred"]:  # "nineteen hundred and fifty"
            rest = [w for w in words[n + 2:n + 5] if w != "and"][:2]
        if rest[:1] in (["oh"], ["o"]) and len(rest) == 2 and rest[1] in EN_SPOKEN_DIGITS:
            value = century + EN_SPOKEN_DIGITS[rest[1]]
        else:
            tail = next((v for k in (2, 1) if (v := en_number(" ".join(rest[:k]))) is not None), None)
            if tail is None or not 10 <= tail <= 99:
                continue
            value = century + tail
        if _plausible(value, today):
            return value
    return None


def _two_digit_year(value: int, today: date) -> int:
    year = 1900 + value
    return year if today.year - year <= OLDEST_AGE else 2000 + value


def _plausible(year: int, today: date) -> bool:
    return today.year - OLDEST_AGE - 10 <= year <= today.year


def _only_digits(text: str, group: DigitGroup) -> bool:
    """The whole answer is the number (maybe with 年 / punctuation): "四八", "48"."""
    rest = (text[:group.start] + text[group.end:]).strip(" ,，。.!！?？年的")
    return not rest
