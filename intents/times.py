"""Finding the time of day a resident means ("下午两点半", "quarter past three") in normalised text.

Two things make this harder than it looks. Numbers are everywhere ("I have 2 questions",
"慢一点", "三点五公斤"), so a number only becomes a time with a cue: 点 plus context in
Mandarin, "at"/"am"/"o'clock"/minutes in English. And residents rarely say morning or
afternoon, so a bare hour is read against the opening hours: "三点" at a centre open
08:30–17:30 can only be 15:00.

Spans cover the time words only, not a leading "at" or "在".
"""

from __future__ import annotations

import re
from datetime import time

from .catalogue import OpeningHours
from .numbers import EN_CARDINAL_PATTERN, EN_UNITS, ZH_NUMERAL_CHARS, en_number, word_alternation, zh_number
from .pattern_needs import guarded
from .slot_span import SlotSpan, first_longest

ZH_PERIODS: dict[str, str] = {
    "凌晨": "am", "清晨": "morning", "早上": "morning", "早晨": "morning", "上午": "morning",
    "中午": "noon", "下午": "pm", "傍晚": "pm", "晚上": "night", "夜里": "night", "半夜": "am",
}  # fmt: skip
ZH_PERIOD_BEFORE: dict[str, str] = {"今晚": "night", "明晚": "night", "今早": "morning", "明早": "morning"}
"""Periods fused with a day word; the date finder owns the word, we only borrow its meaning."""

EN_PERIODS: dict[str, str] = {
    "am": "am", "pm": "pm", "morning": "morning", "afternoon": "pm", "evening": "pm",
    "at night": "night", "tonight": "night",
}  # fmt: skip

_ZH_HOUR = r"二十[一二三四]?|十[一二]?|[零一二两三四五六七八九]|\d{1,2}"
_ZH_TIME = guarded(
    rf"(?P<period>{'|'.join(ZH_PERIODS)})?(?P<hour>{_ZH_HOUR})点"
    rf"(?:(?P<half>半)|(?P<quarter>[一三])刻|(?P<past>过)?(?P<minute>[{ZH_NUMERAL_CHARS}]{{1,3}})(?P<fen>分)?"
    r"|(?P<oclock>钟))?"
)
_ZH_DIGITAL = guarded(rf"(?P<period>{'|'.join(ZH_PERIODS)})?(?P<hour>\d{{1,2}}):(?P<minute>[0-5]\d)(?!\d)")
_ZH_ONE_O_CLOCK_CUE = re.compile(r"(?:[在到约于天号日儿]|[周期拜][一二三四五六日天])$")
"""What may come just before "一点" for it to mean 1 o'clock and not "a little"."""

_EN_HOUR_WORDS = {w: v for w, v in EN_UNITS.items() if 1 <= v <= 12}
_EN_HOUR = rf"(?:{word_alternation(_EN_HOUR_WORDS)}|\d{{1,2}})"
_UNIT = word_alternation(w for w, v in EN_UNITS.items() if 1 <= v <= 9)
_EN_MINUTE_WORDS = (
    rf"(?:(?:oh|o) (?:{_UNIT})|(?:twenty|thirty|forty|fifty)(?: (?:{_UNIT}))?"
    rf"|{word_alternation(w for w, v in EN_UNITS.items() if 10 <= v <= 19)})"
)
_NOT_A_TIME_AFTER = (
    r"(?! (?:people|persons?|times|years?|old|items?|things?|questions?|minutes?|hours?|days?|weeks?"
    r"|months?|of|kids|children|copies|pages|photos|yuan|dollars|pounds|percent)\b)"
)
"""Nouns after a number say it counts something: "at two people", "five to ten minutes"."""
_NOT_A_DIGIT_READING = rf"(?! (?:oh|o|zero|{_UNIT})\b)"
"""A digit word next says the words are a code read aloud ("a one oh two three"), not a time."""
_EN_DIGIT_WORD_BEFORE = re.compile(rf"\b(?:oh|zero|{_UNIT}) $")
_EN_NUMBERED_THING_BEFORE = re.compile(
    r"\b(?:room|flat|apartment|unit|block|building|house|floor|bus|route|number|bed|platform|window|counter) $")
"""A number after these names the thing ("room eleven oh two", "bus nine thirty"), not a time."""

