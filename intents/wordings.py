"""Fixed wording in both languages — screen labels, console pages, the family page — checked
once when loaded, so a sentence written in one language only fails at start-up (and in the
tests), never as a blank in front of a resident, a relative or a staff member.

One loader for every such file. Two layouts are read: by language (`zh: {…}`, `en: {…}`,
nested as deep as the wording needs) and by key (`nav.day: {zh: …, en: …}`, one line per
text, easier for a translator to keep side by side). Either way the result is one nested
mapping per language, and both languages must have exactly the same keys.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import yaml

from .catalogue import LANGUAGES


class WordingsError(ValueError):
    """A wording file is unreadable or incomplete; the message names the file and the keys."""


class Wordings:
    """Per-language nested mappings of text with the same keys in each language."""

    def __init__(self, by_language: dict[str, dict[str, Any]], source: str) -> None:
        self.source = source
        missing = [lang for lang in LANGUAGES if not isinstance(by_language.get(lang), dict)]
        if missing:
            raise WordingsError(f"{source}: no section for {', '.join(missing)}")
        paths = {lang: _key_paths(by_language[lang]) for lang in LANGUAGES}
        for lang in LANGUAGES:
            lacking = sorted(set().union(*paths.values()) - paths[lang])
            if lacking:
                raise WordingsError(f"{source}: the {lang} wording lacks {', '.join(lacking)} (write it in both)")
        self._data = by_language

    @classmethod
    def parse(cls, text: str, source: str) -> Wordings:
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise WordingsError(f"{source} is not valid YAML: {exc}") from exc
        if not isinstance(data, dict):
            raise WordingsError(f"{source}: expected a mapping")
        if set(data) <= set(LANGUAGES):
            return cls(data, source)
        return cls(_by_language(data, source), source)

    def words(self, lang: str) -> dict[str, Any]:
        """All words in `lang` (the first language's when `lang` is not one of them)."""
        return self._data[lang if lang in LANGUAGES else LANGUAGES[0]]


def _by_language(by_key: Mapping[str, Any], source: str) -> dict[str, dict[str, Any]]:
    """`{key: {zh, en}}` → `{zh: {key: …}, en: {key: …}}` (keys kept flat, dots and all)."""
    out: dict[str, dict[str, Any]] = {lang: {} for lang in LANGUAGES}
    for key, texts in by_key.items():
        # A comma in an unquoted flow value splits it silently: accept exactly the languages.
        if not isinstance(texts, dict) or set(texts) != set(LANGUAGES):
            raise WordingsError(f"{source}: {key!r} must have exactly zh and en texts, found {texts!r}")
        for lang in LANGUAGES:
            out[lang][str(key)] = str(texts[lang])
    return out


def _key_paths(section: Mapping[str, Any], prefix: str = "") -> set[str]:
    paths: set[str] = set()
    for key, value in section.items():
        path = f"{prefix}{key}"
        paths |= _key_paths(value, path + ".") if isinstance(value, dict) else {path}
    return paths
