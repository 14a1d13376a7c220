"""What the screen shows besides the conversation: its words, the permanent buttons, the
services and the hotlines — all in the resident's language, all from data.

Button labels for things a resident can *do* are the catalogue's own `label` replies (the
same words the kiosk uses when it says "did you want to book an appointment, or …?"), and
services and hotlines carry their catalogue names, so staff edit one file and the voice
and the screen change together.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from intents import Catalogue
from intents.catalogue import LANGUAGES
from kiosk.dialogue.reply_writer import ReplyWriter
from kiosk.screen.screen_words import ScreenWords

PERMANENT_ACTIONS = ("dialog.repeat", "dialog.slower", "dialog.help", "staff.handoff")
"""Buttons on every screen: repeat, slower, help, call staff (国办发〔2020〕45号: a way to a
person on every screen)."""


class ScreenContent:
    """Per-language labels and lists for the page (built once per language)."""

    def __init__(self, catalogue: Catalogue, writer: ReplyWriter, words: ScreenWords) -> None:
        self.catalogue = catalogue
        self.writer = writer
        self.words = words
        self.for_language = cache(self._build)

    def _build(self, lang: str) -> dict[str, Any]:
        lang = lang if lang in LANGUAGES else LANGUAGES[0]
        other = next(code for code in LANGUAGES if code != lang)
        return {
            "lang": lang,
            "words": self.words.words(lang),
            "other_language": {"lang": other, "label": self.words.words(other)["language_name"]},
            "permanent": [
                {"id": intent, "label": self.writer.template(intent, "label", lang)}
                for intent in PERMANENT_ACTIONS
                if self.writer.has(intent, "label", lang)
            ],
            "services": [
                {"id": f"service:{s.id}", "label": s.name(lang), "bookable": s.bookable}
                for s in self.catalogue.services
            ],
            "hotlines": [{"id": f"hotline:{h.id}", "label": h.name(lang)} for h in self.catalogue.hotlines],
        }