_EN_SPOKEN = re.compile(
    rf"\b(?P<at>at )?(?P<hour>{_EN_HOUR})(?::(?P<digits>[0-5]\d)| (?P<minute>{_EN_MINUTE_WORDS}|[0-5]\d))?"
    rf"(?P<oclock> ?o'? ?clock)?{_NOT_A_TIME_AFTER}{_NOT_A_DIGIT_READING}"
)
_EN_RELATIVE = guarded(
    rf"\b(?:a )?(?P<rel>half|quarter|{EN_CARDINAL_PATTERN})(?: minutes?)? (?P<dir>past|after|to|before) "
    rf"(?P<hour>{_EN_HOUR}){_NOT_A_TIME_AFTER}"
)
_EN_PERIOD_BEFORE = guarded(
    rf"\b(?P<part>morning|afternoon|evening) (?P<hour>{_EN_HOUR})"
    rf"(?::(?P<digits>[0-5]\d)| (?P<minute>{_EN_MINUTE_WORDS}))?"
    rf"(?: ?o'? ?clock)?{_NOT_A_TIME_AFTER}{_NOT_A_DIGIT_READING}(?![0-9a-z])"
)
"""Chinese word order in English, the period first: "tomorrow morning ten", "afternoon two thirty"."""
_EN_HALF_HOUR = guarded(rf"\b(?P<at>at )?half (?P<hour>{_EN_HOUR}){_NOT_A_TIME_AFTER}{_NOT_A_DIGIT_READING}")
"""British "half ten" is half past ten (10:30), said after "at" or before a period."""
_EN_NOON = guarded(r"\b(?:(?:twelve|12) )?(?P<word>noon|midday|midnight)\b")
_EN_PERIOD_AFTER = re.compile(
    r" ?(?P<ampm>am|pm)\b| (?:in the|this) (?P<part>morning|afternoon|evening)\b"
    r"| (?P<night>at night|tonight)\b"
)


def find_times(text: str, lang: str, hours: OpeningHours | None) -> list[SlotSpan]:
    """Every clock time said in `text`, in text order, without overlaps.

    `hours` (of the service asked about, or of the centre) decides whether a bare "three"
    means 03:00 or 15:00; without it, 7–11 is morning, 12 noon and 1–6 afternoon.
    """
    found = _zh_times(text, hours) if lang == "zh" else _en_times(text, hours)
    return first_longest(found)


def _zh_times(text: str, hours: OpeningHours | None) -> list[SlotSpan]:
    found: list[SlotSpan] = []
    for m in _ZH_DIGITAL.finditer(text):
        value = _clock(int(m["hour"]), int(m["minute"]), _zh_period(text, m), hours)
        _append(found, value, m.start(), m.end())
    for m in _ZH_TIME.finditer(text):
        hour, end, period = zh_number(m["hour"]), m.end(), _zh_period(text, m)
        if m["half"]:
            minute = 30
        elif m["quarter"]:
            minute = 45 if m["quarter"] == "三" else 15
        elif m["minute"]:
            said = _zh_minute(m)
            if said is None:  # "三点五" is 3.5 unless a period says it is a time
                if not period:
                    continue
                minute, end = 0, m.end("hour") + 1
            else:
                minute = said
        else:
            minute = 0
        said_more = end > m.end("hour") + 1  # 半, 刻, minutes or 钟 after 点
        cue_before = _ZH_ONE_O_CLOCK_CUE.search(text, max(0, m.start() - 2), m.start())
        if m["hour"] == "一" and not (period or said_more or cue_before):
            continue  # "慢一点", "大声一点": "a little", not 1 o'clock
        if hour is not None:
            _append(found, _clock(hour, minute, period, hours), m.start(), end)
    return found


def _zh_minute(m: re.Match[str]) -> int | None:
    """Minutes after 点; without 分 or 过 they need two characters, as "一四" or "五" are decimals."""
    value = zh_number(m["minute"])
    if value is None or value > 59:
        return None
    if m["fen"] or m["past"] or len(m["minute"]) >= 2:
        return value
    return None


def _zh_period(text: str, m: re.Match[str]) -> str | None:
    if m["period"]:
        return ZH_PERIODS[m["period"]]
    return ZH_PERIOD_BEFORE.get(text[max(0, m.start() - 2) : m.start()])


