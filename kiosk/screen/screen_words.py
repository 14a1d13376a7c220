"""The screen's own words (status line, headings, keypad) from `screen_words.yaml`.

Kept in a data file beside the screen, like the catalogue's replies, so wording is changed
by editing text rather than code, and a missing translation is caught when the kiosk
starts rather than shown to a resident as a blank button.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from kiosk.errors import KioskError

LANGUAGES = ("zh", "en")


class ScreenWordsError(KioskError):
    """The screen words file is missing, not YAML, or lacks a key in one language."""


class ScreenWords:
    """Screen wording per language: nested dicts of strings, the same keys in each language."""

    def __init__(self, data: dict[str, dict[str, Any]], source: str = "screen_words.yaml") -> None:
        missing = [lang for lang in LANGUAGES if not isinstance(data.get(lang), dict)]
        if missing:
            raise ScreenWordsError(f"{source}: no section for {', '.join(missing)}")
        keys = {lang: _key_paths(data[lang]) for lang in LANGUAGES}
        for lang in LANGUAGES:
            for other in LANGUAGES:
                lacking = sorted(keys[other] - keys[lang])
                if lacking:
                    raise ScreenWordsError(f"{source}: the {lang} section lacks {', '.join(lacking)} (add it)")
        self._data = data

    @classmethod
    def load(cls, path: str | Path | None = None) -> ScreenWords:
        """The kiosk's screen words, or those in `path`."""
        try:
            if path is None:
                text = (resources.files("kiosk.screen") / "screen_words.yaml").read_text(encoding="utf-8")
                source = "kiosk/screen/screen_words.yaml"
            else:
                text, source = Path(path).read_text(encoding="utf-8"), str(path)
            data = yaml.safe_load(text)
        except (OSError, yaml.YAMLError) as exc:
            raise ScreenWordsError(f"cannot read the screen words: {exc}") from exc
        if not isinstance(data, dict):
            raise ScreenWordsError(f"{source}: expected a mapping of languages")
        return cls(data, source)

    def words(self, lang: str) -> dict[str, Any]:
        """All words for `lang` (the other language's if `lang` is not one the screen has)."""
        return self._data[lang if lang in LANGUAGES else LANGUAGES[0]]


def _key_paths(section: dict[str, Any], prefix: str = "") -> set[str]:
    paths: set[str] = set()
    for key, value in section.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            paths |= _key_paths(value, path + ".")
        else:
            paths.add(path)
    return paths
