"""Edits to the catalogue YAML that keep the file as staff wrote it: comments, order, quoting.

The demo catalogue carries its writing tips as comments, and a centre's own catalogue
will too; a console that dropped them on the first edit would destroy knowledge. So the
draft is edited with ruamel.yaml's round-trip mode, which changes only the lines an edit
touches (loading and saving the untouched demo catalogue gives it back byte for byte).

The understanding core reads catalogues with PyYAML (YAML 1.1), where a bare `yes`,
`no`, `on` or `12:30` is not text; every string added here is quoted when PyYAML would
not read it back as the same string.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from intents.catalogue import LANGUAGES
from intents.catalogue_loader import DAY_NAMES

ENTRY_KINDS = ("services", "hotlines")


class DraftEditError(ValueError):
    """An edit names something the draft does not have; the message says what."""


def _round_trip() -> YAML:
    rt = YAML()
    rt.preserve_quotes = True
    rt.width = 4096  # never re-wrap staff's long lines
    rt.indent(mapping=2, sequence=4, offset=2)  # the layout of docs/catalogue.md
    return rt


def yaml_safe_string(text: str) -> str:
    """`text`, quoted when a plain scalar would be read as something else by PyYAML."""
    try:
        plain = yaml.safe_load(text)
    except yaml.YAMLError:
        plain = None
    if plain == text and isinstance(plain, str) and text == text.strip():
        return text
    quoted: str = DoubleQuotedScalarString(text)
    return quoted


class CatalogueDocument:
    """One catalogue file, loaded for editing."""

    def __init__(self, text: str) -> None:
        self._yaml = _round_trip()
        loaded = self._yaml.load(text)
        if not isinstance(loaded, CommentedMap):
            raise DraftEditError("the catalogue is not a set of named sections")
        self._data: CommentedMap = loaded

    def text(self) -> str:
        out = io.StringIO()
        self._yaml.dump(self._data, out)
        return out.getvalue()

    # ------------------------------------------------------------------ reading

    def intent_ids(self) -> list[str]:
        return [str(k) for k in (self._data.get("intents") or {})]

    def _intent(self, intent_id: str) -> CommentedMap:
        intents = self._data.get("intents") or {}
        if intent_id not in intents:
            raise DraftEditError(f"the draft has no intent {intent_id!r}")
        entry: CommentedMap | None = intents[intent_id]
        if entry is None:
            entry = intents[intent_id] = CommentedMap()
        return entry

    def examples(self, intent_id: str, lang: str) -> list[str]:
        return [str(e) for e in ((self._intent(intent_id).get("examples") or {}).get(lang) or [])]

    def replies(self, intent_id: str, lang: str) -> dict[str, str]:
        found = (self._intent(intent_id).get("replies") or {}).get(lang) or {}
        return {str(name): str(text) for name, text in found.items()}

    def entry_ids(self, kind: str) -> list[str]:
        return [str(k) for k in (self._data.get(_kind(kind)) or {})]

    def names(self, kind: str, entry_id: str, lang: str) -> list[str]:
        return [str(n) for n in ((self._entry(kind, entry_id).get("names") or {}).get(lang) or [])]

    def _entry(self, kind: str, entry_id: str) -> CommentedMap:
        entries = self._data.get(_kind(kind)) or {}
        if entry_id not in entries:
            raise DraftEditError(f"the draft has no {kind[:-1]} {entry_id!r}")
        entry: CommentedMap = entries[entry_id]
        return entry

    # ------------------------------------------------------------------ editing

    def add_example(self, intent_id: str, lang: str, text: str) -> bool:
        """Append an example; False when the intent already has it."""
        text = text.strip()
        current = self.examples(intent_id, lang)
        if text in current:
            return False
        self.set_examples(intent_id, lang, [*current, text])
        return True

    def set_examples(self, intent_id: str, lang: str, texts: Iterable[str]) -> None:
        intent = self._intent(intent_id)
        examples = _child_map(intent, "examples")
        _set_list(examples, _language(lang), texts)

    def set_reply(self, intent_id: str, lang: str, name: str, text: str) -> None:
        intent = self._intent(intent_id)
        replies = _child_map(_child_map(intent, "replies"), _language(lang))
        if replies.get(name) != text:
            replies[name] = yaml_safe_string(text)

    def set_names(self, kind: str, entry_id: str, lang: str, names: Iterable[str]) -> None:
        entry = self._entry(kind, entry_id)
        _set_list(_child_map(entry, "names"), _language(lang), names)

    def set_field(self, kind: str, entry_id: str, field: str, value: Any) -> bool:
        """Set one detail of a service or hotline if it differs; True when something changed."""
        entry = self._entry(kind, entry_id)
        if _plain(entry.get(field)) == _plain(value):
            return False
        entry[field] = _yaml_value(value)
        return True


def _kind(kind: str) -> str:
    if kind not in ENTRY_KINDS:
        raise DraftEditError(f"unknown kind {kind!r}; use services or hotlines")
    return kind


def _language(lang: str) -> str:
    if lang not in LANGUAGES:
        raise DraftEditError(f"unknown language {lang!r}; use {' or '.join(LANGUAGES)}")
    return lang


def _child_map(parent: CommentedMap, key: str) -> CommentedMap:
    child = parent.get(key)
    if not isinstance(child, CommentedMap):
        child = parent[key] = CommentedMap()
    return child


def _set_list(parent: CommentedMap, key: str, texts: Iterable[str]) -> None:
    """Replace a list in place, so its comments and flow/block style stay where they can."""
    new = [t.strip() for t in texts if t.strip()]
    current = parent.get(key)
    if not isinstance(current, CommentedSeq):
        seq = CommentedSeq(yaml_safe_string(t) for t in new)
        parent[key] = seq
        return
    old = [str(v) for v in current]
    if new[: len(old)] == old:
        for text in new[len(old) :]:
            current.append(yaml_safe_string(text))
        return
    current.clear()
    current.ca.items.clear()  # comments hung on old positions would land on other lines
    current.extend(yaml_safe_string(t) for t in new)


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, str):
        return str(value)
    return value


def _yaml_value(value: Any) -> Any:
    if isinstance(value, dict):
        out = CommentedMap()
        for k, v in value.items():
            out[k] = _yaml_value(v)
        return out
    if isinstance(value, (list, tuple)):
        seq = CommentedSeq(_yaml_value(v) for v in value)
        if all(isinstance(v, str) and len(v) < 20 for v in value):
            seq.fa.set_flow_style()  # short lists on one line, as staff write them
        return seq
    if isinstance(value, str):
        return yaml_safe_string(value)
    return value


def days_for_yaml(weekdays: Iterable[int]) -> str | list[str]:
    """Weekday numbers as the catalogue writes them: "daily", "mon-fri", or [mon, wed]."""
    days = sorted(set(weekdays))
    if days == list(range(7)):
        return "daily"
    if len(days) > 1 and days == list(range(days[0], days[-1] + 1)):
        return f"{DAY_NAMES[days[0]]}-{DAY_NAMES[days[-1]]}"
    return [DAY_NAMES[d] for d in days]


def hours_for_yaml(hours: dict[str, Any]) -> dict[str, Any]:
    """The database's hours JSON as a catalogue `hours:` block."""
    return {
        "days": days_for_yaml(hours["weekdays"]),
        "periods": [f"{start}-{end}" for start, end in hours["periods"]],
    }
