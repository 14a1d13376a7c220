"""Reading a turn beyond its intent: corrections, stories about the past, a week named alone.

The words it goes by are catalogue data (`settings.dialogue_cues`, and the parser's
`past_markers`/`present_markers` through `intents.tense`), per language:

- a correction ("下周二，哦不对，下周三", "not nine, ten o'clock"): the details after the
  last correction word replace those before it — the first value after it that differs
  from what is being corrected;
- a bare weekday while a date is being discussed ("不是周二，是周四" about next Tuesday)
  means that day of the same week, not the coming one;
- a story about the past ("I had a fall last winter") is not an emergency, unless a word
  says it is happening now;
- "next week" without a day narrows which appointment is meant.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from intents import Catalogue
from intents.normaliser import normalise
from intents.parser import ParseResult
from intents.tense import TenseReader
from kiosk.dialogue.talk import Talk

DETAILS = ("service", "date", "time")
CLAUSE_BREAKS = re.compile(r"[,，。.!！?？;；…、]+|\s-\s")
THANKS_ROOM = {"zh": 3, "en": 3}
"""What may stand beside thanks and still ask for nothing, in characters (Mandarin) or words
(English): 你啊, 大姐, "very much dear", "so much love"."""


class TurnReader:
    def __init__(self, talk: Talk) -> None:
        self.talk = talk
        self._tense: tuple[Catalogue, TenseReader] | None = None
        """The reader of past and present markers, for the catalogue it was built from."""

    # ------------------------------------------------------------------ cue words

    def _cues(self, kind: str, lang: str) -> tuple[str, ...]:
        return self.talk.catalogue.settings.dialogue_cues.get(kind, {}).get(lang, ())

    def _spans(self, kind: str, text: str, lang: str) -> list[tuple[int, int]]:
        """Where the cues of `kind` occur in `text` (whole words in English)."""
        lowered = text.lower().replace("’", "'")
        spans: list[tuple[int, int]] = []
        for cue in self._cues(kind, lang):
            pattern = re.escape(cue.lower()) if lang == "zh" else rf"\b{re.escape(cue.lower())}\b"
            spans.extend(m.span() for m in re.finditer(pattern, lowered))
        return spans

    def says(self, kind: str, text: str, lang: str) -> bool:
        return bool(self._spans(kind, text, lang))

    def only_thanks(self, text: str, lang: str) -> bool:
        """Thanks and little else ("谢谢你啊", "thanks very much dear"): what is left once the
        thanks are taken out is too short to ask for anything."""
        spans = self._spans("thanks", text, lang)
        if not spans:
            return False
        rest = list(text.lower())
        for start, end in spans:
            rest[start:end] = " " * (end - start)
        left = CLAUSE_BREAKS.sub(" ", "".join(rest)).split()
        return (len("".join(left)) if lang == "zh" else len(left)) <= THANKS_ROOM.get(lang, 0)

    # ------------------------------------------------------------------ past and present

    def about_the_past(self, parse: ParseResult) -> bool:
        """A story about then ("去年冬天摔了一跤"), with nothing saying it is happening now."""
        catalogue = self.talk.catalogue
        if self._tense is None or self._tense[0] is not catalogue:
            self._tense = (catalogue, TenseReader(catalogue))
        return self._tense[1].past_story(normalise(parse.text, parse.lang), parse.lang)

    # ------------------------------------------------------------------ what the details are

    def details(self, parse: ParseResult, current: dict[str, str], week_of: date | None = None) -> dict[str, str]:
        """The turn's slots with corrections applied. `current`: the values being discussed
        (a correction never picks one of them again); `week_of`: the date being discussed,
        whose week a bare weekday belongs to."""
        slots = dict(parse.slots)
        ends = [end for _, end in self._spans("correction", parse.text, parse.lang)]
        if ends:
            cut = max(ends)
            rejected = {**current, **self._parse(parse.text[:cut], parse.lang).slots}
            found: dict[str, str] = {}
            for clause in CLAUSE_BREAKS.split(parse.text[cut:]):
                if not clause.strip():
                    continue
                clause_slots = self._parse(clause, parse.lang).slots
                if week_of is not None and "date" in clause_slots:
                    clause_slots["date"] = self._in_week(clause, parse.lang, clause_slots["date"], week_of)
                for name in DETAILS:
                    value = clause_slots.get(name)
                    if value is not None and name not in found and value != rejected.get(name):
                        found[name] = value
            slots.update(found)
            if found.get("date"):
                return slots
        if week_of is not None and "date" in slots:
            slots["date"] = self._in_week(parse.text, parse.lang, slots["date"], week_of)
        return slots

    def week_named(self, parse: ParseResult) -> dict[str, str]:
        """{"week": Monday} when the turn names next week without a day ("下礼拜那个")."""
        if "date" in parse.slots or not self.says("next_week", parse.text, parse.lang):
            return {}
        today = self.talk.today()
        return {"week": (today + timedelta(days=7 - today.weekday())).isoformat()}

    # ------------------------------------------------------------------ helpers

    def _parse(self, text: str, lang: str) -> ParseResult:
        return self.talk.parser.parse(text, lang=lang, now=self.talk.now())

    def _in_week(self, text: str, lang: str, value: str, week_of: date) -> str:
        """A bare weekday ("周四") read in the week of `week_of` instead of the coming one.

        Only a date that is the coming such weekday can be one; read again as if today were
        the Sunday before that week, a bare weekday falls in that week on the same weekday,
        while "明天" or "后天" do not."""
        said = date.fromisoformat(value)
        now = self.talk.now()
        today = now.date()
        if said != today + timedelta(days=(said.weekday() - today.weekday() - 1) % 7 + 1):
            return value  # not the coming such weekday: "下周四", a calendar date
        sunday = week_of - timedelta(days=week_of.weekday() + 1)
        shifted = datetime.combine(sunday, now.timetz())
        again = self.talk.parser.parse(text, lang=lang, now=shifted).slots.get("date")
        if again is None:
            return value
        moved = date.fromisoformat(again)
        same_week = moved.isocalendar()[:2] == week_of.isocalendar()[:2]
        return again if moved != said and same_week and moved.weekday() == said.weekday() else value
