"""The staff console's words, in Chinese and English, from `server/data/console_text.yaml`.

Pages never carry text of their own: a template asks `t("nav.day")`, and the data file
says it in both languages, so a translator edits one file and a test proves that every
key a template uses exists in both.
"""

from __future__ import annotations

import functools
from importlib import resources
from typing import Any

from intents.wordings import Wordings

CONSOLE_LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"


class ConsoleTextMissing(KeyError):
    """A page asked for words the data file does not have."""


@functools.cache
def console_strings() -> Wordings:
    text = (resources.files("server") / "data" / "console_text.yaml").read_text(encoding="utf-8")
    return Wordings.parse(text, "server/data/console_text.yaml")


class ConsoleText:
    """`t(key, **values)` for one language."""

    def __init__(self, lang: str) -> None:
        self.lang = lang if lang in CONSOLE_LANGUAGES else DEFAULT_LANGUAGE
        self._strings: dict[str, str] = console_strings().words(self.lang)

    def __call__(self, key: str, **values: Any) -> str:
        text = self._strings.get(key)
        if text is None:
            raise ConsoleTextMissing(f"console text {key!r} is not in server/data/console_text.yaml")
        return text.format(**values) if values else text

    def has(self, key: str) -> bool:
        return key in self._strings
