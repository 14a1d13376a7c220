"""What the recogniser listens for, generated from the catalogue.

A recogniser that may hear any English or Mandarin sentence mishears residents far more
often than one that knows the few hundred things they come to say. So every sentence in
the catalogue — examples, keywords, counter-examples, out-of-scope chatter (so that chit-
chat is heard as chit-chat, not forced onto a request) — becomes a template of lexicon
words, with `{service}`, `{hotline}`, `{date}`, `{time}` and `{reference}` filled by the
catalogue's names and by the spoken dates, times and codes of `slot_phrases`.

Engines consume a grammar differently: PocketSphinx builds an n-gram model or a JSGF
grammar from it, Vosk estimates its own bigram model from the expanded phrases. The
grammar is rebuilt whenever the catalogue (or the model's lexicon) changes: it is keyed
on a hash of both and cached in the data directory (`GrammarCache`).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from intents.catalogue import SLOT_NAMES, Catalogue, Language

from .atomic_files import write_text_atomically
from .slot_phrases import spoken_answers, spoken_slot_values
from .vocabulary import Lexicon, VocabularyReport, spoken_words

GRAMMAR_FORMAT = 3
"""Bump when the way grammars are built changes: cached grammars of older formats are rebuilt."""

SLOT_MARK = re.compile(r"\{(" + "|".join(SLOT_NAMES) + r")\}")

SENTENCE_WEIGHT = 1.0
"""Each catalogue sentence counts once, however many names its slots expand to."""

KEYWORD_WEIGHT = 0.5
"""Keywords are fragments: likely on their own, but less than whole sentences."""

NAME_WEIGHT = 0.5
"""A service or hotline name said alone, as the answer to "which service?"."""

SPOKEN_VALUE_WEIGHT = 0.05
"""A date, time or code said alone; there are hundreds, so each gets little."""

ANSWER_WEIGHT = 0.3
"""A phone number or birth year, said when the kiosk asks for one."""


@dataclass(frozen=True)
class Template:
    """A sentence residents say, as lexicon words, with slot marks where names go."""

    parts: tuple[str, ...]
    """Lexicon words and slot marks ("{service}"), in order."""

    weight: float = SENTENCE_WEIGHT
    """How much the sentence counts in a language model, shared by all its expansions."""

    @property
    def slots(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(m.group(1) for p in self.parts if (m := SLOT_MARK.fullmatch(p))))


@dataclass(frozen=True)
class WeightedPhrase:
    """One phrase a resident may say, with how much it counts."""

    words: tuple[str, ...]
    weight: float


@dataclass(frozen=True)
class Grammar:
    """Templates and slot values for one language and one lexicon."""

    lang: Language
    """The catalogue language (or a model's own, such as "ko", for a plain phrase list)."""

    templates: tuple[Template, ...]

    slot_values: dict[str, tuple[tuple[str, ...], ...]]
    """Slot name → the word sequences that may fill it."""

    digest: str
    """Hash of everything the grammar was built from: equal digests, equal grammars."""

    closed: bool = False
    """True when the phrases are *all* that can be said (a plain phrase list), so a
    recogniser may snap what it heard to the nearest one; catalogue grammars only sample
    the slot combinations and are never snapped."""

    dropped: dict[str, int] = field(default_factory=dict)
    """Words left out because the lexicon lacks them, with counts — for staff to review."""

    def phrases(self) -> Iterator[WeightedPhrase]:
        """Every template with its slots filled, each name used at least once per template."""
        for template in self.templates:
            yield from _expand(template, self.slot_values)

    def phrase_texts(self) -> list[str]:
        """Distinct phrases as space-separated text, in a stable order."""
        return list(dict.fromkeys(" ".join(p.words) for p in self.phrases() if p.words))

    def vocabulary(self) -> frozenset[str]:
        words = {w for t in self.templates for w in t.parts if not SLOT_MARK.fullmatch(w)}
        words.update(w for values in self.slot_values.values() for value in values for w in value)
        return frozenset(words)

    def to_json(self) -> dict[str, Any]:
        return {
            "format": GRAMMAR_FORMAT,
            "lang": self.lang,
            "digest": self.digest,
            "closed": self.closed,
            "templates": [[list(t.parts), t.weight] for t in self.templates],
            "slot_values": {k: [list(v) for v in values] for k, values in self.slot_values.items()},
            "dropped": self.dropped,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Grammar:
        return cls(
            lang=data["lang"],
            templates=tuple(Template(tuple(parts), weight) for parts, weight in data["templates"]),
            slot_values={k: tuple(tuple(v) for v in values) for k, values in data["slot_values"].items()},
            digest=data["digest"],
            closed=data["closed"],
            dropped=dict(data["dropped"]),
        )


def catalogue_grammar(
    catalogue: Catalogue, lang: Language, lexicon: Lexicon | None = None, lexicon_id: str = ""
) -> Grammar:
    """The grammar for `lang` from every sentence and name in the catalogue.

    `lexicon_id` names the lexicon's version (see `lexicon_identity`) for the digest.
    """
    report = VocabularyReport()

    def words(text: str) -> tuple[str, ...]:
        return spoken_words(text, lang, lexicon, report)

    def template(text: str, weight: float) -> Template | None:
        parts: list[str] = []
        for n, piece in enumerate(SLOT_MARK.split(text)):
            parts += [f"{{{piece}}}"] if n % 2 else words(piece)
        return Template(tuple(parts), weight) if parts else None

    sentences: list[tuple[str, float]] = []
    for intent in catalogue.intents:
        sentences += [(s, SENTENCE_WEIGHT) for s in intent.examples.get(lang, ())]
        sentences += [(s, SENTENCE_WEIGHT) for s in intent.counter_examples.get(lang, ())]
        sentences += [(k.text, KEYWORD_WEIGHT) for k in intent.keywords.get(lang, ())]
    sentences += [(s, SENTENCE_WEIGHT) for s in catalogue.out_of_scope.get(lang, ())]
    for hotline in catalogue.hotlines:
        sentences += [(s, KEYWORD_WEIGHT) for s in hotline.situations.get(lang, ())]
    sentences += [(s, ANSWER_WEIGHT) for s in spoken_answers(lang)]

    slot_texts: dict[str, list[str]] = {
        "service": [name for s in catalogue.services for name in s.names.get(lang, ())],
        "hotline": [name for h in catalogue.hotlines for name in h.names.get(lang, ())],
        **{slot: list(spoken_slot_values(slot, lang)) for slot in ("date", "time", "reference")},
    }
    slot_values = {
        slot: tuple(v for v in dict.fromkeys(words(text) for text in texts) if v)
        for slot, texts in slot_texts.items()
    }
    for slot, values in slot_values.items():
        weight = NAME_WEIGHT if slot in ("service", "hotline") else SPOKEN_VALUE_WEIGHT
        sentences += [(f"{{{slot}}}", weight * len(values))]  # each value alone, at `weight` each

    templates = tuple(t for text, weight in sentences if (t := template(text, weight)) is not None)
    return Grammar(
        lang=lang,
        templates=_merge_duplicates(templates),
        slot_values=slot_values,
        digest=catalogue_digest(catalogue, lang, lexicon_id),
        dropped=dict(sorted(report.dropped.items())),
    )


def phrase_grammar(
    phrases: Sequence[str], lang: Language, lexicon: Lexicon | None = None, lexicon_id: str = ""
) -> Grammar:
    """A closed grammar of exactly these phrases (a confirmation menu, a test, a demo)."""
    report = VocabularyReport()
    templates = tuple(Template(w) for p in phrases if (w := spoken_words(p, lang, lexicon, report)))
    digest = _hash([GRAMMAR_FORMAT, "phrases", lang, lexicon_id, list(phrases)])
    return Grammar(lang, _merge_duplicates(templates), {}, digest, closed=True, dropped=dict(report.dropped))


def catalogue_digest(catalogue: Catalogue, lang: Language, lexicon_id: str = "") -> str:
    """Changes whenever anything in the catalogue changes (its file path aside)."""
    content = repr(dataclasses.replace(catalogue, source=""))
    spoken = [spoken_slot_values(slot, lang) for slot in ("date", "time", "reference")] + [spoken_answers(lang)]
    return _hash([GRAMMAR_FORMAT, "catalogue", lang, lexicon_id, content, spoken])


def lexicon_identity(path: Path) -> str:
    """Names one version of a lexicon file: its path, size and modification time."""
    stat = path.stat()
    return f"{path.resolve()}:{stat.st_size}:{stat.st_mtime_ns}"


class GrammarCache:
    """Grammars built once per catalogue version and kept as JSON in the data directory."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def path(self, name: str, lang: Language, digest: str) -> Path:
        return self.directory / f"{name}-{lang}-{digest[:16]}.json"

    def load_or_build(
        self, catalogue: Catalogue, lang: Language, name: str, lexicon_id: str, build: Callable[[], Grammar]
    ) -> Grammar:
        """The cached grammar for this catalogue and lexicon, or `build()`'s, saved for next time.

        `name` tells engines' grammars apart ("pocketsphinx", "vosk-small-cn"); older
        grammars of the same name and language are removed when a new one is saved.
        """
        digest = catalogue_digest(catalogue, lang, lexicon_id)
        path = self.path(name, lang, digest)
        if path.is_file():
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                if data.get("format") == GRAMMAR_FORMAT and data.get("digest") == digest:
                    return Grammar.from_json(data)
            except (OSError, ValueError, KeyError, TypeError):
                pass  # damaged or half-written: rebuild below
        grammar = build()
        self._save(path, grammar, name, lang)
        return grammar

    def _save(self, path: Path, grammar: Grammar, name: str, lang: Language) -> None:
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            for old in self.directory.glob(f"{name}-{lang}-*"):
                if old.name != path.name and old.suffix == ".json":
                    old.unlink(missing_ok=True)
            write_text_atomically(path, json.dumps(grammar.to_json(), ensure_ascii=False))
        except OSError:
            pass  # a read-only data directory only costs a rebuild next time


def _expand(template: Template, slot_values: dict[str, tuple[tuple[str, ...], ...]]) -> Iterator[WeightedPhrase]:
    slots = template.slots
    if not slots:
        yield WeightedPhrase(template.parts, template.weight)
        return
    sizes = {s: len(slot_values.get(s, ())) for s in slots}
    count = max(1, *sizes.values())
    for i in range(count):
        words: list[str] = []
        for part in template.parts:
            mark = SLOT_MARK.fullmatch(part)
            if mark is None:
                words.append(part)
            elif sizes[mark.group(1)]:
                # A different stride per slot, so two slots do not always pair the same values.
                stride = 1 + 6 * slots.index(mark.group(1))
                words += slot_values[mark.group(1)][(i * stride) % sizes[mark.group(1)]]
        yield WeightedPhrase(tuple(words), template.weight / count)


def _merge_duplicates(templates: Iterable[Template]) -> tuple[Template, ...]:
    merged: dict[tuple[str, ...], float] = {}
    for t in templates:
        merged[t.parts] = merged.get(t.parts, 0.0) + t.weight
    return tuple(Template(parts, weight) for parts, weight in merged.items())


def _hash(value: object) -> str:
    return hashlib.sha256(json.dumps(value, ensure_ascii=False, default=str).encode()).hexdigest()
