"""The screen's own words (status line, headings, keypad) from `screen_words.yaml`.

Kept in a data file beside the screen, like the catalogue's replies, so wording is changed
by editing text rather than code, and a missing translation is caught when the kiosk
starts rather than shown to a resident as a blank button.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

from intents.wordings import Wordings, WordingsError
from kiosk.errors import KioskError


class ScreenWordsError(KioskError):
    """The screen words file is missing, not YAML, or lacks a key in one language."""


class ScreenWords:
    """Screen wording per language: nested dicts of strings, the same keys in each language."""

    def __init__(self, wordings: Wordings) -> None:
        self._wordings = wordings

    @classmethod
    def load(cls, path: str | Path | None = None) -> ScreenWords:
        """The kiosk's screen words, or those in `path`."""
        try:
            if path is None:
                text = (resources.files("kiosk.screen") / "screen_words.yaml").read_text(encoding="utf-8")
                source = "kiosk/screen/screen_words.yaml"
            else:
                text, source = Path(path).read_text(encoding="utf-8"), str(path)
            return cls(Wordings.parse(text, source))
        except OSError as exc:
            raise ScreenWordsError(f"cannot read the screen words: {exc}") from exc
        except WordingsError as exc:
            raise ScreenWordsError(str(exc)) from exc

    def words(self, lang: str) -> dict[str, Any]:
        """All words for `lang` (the other language's if `lang` is not one the screen has)."""
        return self._wordings.words(lang)
