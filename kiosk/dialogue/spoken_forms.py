"""Dates, times, hours, lists and digit strings said the way people say them.

"2026-11-27 09:30" means nothing to a listener; "明天11月27日星期五上午九点半" and "Friday 27
November at half past nine" do. Phone numbers and codes are read one digit at a time
("幺二零", "M, four, eight, two, seven") so nobody hears a quantity. Every word comes from
`kiosk/data/spoken_forms.yaml`, so a new language is a data change.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from kiosk.errors import KioskError

_DIGIT_RUN = re.compile(r"(?<![0-9:])[0-9]{3,}(?![0-9:])")
_GROUP_SPLIT = re.compile(r"[\s\-–—.]+")


class SpokenFormsError(KioskError):
    """The spoken-forms data file is missing a word; the message names it."""


@dataclass(frozen=True)
class LanguageForms:
    """One language's entries from the data file."""

    lang: str
    words: dict[str, Any]

    def __getitem__(self, key: str) -> Any:
        try:
            return self.words[key]
        except KeyError:
            raise SpokenFormsError(f"spoken_forms.yaml has no '{key}' for language {self.lang!r}") from None

    def text(self, key: str) -> str:
        """A word or a template: "半", "{month}月{day}日{weekday}"."""
        return str(self[key])

    def texts(self, key: str) -> list[str]:
        """A list of words, indexed by number: weekdays, digits, months."""
        return [str(word) for word in self[key]]


