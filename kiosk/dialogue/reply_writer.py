"""Fill the catalogue's reply templates twice: once to show, once to say.

The screen shows "您的预约号是M4827"; the speaker says "您的预约号是M 四 八 二 七". So every
placeholder value may carry two forms (`Said`), and the template's own words are spoken
with long digit runs read one by one ("请马上拨打120" → "拨打幺二零"). All wording stays in
the catalogue; this module only chooses the template and fills it.
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from intents import Catalogue
from kiosk.dialogue.spoken_forms import SpokenForms
from kiosk.errors import KioskError


@dataclass(frozen=True)
class Said:
    """One piece of a reply in its two forms."""

    text: str
    """What the screen shows."""
    speech: str
    """What the speaker says (digits one by one, codes letter by letter)."""


class MissingReply(KioskError, LookupError):
    """The dialogue needs a reply the catalogue does not have; the message says where to add it."""


Value = str | Said
"""A placeholder value: plain text (said as shown, long digit runs one by one) or both forms."""


class ReplyWriter:
    """Renders templates from one catalogue, in either language."""

    def __init__(self, catalogue: Catalogue, forms: SpokenForms) -> None:
        self.catalogue = catalogue
        self.forms = forms
        self._intents = {intent.id: intent for intent in catalogue.intents}

    def template(self, owner: str | None, name: str, lang: str) -> str:
        """`owner`: an intent id, or None for the catalogue's general `responses`."""
        if owner is None:
            templates = self.catalogue.responses.get(lang, {})
            where = "responses"
        else:
            intent = self._intents.get(owner)
            templates = intent.replies.get(lang, {}) if intent else {}
            where = f"intent {owner} replies"
        if name not in templates:
            raise MissingReply(
                f"the catalogue {self.catalogue.source} has no {lang} reply '{name}' in {where}; "
                "add it in both languages (docs/catalogue.md)"
            )
        return templates[name]

    def has(self, owner: str | None, name: str, lang: str) -> bool:
        try:
            self.template(owner, name, lang)
        except MissingReply:
            return False
        return True

    def say(self, owner: str | None, name: str, lang: str, /, **values: Value) -> Said:
        """The named template filled with `values` (a value the template does not use is ignored)."""
        template = self.template(owner, name, lang)
        text_values = {k: v.text if isinstance(v, Said) else v for k, v in values.items()}
        speech_values = {
            k: v.speech if isinstance(v, Said) else self.forms.digits_in_text(v, lang) for k, v in values.items()
        }
        missing = [n for _, n, _, _ in string.Formatter().parse(template) if n and n not in values]
        if missing:
            raise MissingReply(f"reply '{name}' of {owner or 'responses'} ({lang}) needs {missing}, not given")
        spoken_template = self.forms.digits_in_text(template, lang)
        text = template.format_map(text_values)
        speech = spoken_template.format_map(speech_values)
        return Said(_capitalised(text), _capitalised(speech))

    def plain(self, text: str, lang: str) -> Said:
        """Text that is not a template (a notice body from staff): long digit runs said one by one."""
        return Said(text, self.forms.digits_in_text(text, lang))

    @staticmethod
    def join(pieces: Iterable[Said], lang: str) -> Said:
        """Sentences one after another: no space between Chinese sentences, one in English."""
        parts = [p for p in pieces if p.text]
        gap = "" if lang == "zh" else " "
        return Said(gap.join(p.text for p in parts), gap.join(p.speech for p in parts))

    def missing(self, needed: Mapping[str | None, Iterable[str]]) -> list[str]:
        """Which needed replies the catalogue lacks, as "owner/name (lang)"; checked at start-up
        so a catalogue edit cannot break a conversation halfway through."""
        problems = []
        for owner, names in needed.items():
            for name in names:
                for lang in ("zh", "en"):
                    if not self.has(owner, name, lang):
                        problems.append(f"{owner or 'responses'}/{name} ({lang})")
        return problems


def _capitalised(sentence: str) -> str:
    """A template may start with a value ("{service} is at …"): the sentence still starts with a capital."""
    return sentence[:1].upper() + sentence[1:] if sentence[:1].islower() else sentence
