"""The staff console's words, in Chinese and English, from `server/data/console_text.yaml`.

Pages never carry text of their own: a template asks `t("nav.day")`, and the data file
says it in both languages, so a translator edits one file and a test proves that every
key a template uses exists in both.
"""

from __future__ import annotations

import functools
from importlib import resources
from typing import Any

import yaml

CONSOLE_LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"


class ConsoleTextMissing(KeyError):
    """A page asked for words the data file does not have."""


@functools.cache
def console_strings() -> dict[str, dict[str, str]]:
    text = (resources.files("server") / "data" / "console_text.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    for key, value in data.items():
        # A comma in an unquoted flow value splits it silently: refuse anything but zh and en.
        if not isinstance(value, dict) or set(value) != set(CONSOLE_LANGUAGES):
            raise ConsoleTextMissing(f"console_text.yaml: {key!r} must have exactly zh and en texts, found {value!r}")
    return {str(key): {lang: str(value[lang]) for lang in CONSOLE_LANGUAGES} for key, value in data.items()}


class ConsoleText:
    """`t(key, **values)` for one language."""

    def __init__(self, lang: str) -> None:
        self.lang = lang if lang in CONSOLE_LANGUAGES else DEFAULT_LANGUAGE
        self._strings = console_strings()

    def __call__(self, key: str, **values: Any) -> str:
        entry = self._strings.get(key)
        if entry is None:
            raise ConsoleTextMissing(f"console text {key!r} is not in server/data/console_text.yaml")
        text = entry[self.lang]
        return text.format(**values) if values else text

    def has(self, key: str) -> bool:
        return key in self._strings
