"""How residents say dates, times, codes, phone numbers and years — as text for a grammar.

The catalogue writes `{date}` or `{time}` where a resident names one; a recogniser
restricted to the catalogue must still be able to hear "the fifth of December" or
"下午两点半" there. These lists give every *word pair* such phrases contain (what an
n-gram grammar needs) without listing every one of the 366 days: the fifth is paired
with one month, the sixth with the next, and so on.

The wordings follow what `intents.dates`, `intents.times`, `intents.reference_codes`
and `intents.digit_strings` read back, so whatever the recogniser hears here the parser
understands.
"""

from __future__ import annotations

import random

from intents.catalogue import Language
from intents.dates import EN_WEEKDAYS
from intents.numbers import EN_ORDINAL_TENS, EN_ORDINAL_UNITS, EN_TENS, EN_UNITS

EN_MONTH_NAMES = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
                  "october", "november", "december")  # fmt: skip
EN_DIGIT_WORDS = ("oh", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
EN_LETTERS = tuple("abcdefghijklmnopqrstuvwxyz")

ZH_NUMBERS = ("零", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十")
ZH_SPOKEN_DIGITS = ("零", "幺", "二", "三", "四", "五", "六", "七", "八", "九")
"""Digits read one by one: 幺 for 1, the way phone numbers and codes are read."""
ZH_WEEKDAY_NAMES = ("一", "二", "三", "四", "五", "六", "日", "天")

SAMPLE_SEED = 4
"""Codes and phone numbers are random digit strings: seeded, so the grammar's hash is stable."""


def spoken_slot_values(slot: str, lang: Language) -> tuple[str, ...]:
    """Text for `{date}`, `{time}` or `{reference}` in `lang` (service and hotline names
    come from the catalogue)."""
    makers = {
        ("date", "en"): _en_dates, ("time", "en"): _en_times, ("reference", "en"): _en_references,
        ("date", "zh"): _zh_dates, ("time", "zh"): _zh_times, ("reference", "zh"): _zh_references,
    }  # fmt: skip
    maker = makers.get((slot, lang))
    return tuple(maker()) if maker else ()


def spoken_answers(lang: Language) -> tuple[str, ...]:
    """Answers to the kiosk's own questions that no catalogue sentence contains:
    phone numbers read digit by digit and years of birth."""
    return tuple(_en_answers() if lang == "en" else _zh_answers())


def en_cardinal(n: int) -> str:
    """0–99 in words: 42 → "forty two"."""
    if n < 20:
        return next(w for w, v in EN_UNITS.items() if v == n)
    tens = next(w for w, v in EN_TENS.items() if v == n - n % 10)
    return tens if n % 10 == 0 else f"{tens} {en_cardinal(n % 10)}"


def en_ordinal(n: int) -> str:
    """1–31 as an ordinal: 21 → "twenty first"."""
    units = {v: w for w, v in EN_ORDINAL_UNITS.items()}
    if n in units:
        return units[n]
    if n % 10 == 0:
        return next(w for w, v in EN_ORDINAL_TENS.items() if v == n)
    return f"{en_cardinal(n - n % 10)} {units[n % 10]}"


def zh_cardinal(n: int) -> str:
    """0–99 in Chinese: 21 → 二十一, 10 → 十."""
    if n <= 10:
        return ZH_NUMBERS[n]
    tens, units = divmod(n, 10)
    head = "十" if tens == 1 else ZH_NUMBERS[tens] + "十"
    return head + (ZH_NUMBERS[units] if units else "")


def _en_dates() -> list[str]:
    dates = ["today", "tomorrow", "the day after tomorrow", "tonight"]
    for weekday in EN_WEEKDAYS:
        dates += [weekday, f"next {weekday}", f"this {weekday}", f"this coming {weekday}"]
    for day in range(1, 32):
        month = EN_MONTH_NAMES[day % 12]
        dates += [f"the {en_ordinal(day)} of {month}", f"{EN_MONTH_NAMES[(day + 5) % 12]} the {en_ordinal(day)}"]
    dates += [f"in {en_cardinal(n)} days" for n in (2, 3, 5, 10)]
    return dates


def _en_times() -> list[str]:
    times = ["noon", "midday", "twelve noon"]
    for hour in range(1, 13):
        h = en_cardinal(hour)
        times += [h, f"{h} o'clock", f"{h} thirty", f"half past {h}", f"quarter past {h}", f"quarter to {h}",
                  f"{h} fifteen", f"{h} forty five", f"{h} a.m.", f"{h} p.m.", f"{h} in the morning",
                  f"{h} in the afternoon", f"{h} o'clock in the morning", f"{h} o'clock in the afternoon"]
    times += [f"ten {en_cardinal(m)}" for m in (10, 20, 40, 50)]
    times += [f"nine oh {en_cardinal(m)}" for m in (5, 9)]
    return times


def _en_references() -> list[str]:
    rng = random.Random(SAMPLE_SEED)
    codes = []
    for letter in EN_LETTERS:
        digits = [rng.choice(EN_DIGIT_WORDS) for _ in range(rng.choice((4, 4, 5, 6)))]
        codes.append(" ".join([letter, *digits]))
    return codes


def _en_answers() -> list[str]:
    rng = random.Random(SAMPLE_SEED + 1)
    answers = []
    for _ in range(20):
        digits = ["one", *(rng.choice(EN_DIGIT_WORDS) for _ in range(10))]
        answers.append(" ".join(digits))
    answers += [f"nineteen {en_cardinal(year)}" for year in range(20, 70)]
    answers += [f"my phone number is {a}" for a in answers[:3]]
    answers += [f"i was born in nineteen {en_cardinal(year)}" for year in range(30, 60, 3)]
    answers += ["double oh", "double one", "triple eight", "zero"]
    return answers


def _zh_dates() -> list[str]:
    dates = ["今天", "明天", "后天", "大后天", "今晚", "明早", "明天上午", "明天下午"]
    for name in ZH_WEEKDAY_NAMES:
        for prefix in ("周", "星期", "礼拜", "下周", "下星期", "下个星期", "这周", "这个星期", "下礼拜"):
            dates.append(prefix + name)
    for day in range(1, 32):
        month = zh_cardinal(day % 12 + 1)
        dates += [f"{month}月{zh_cardinal(day)}号", f"{month}月{zh_cardinal(day)}日", f"{zh_cardinal(day)}号"]
    dates += [f"{zh_cardinal(n)}天以后" for n in (2, 3, 5, 10)]
    return dates


def _zh_times() -> list[str]:
    times = []
    for hour in range(1, 13):
        h = "两" if hour == 2 else zh_cardinal(hour)
        times += [f"{h}点", f"{h}点半", f"{h}点钟", f"{h}点一刻", f"{h}点三刻", f"{h}点十五", f"{h}点三十",
                  f"{h}点四十五分", f"上午{h}点", f"下午{h}点", f"早上{h}点", f"下午{h}点半"]
    return times


def _zh_references() -> list[str]:
    rng = random.Random(SAMPLE_SEED)
    codes = []
    for letter in EN_LETTERS:
        digits = [rng.choice(ZH_SPOKEN_DIGITS) for _ in range(rng.choice((4, 4, 5, 6)))]
        codes.append(letter + " " + "".join(digits))
    return codes


def _zh_answers() -> list[str]:
    rng = random.Random(SAMPLE_SEED + 1)
    answers = []
    for _ in range(20):
        answers.append("幺" + "".join(rng.choice(ZH_SPOKEN_DIGITS) for _ in range(10)))
    answers += ["一九" + "".join(ZH_NUMBERS[int(d)] for d in f"{year:02d}") + "年" for year in range(20, 70)]
    answers += ["".join(ZH_NUMBERS[int(d)] for d in f"{year:02d}") + "年" for year in range(30, 60, 3)]
    answers += [f"我的手机号是{a}" for a in answers[:3]]
    return answers