def _en_times(text: str, hours: OpeningHours | None) -> list[SlotSpan]:
    found: list[SlotSpan] = []
    for m in _EN_NOON.finditer(text):
        _append(found, "00:00" if m["word"] == "midnight" else "12:00", m.start(), m.end())
    for m in _EN_RELATIVE.finditer(text):
        hour = _en_hour(m["hour"])
        rel = {"half": 30, "quarter": 15}.get(m["rel"]) or en_number(m["rel"])
        if hour is None or rel is None or not 1 <= rel <= 30:
            continue
        if m["dir"] in ("to", "before"):
            hour, rel = hour - 1 if hour > 1 else 12, 60 - rel
        if (after := _en_period(text, m.end())) is not None:
            _append(found, _clock(hour, rel, after[0], hours), m.start(), after[1])
    for m in _EN_HALF_HOUR.finditer(text):
        hour = _en_hour(m["hour"])
        if hour is not None and (after := _en_period(text, m.end())) is not None and (m["at"] or after[0]):
            _append(found, _clock(hour, 30, after[0], hours), m.start() + len(m["at"] or ""), after[1])
    for m in _EN_PERIOD_BEFORE.finditer(text):
        hour = _en_hour(m["hour"])
        minute = int(m["digits"]) if m["digits"] else _en_minute(m["minute"])
        if hour is not None and minute is not None:
            _append(found, _clock(hour, minute, EN_PERIODS[m["part"]], hours), m.start("hour"), m.end())
    for m in _EN_SPOKEN.finditer(text):
        hour = _en_hour(m["hour"])
        minute = int(m["digits"]) if m["digits"] else _en_minute(m["minute"])
        if hour is None or minute is None or (after := _en_period(text, m.end())) is None:
            continue
        period, end = after
        words_only = m["minute"] is not None and not m["hour"].isdigit() and not m["minute"].isdigit()
        if words_only and not m["at"] and _EN_DIGIT_WORD_BEFORE.search(text, 0, m.start()):
            continue  # "c three three oh five": the tail of a code read aloud
        if not m["at"] and _EN_NUMBERED_THING_BEFORE.search(text, 0, m.start()):
            continue
        if m["at"] or m["digits"] or m["oclock"] or period or words_only:
            _append(found, _clock(hour, minute, period, hours), m.start("hour"), end)
    return found


def _en_hour(word: str) -> int | None:
    return int(word) if word.isdigit() else _EN_HOUR_WORDS.get(word)


def _en_minute(words: str | None) -> int | None:
    if words is None:
        return 0
    if words.isdigit():
        return int(words)
    return en_number(words.removeprefix("oh ").removeprefix("o "))


def _en_period(text: str, pos: int) -> tuple[str | None, int] | None:
    """The period said after a time and where the time's words end; None if no time ends here.

    "tonight" belongs to the date finder, so it colours the time without joining its span.
    """
    m = _EN_PERIOD_AFTER.match(text, pos)
    end = m.end() if m else pos
    if end < len(text) and text[end].isalnum():
        return None  # "2nd", "seventy": the number runs on into a longer word
    if m is None:
        return None, pos
    word = m["ampm"] or m["part"] or m["night"]
    return EN_PERIODS[word], pos if word == "tonight" else end


def _clock(hour: int, minute: int, period: str | None, hours: OpeningHours | None) -> str | None:
    if period is not None and hour <= 12:
        hour = _with_period(hour, period)
    elif period is None:
        hour = _bare_hour(hour, minute, hours)
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        return None
    return f"{hour:02d}:{minute:02d}"


def _with_period(hour: int, period: str) -> int:
    if period == "am" or (period == "night" and hour == 12):
        return 0 if hour == 12 else hour
    if period == "noon":
        return hour + 12 if hour <= 5 else hour
    if period in ("pm", "night"):
        return hour + 12 if hour < 12 else hour
    return hour  # morning


def _bare_hour(hour: int, minute: int, hours: OpeningHours | None) -> int:
    """Of h and h+12 take the one the place is open at; if that does not decide, guess by habit."""
    if not 1 <= hour <= 12:
        return hour
    if hours is not None and 0 <= minute <= 59:
        candidates = [h for h in (hour, (hour + 12) % 24) if hours.contains(time(h, minute))]
        if len(candidates) == 1:
            return candidates[0]
    return hour if hour >= 7 else hour + 12


def _append(found: list[SlotSpan], value: str | None, start: int, end: int) -> None:
    if value is not None and end > start:
        found.append(SlotSpan("time", value, start, end))
