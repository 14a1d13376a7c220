"""Finding the day a resident means ("下周二", "the third of december") in normalised text.

Residents name days relative to today far more often than by date, so every form is
resolved against `today`. Week rules, shared by both languages:

- "下周二" / "next tuesday" / "tuesday next week": that day of next calendar week (weeks start on Monday);
- "这周六" / "this saturday": that day of this week, or of next week if already past;
- a bare weekday ("周五", "friday"): the next such day after today;
- a month and day already past this year: next year; a bare day ("三号", "on the 3rd"):
  this month unless past, else next month.

Spans cover the date words only, not a leading "on"/"for", so "book on monday" masks
to "book on {date}".
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta

from .numbers import (
    EN_CARDINAL_PATTERN,
    EN_ORDINAL_PATTERN,
    ZH_NUMERAL_CHARS,
    en_number,
    en_ordinal,
    zh_number,
)
from .pattern_needs import GuardedPattern, guarded
from .slot_span import SlotSpan, first_longest

_N = f"[{ZH_NUMERAL_CHARS}]{{1,4}}"

ZH_DAY_OFFSETS: dict[str, int] = {
    "今天": 0, "今儿": 0, "今日": 0, "明天": 1, "明儿": 1, "明日": 1,
    "后天": 2, "后儿": 2, "大后天": 3, "今晚": 0, "今早": 0, "明晚": 1, "明早": 1,
}  # fmt: skip
ZH_WEEKDAYS: dict[str, int] = {
    "一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6,
    "1": 0, "2": 1, "3": 2, "4": 3, "5": 4, "6": 5, "7": 6,
}  # fmt: skip
ZH_WEEK_WORDS: dict[str, str] = {"下下": "after next", "下": "next", "这": "this", "本": "this", "上": "last"}

EN_DAY_OFFSETS: dict[str, int] = {"today": 0, "tonight": 0, "tomorrow": 1, "day after tomorrow": 2}
EN_WEEKDAYS: dict[str, int] = {
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6,
}  # fmt: skip
EN_WEEKDAYS_SHORT: dict[str, int] = {
    "mon": 0, "tue": 1, "tues": 1, "wed": 2, "weds": 2, "thu": 3, "thur": 3, "thurs": 3, "fri": 4,
    "sat": 5, "sun": 6,
}  # fmt: skip
"""Short weekday names, read only after a week word ("next wed"): alone they are everyday words."""
EN_PARTS_OF_TODAY = ("morning", "afternoon", "evening")
_EN_CLOCK_BEFORE = re.compile(
    r"(?:\d|oclock|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirty|fifteen|half|quarter) $"
)
EN_MONTHS: dict[str, int] = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8,
    "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
EN_WEEK_WORDS: dict[str, str] = {
    "next": "next", "this": "this", "this coming": "this", "coming": "this", "last": "last",
}  # fmt: skip

_ZH_WEEKDAY = "(?:周|星期|礼拜)([一二三四五六日天1-7])(?![次天个回遍])"
"""(?!…) keeps "一周三次" (three times a week) from reading as Wednesday."""

_EN_NOT_A_DAY_AFTER = (
    r"(?! (?:floor|storey|story|row|building|block|flat|bus|stop|window|room|door|house|time|grade|year|one)s?\b)"
)
"""An ordinal that counts a place or a turn ("on the sixth floor", "for the third time") is no day."""
_EN_DAY = rf"(?:(?P<ord>{EN_ORDINAL_PATTERN})|(?P<card>{EN_CARDINAL_PATTERN}))"
_EN_MONTH = rf"(?P<month>{'|'.join(sorted(EN_MONTHS, key=len, reverse=True))})"

Resolver = Callable[[re.Match[str], date], date | None]


def _zh_today_weekday(m: re.Match[str], today: date) -> date | None:
    return today  # "今天星期四": the weekday only confirms the day


def _zh_relative_day(m: re.Match[str], today: date) -> date | None:
    return today + timedelta(ZH_DAY_OFFSETS[m.group(0)])


def _zh_week(m: re.Match[str], today: date) -> date | None:
    return _weekday(today, ZH_WEEK_WORDS.get(m.group(1) or ""), ZH_WEEKDAYS[m.group(2)])


def _zh_month_day(m: re.Match[str], today: date) -> date | None:
    day = zh_number(m.group("day"))
    if m.group("month"):
        month = zh_number(m.group("month"))
        return _month_day(today, month, day) if month else None
    offset = 1 if m.group("which") == "下" else 0
    year, month = divmod(today.month - 1 + offset, 12)
    return _safe_date(today.year + year, month + 1, day)


def _zh_day_only(m: re.Match[str], today: date) -> date | None:
    return _day_only(today, zh_number(m.group(1)))


def _zh_in_days(m: re.Match[str], today: date) -> date | None:
    days = zh_number(m.group(1))
    return today + timedelta(days) if days is not None and days <= 366 else None


def _en_relative_day(m: re.Match[str], today: date) -> date | None:
    return today + timedelta(EN_DAY_OFFSETS[m.group(1)])


def _en_week(m: re.Match[str], today: date) -> date | None:
    return _weekday(today, EN_WEEK_WORDS.get(m.group(1) or ""), EN_WEEKDAYS[m.group(2)])


def _en_short_week(m: re.Match[str], today: date) -> date | None:
    return _weekday(today, EN_WEEK_WORDS[m.group(1)], EN_WEEKDAYS_SHORT[m.group(2)])


def _en_part_of_today(m: re.Match[str], today: date) -> date | None:
    """"this afternoon" is today, unless it only places a clock time ("at four this afternoon"),
    which the time reader takes whole."""
    return None if _EN_CLOCK_BEFORE.search(m.string, 0, m.start()) else today


def _en_weekday_next_week(m: re.Match[str], today: date) -> date | None:
    return _weekday(today, "next", EN_WEEKDAYS[m.group(1)])  # "thursday next week"


def _en_day(m: re.Match[str]) -> int | None:
    return en_ordinal(m.group("ord")) if m.group("ord") else en_number(m.group("card"))


def _en_month_day(m: re.Match[str], today: date) -> date | None:
    return _month_day(today, EN_MONTHS[m.group("month")], _en_day(m))


def _en_day_only(m: re.Match[str], today: date) -> date | None:
    return _day_only(today, en_ordinal(m.group(1)))


def _en_in_days(m: re.Match[str], today: date) -> date | None:
    days = 1 if m.group(1) == "a" else en_number(m.group(1))
    return today + timedelta(days) if days is not None and days <= 366 else None


_ZH_PATTERNS: tuple[tuple[GuardedPattern, Resolver], ...] = (
    (guarded(f"(?:今天|今儿)是?{_ZH_WEEKDAY}"), _zh_today_weekday),
    (guarded("|".join(sorted(ZH_DAY_OFFSETS, key=len, reverse=True))), _zh_relative_day),
    # 一下 + 下周二 is "(book) for next Tuesday", not the week after: "帮我预约一下下周二的体检"
    (guarded(f"(?:((?<!一)下下|[下这本上])个?)?{_ZH_WEEKDAY}"), _zh_week),
    (guarded(f"(?:(?P<month>{_N})月|(?P<which>[下这本])个?月)(?P<day>{_N})[号日]"), _zh_month_day),
    (guarded(f"(?P<month>{_N})月(?P<day>{_N})(?![{ZH_NUMERAL_CHARS}月])"), _zh_month_day),
    (guarded(f"(?<![月{ZH_NUMERAL_CHARS}])({_N})[号日](?![楼窗线门柜房室床口院菜市店车厅馆])"), _zh_day_only),
    (guarded(f"({_N})[天日](?:以后|之后|后)"), _zh_in_days),
)
_EN_PATTERNS: tuple[tuple[GuardedPattern, Resolver], ...] = (
    (guarded(r"\b(?:the )?(day after tomorrow|today|tonight|tomorrow)\b"), _en_relative_day),
    (
        guarded(
            rf"\b(?:({'|'.join(sorted(EN_WEEK_WORDS, key=len, reverse=True))}) )?"
            rf"({'|'.join(EN_WEEKDAYS)})\b"
        ),
        _en_week,
    ),
    (guarded(rf"\b({'|'.join(EN_WEEKDAYS)})(?: of)?,? next week\b"), _en_weekday_next_week),
    (
        guarded(
            rf"\b({'|'.join(sorted(EN_WEEK_WORDS, key=len, reverse=True))}) "
            rf"({'|'.join(sorted(EN_WEEKDAYS_SHORT, key=len, reverse=True))})\b"
        ),
        _en_short_week,
    ),
    (guarded(rf"\bthis ({'|'.join(EN_PARTS_OF_TODAY)})\b"), _en_part_of_today),
    # A weekday then a date ("friday the fourth of december"): the date says which Friday.
    (guarded(rf"\b(?:{'|'.join(EN_WEEKDAYS)}) {_EN_MONTH} (?:the )?{_EN_DAY}\b"), _en_month_day),
    (guarded(rf"\b(?:{'|'.join(EN_WEEKDAYS)}) (?:the )?{_EN_DAY} (?:of )?{_EN_MONTH}\b"), _en_month_day),
    (guarded(rf"\b(?:{'|'.join(EN_WEEKDAYS)}) the ({EN_ORDINAL_PATTERN})\b"), _en_day_only),
    (guarded(rf"\b{_EN_MONTH} (?:the )?{_EN_DAY}\b"), _en_month_day),
    (guarded(rf"\b(?:the )?{_EN_DAY} (?:of )?{_EN_MONTH}\b"), _en_month_day),
    (guarded(rf"(?:(?<=\bon )|(?<=\bfor ))the ({EN_ORDINAL_PATTERN})\b{_EN_NOT_A_DAY_AFTER}"), _en_day_only),
    # "the seventh" alone is a day when nothing else follows, or a part of the day does.
    (guarded(rf"\bthe ({EN_ORDINAL_PATTERN})(?=(?: in the| this)? (?:morning|afternoon|evening)\b|$)"),
     _en_day_only),
    (guarded(rf"\bin ({EN_CARDINAL_PATTERN}|a) days?\b"), _en_in_days),
)


def find_dates(text: str, lang: str, today: date) -> list[SlotSpan]:
    """Every date said in `text`, in text order, without overlaps."""
    found = []
    for pattern, resolve in _ZH_PATTERNS if lang == "zh" else _EN_PATTERNS:
        for match in pattern.finditer(text):
            if (day := resolve(match, today)) is not None:
                found.append(SlotSpan("date", day.isoformat(), match.start(), match.end()))
    return first_longest(found)


def _weekday(today: date, which: str | None, weekday: int) -> date:
    monday = today - timedelta(today.weekday())
    if which == "next":
        return monday + timedelta(7 + weekday)
    if which == "after next":  # 下下周一: the Monday of the week after next
        return monday + timedelta(14 + weekday)
    if which == "last":
        return monday + timedelta(weekday - 7)
    if which == "this":
        day = monday + timedelta(weekday)
        return day if day >= today else day + timedelta(7)
    return today + timedelta((weekday - today.weekday() - 1) % 7 + 1)


def _month_day(today: date, month: int | None, day: int | None) -> date | None:
    if month is None or day is None:
        return None
    this_year = _safe_date(today.year, month, day)
    if this_year is not None and this_year >= today:
        return this_year
    return _safe_date(today.year + 1, month, day)


def _day_only(today: date, day: int | None) -> date | None:
    if day is None:
        return None
    this_month = _safe_date(today.year, today.month, day)
    if this_month is not None and this_month >= today:
        return this_month
    year, month = divmod(today.month, 12)
    return _safe_date(today.year + year, month + 1, day)


def _safe_date(year: int, month: int, day: int | None) -> date | None:
    """None for days that do not exist (2月30号), so a misheard number is not a date."""
    try:
        return date(year, month, day) if day else None
    except ValueError:
        return None