class SpokenForms:
    """Formats values for reply templates, per language."""

    def __init__(self, data: dict[str, dict[str, Any]]) -> None:
        self._langs = {lang: LanguageForms(lang, words) for lang, words in data.items()}

    @classmethod
    def load(cls, path: str | Path | None = None) -> SpokenForms:
        if path is None:
            text = (resources.files("kiosk") / "data" / "spoken_forms.yaml").read_text(encoding="utf-8")
        else:
            text = Path(path).read_text(encoding="utf-8")
        return cls(yaml.safe_load(text))

    def _forms(self, lang: str) -> LanguageForms:
        try:
            return self._langs[lang]
        except KeyError:
            raise SpokenFormsError(f"spoken_forms.yaml has no language {lang!r}") from None

    # ------------------------------------------------------------------ dates and times

    def date(self, day: dt.date, lang: str, today: dt.date | None = None) -> str:
        """"明天11月27日星期五" / "Friday 27 November"."""
        f = self._forms(lang)
        month = f.texts("months")[day.month - 1] if "months" in f.words else str(day.month)
        said = f.text("date").format(month=month, day=day.day, weekday=f.texts("weekdays")[day.weekday()])
        relative = f.texts("relative_days")
        if today is not None and 0 <= (day - today).days < len(relative):
            said = f.text("relative_date").format(relative=relative[(day - today).days], date=said)
        return said

    def time(self, at: dt.time, lang: str) -> str:
        """"上午九点半" / "half past nine"; "9 am" on the hour."""
        return self._zh_time(at) if lang == "zh" else self._en_time(at, self._forms(lang))

    def _zh_time(self, at: dt.time, period: bool = True) -> str:
        f = self._forms("zh")
        hour = at.hour % 12 or 12
        hour_word = f.text("hour_two") if hour == 2 else self._zh_numeral(hour)
        if at.minute == 0:
            minutes = ""
        elif at.minute == 30:
            minutes = f.text("half")
        elif at.minute < 10:
            minutes = f.text("minute_zero") + f.texts("numbers")[at.minute]
        else:
            minutes = self._zh_numeral(at.minute)
        return f.text("time").format(period=self._zh_period(at) if period else "", hour=hour_word, minutes=minutes)

    def _zh_period(self, at: dt.time) -> str:
        name = ""
        for start, label in self._forms("zh")["day_periods"]:
            if at.hour >= start:
                name = label
        return name

    def _en_time(self, at: dt.time, f: LanguageForms) -> str:
        if at.minute == 0 and at.hour == 12:
            return f.text("noon")
        if at.minute == 0 and at.hour == 0:
            return f.text("midnight")
        hour = at.hour % 12 or 12
        ampm = f.text("am") if at.hour < 12 else f.text("pm")
        words = f.texts("hour_words")
        if at.minute == 0:
            return f.text("on_the_hour").format(hour=hour, ampm=ampm)
        if at.minute == 30:
            return f.text("half_past").format(hour_word=words[hour % 12])
        if at.minute == 15:
            return f.text("quarter_past").format(hour_word=words[hour % 12])
        if at.minute == 45:
            return f.text("quarter_to").format(next_hour_word=words[(hour + 1) % 12])
        return f.text("other_minutes").format(hour=hour, minute=f"{at.minute:02d}", ampm=ampm)

    def time_range(self, start: dt.time, end: dt.time, lang: str) -> str:
        """"上午八点半到十二点" — the period is not repeated when it stays the same."""
        f = self._forms(lang)
        if lang == "zh":
            same_period = self._zh_period(start) == self._zh_period(end)
            said_end = self._zh_time(end, period=not same_period)
            return f.text("time_range").format(start=self._zh_time(start), end=said_end)
        return f.text("time_range").format(start=self.time(start, lang), end=self.time(end, lang))

    def slot(self, day: dt.date, at: dt.time, lang: str, *, same_day_as: dt.date | None, today: dt.date | None) -> str:
        """A slot offered instead of a refused one: "九点半" on the same day, else with its date."""
        f = self._forms(lang)
        if same_day_as == day:
            return f.text("slot_same_day").format(time=self.time(at, lang))
        return f.text("slot_other_day").format(date=self.date(day, lang, today), time=self.time(at, lang))

    def hours(self, weekdays: Sequence[int], periods: Sequence[tuple[dt.time, dt.time]], lang: str) -> str:
        """"星期一到星期五，上午八点到十点半" / "Monday to Friday, 8 am to half past ten"."""
        f = self._forms(lang)
        said_periods = f.text("period_separator").join(self.time_range(s, e, lang) for s, e in periods)
        return f.text("hours").format(days=self.weekdays(weekdays, lang), periods=said_periods)

    def weekdays(self, weekdays: Sequence[int], lang: str) -> str:
        f = self._forms(lang)
        days = sorted(set(weekdays))
        names = f.texts("weekdays")
        if len(days) == 7:
            return f.text("every_day")
        if len(days) >= 3 and days == list(range(days[0], days[-1] + 1)):
            return f.text("day_range").format(first=names[days[0]], last=names[days[-1]])
        return self.items([names[d] for d in days], lang)

    # ------------------------------------------------------------------ lists and counts

    def items(self, words: Sequence[str], lang: str) -> str:
        """"身份证、户口本和照片" / "your ID card, your household register and a photo"."""
        f = self._forms(lang)
        words = [w for w in words if w]
        if len(words) <= 1:
            return "".join(words)
        return f.text("list_separator").join(words[:-1]) + f.text("list_last") + words[-1]

    def clauses(self, parts: Sequence[str], lang: str) -> str:
        """Longer items (appointments, notices), one after another."""
        return self._forms(lang).text("clause_separator").join(parts)

    def count(self, n: int, lang: str) -> str:
        """"两" / "two" — how many appointments."""
        f = self._forms(lang)
        if lang == "zh":
            return f.text("count_two") if n == 2 else self._zh_numeral(n)
        counts = f.texts("counts")
        return counts[n] if 0 <= n < len(counts) else str(n)

    def _zh_numeral(self, n: int) -> str:
        """0–99 in Chinese numerals: 十二, 二十, 四十五."""
        f = self._forms("zh")
        digits, ten = f.texts("numbers"), f.text("ten")
        if n < 10:
            return digits[n]
        tens, units = divmod(n, 10)
        if n >= 100:
            return str(n)
        return ("" if tens == 1 else digits[tens]) + ten + (digits[units] if units else "")

    # ------------------------------------------------------------------ speech only

    def digit_string(self, number: str, lang: str) -> str:
        """Speech for a number to dial, digit by digit, pausing where it is written with a gap:
        "021-5555 0188" → "零二幺，五五五五，零幺八八"."""
        f = self._forms(lang)
        groups = [g for g in _GROUP_SPLIT.split(number.strip()) if g]
        said = [f.text("digit_separator").join(self._digit_words(g, f)) for g in groups]
        return f.text("group_separator").join(said)

    def code(self, code: str, lang: str) -> str:
        """Speech for a reference code, character by character: "M 四 八 二 七"."""
        f = self._forms(lang)
        letters = "".join(c for c in code if not c.isdigit())
        digits = f.text("code_digit_separator").join(self._digit_words(code[len(letters):], f))
        return f.text("code").format(letter=" ".join(letters.upper()), digits=digits)

    def digits_in_text(self, text: str, lang: str) -> str:
        """Speech for free text: every run of three or more digits is read one by one
        ("拨打120", "201室", "12345热线"), which is how such numbers are said in both languages."""
        f = self._forms(lang)
        return _DIGIT_RUN.sub(lambda m: f.text("digit_separator").join(self._digit_words(m.group(), f)), text)

    @staticmethod
    def _digit_words(digits: str, f: LanguageForms) -> list[str]:
        names = f.texts("digits")
        return [names[int(c)] if c.isdigit() else c for c in digits]
