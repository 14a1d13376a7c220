"""Tell a story about a past mishap from a mishap happening now.

Residents explain their needs by what happened to them: "my hip's been bad since I had a fall
last winter" asks for nothing urgent, while "I just fell" does. Emergency words alone cannot
tell these apart, so the catalogue lists words that place events in the past and words that
place them now; the matcher lowers emergency evidence only for a past story with no sign of
the present.
"""

from __future__ import annotations

from .catalogue import Catalogue, Language
from .marker_search import NOTHING, MarkerSearch
from .normaliser import normalise


class TenseReader:
    """Finds the catalogue's past and present markers in normalised text."""

    def __init__(self, catalogue: Catalogue) -> None:
        settings = catalogue.settings
        self._past = {lang: MarkerSearch(_prepared(words, lang)) for lang, words in settings.past_markers.items()}
        self._present = {lang: MarkerSearch(_prepared(words, lang)) for lang, words in settings.present_markers.items()}

    def now(self, normalised: str, lang: Language) -> bool:
        """True when the text says something is happening now (刚才, "right now")."""
        text = f" {normalised} " if lang == "en" else normalised
        return self._present.get(lang, NOTHING).found_in(text)

    def past_story(self, normalised: str, lang: Language) -> bool:
        """True when the text places what it tells in the past and nothing else in it says "now"
        (a past marker's own words do not: "he had a stroke two years ago, he's all right now")."""
        text = f" {normalised} " if lang == "en" else normalised
        past = self._past.get(lang, NOTHING)
        return past.found_in(text) and not self._present.get(lang, NOTHING).found_in(past.blanked(text))


def _prepared(words: tuple[str, ...], lang: Language) -> tuple[str, ...]:
    spaced = lang == "en"
    return tuple(f" {w} " if spaced else w for w in (normalise(word, lang) for word in words) if w)

