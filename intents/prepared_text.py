"""The catalogue's own texts as the matcher needs them: prepared once per catalogue.

Why a record of its own rather than a whole `Utterance`: building the match index needs only
a phrase's tidied text, its sound form and which naming slots it mentions; that small record
is what the prepared-index cache (intents/index_cache.py) stores, so a kiosk restarted on the
same catalogue skips the preparing, about two thirds of the parser's build.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from .catalogue import LANGUAGES, Catalogue, Language
from .normaliser import PLACEHOLDER_CHARS
from .sound_form import SoundForm
from .utterance import UtterancePreparer

NAMING_SLOTS = ("service", "hotline", "reference")
"""Slots that name a thing; dates and times are said in passing too often to count."""

ANCHOR = date(2000, 1, 3)
"""The day catalogue texts are prepared on: any fixed day, their dates become placeholders anyway."""


@dataclass(frozen=True)
class PreparedText:
    """One catalogue text (example, counter-example, keyword…) as the matcher compares it."""

    normalised: str
    """The tidied text slots were found in."""

    form: SoundForm
    """Slots masked, fillers removed, with its sound key."""

    named: frozenset[str]
    """Slots found in it, and naming slots written as placeholders ({service}): an example with any
    counts as naming something; which of `NAMING_SLOTS` it has says what kinds of thing it takes."""


def catalogue_texts(catalogue: Catalogue) -> list[tuple[Language, str]]:
    """Every text the matcher prepares, once each, in a fixed order (the cache checks it)."""
    seen: dict[tuple[Language, str], None] = {}
    for lang in LANGUAGES:
        for intent in catalogue.intents:
            for texts in (intent.examples.get(lang, ()), intent.counter_examples.get(lang, ())):
                seen.update(((lang, text), None) for text in texts)
            seen.update(((lang, keyword.text), None) for keyword in intent.keywords.get(lang, ()))
        seen.update(((lang, text), None) for text in catalogue.settings.neutral_phrases.get(lang, ()))
        seen.update(((lang, text), None) for text in catalogue.out_of_scope.get(lang, ()))
    return list(seen)


def prepare_text(preparer: UtterancePreparer, text: str, lang: Language) -> PreparedText:
    """Prepare one catalogue text exactly as the matcher always has (not as heard speech)."""
    utterance = preparer.prepare(text, lang, ANCHOR, heard=False)
    found = {span.name for span in utterance.slots}
    found |= {name for name in NAMING_SLOTS if PLACEHOLDER_CHARS[name] in utterance.normalised}
    return PreparedText(utterance.normalised, utterance.form, frozenset(found))


class PreparedTexts:
    """A catalogue's texts, prepared: looked up by language and text while the index is built."""

    def __init__(self, texts: dict[tuple[Language, str], PreparedText]) -> None:
        self._texts = texts

    @classmethod
    def build(cls, catalogue: Catalogue, preparer: UtterancePreparer) -> PreparedTexts:
        """Prepare every text of `catalogue` (the slow way; the cache saves it)."""
        return cls({(lang, text): prepare_text(preparer, text, lang) for lang, text in catalogue_texts(catalogue)})

    def get(self, text: str, lang: Language) -> PreparedText:
        """The prepared `text`; a `KeyError` means it was not among the catalogue's texts."""
        return self._texts[(lang, text)]

    def __iter__(self) -> Iterator[tuple[tuple[Language, str], PreparedText]]:
        return iter(self._texts.items())

    def __len__(self) -> int:
        return len(self._texts)
