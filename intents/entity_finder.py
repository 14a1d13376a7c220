"""Find the services and hotlines a resident names, however the recogniser spelled them.

Three passes, each only where the previous found nothing to overlap: exact words,
exact sound (homophones), then fuzzy sound for longer names (near-misses such as
"sosial security card"). Longer names win, so 居家养老 is not read as 养老.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from rapidfuzz import fuzz, process

from .catalogue import Catalogue, Language
from .normaliser import normalise
from .numbers import is_number_unit
from .shared_units import SharedUnits
from .slot_span import SlotSpan
from .sound_form import SoundForm, sound_form

FUZZY_MIN_LETTERS = 9
"""English: shorter names are matched exactly (by spelling or sound) only."""

FUZZY_MIN_SYLLABLES = 3
"""Mandarin: names of fewer syllables are matched exactly (by characters or sound) only."""

SOUND_MIN_SYLLABLES = {"name": 2, "situation": 3}
"""Mandarin: the shortest key matched by sound alone. A name of two syllables is worth it (设保 for
社保); a two-syllable description is an everyday word, and its sound turns up across word
boundaries (海南过冬 sounds like 难过, 微信里的 like 心里的)."""

SOUND_MIN_WORDS = {"name": 1, "situation": 3}
"""English, likewise in words: a two-word description is an everyday phrase whose sound-alikes
are other everyday phrases ("my wife fell down" is no "feel down"), so it is matched by spelling."""

FUZZY_CUTOFF = 88.0
"""rapidfuzz partial_ratio (0–100) an English near-miss must reach, over its letters."""

ZH_FUZZY_CUTOFF = 80.0
"""The same for Mandarin over whole syllables: one syllable in five may differ, or one be added.

Over letters, 线电话 came within reach of 火警电话 because both end in 电话."""

NAME_COVERAGE = 0.85
"""Share of a name a fuzzy match must cover."""

EN_WORD_HEAD_SLACK = 2
"""Letters of a heard word that may come before where an English near-miss starts: a recogniser
adds a letter ("ahealth check"), but a name found inside a longer word ("nobody" ⊃ "body") is
another word."""

EN_SOUND_SPELLING_FLOOR = 80.0
"""An English sound-alike must also look alike: "please" and "place" sound like "police" but are
other words ("his school place" named no police); a recogniser's homophone is spelled close."""

_ZH_SPOKEN_DIGITS = {"0": ("零",), "1": ("一", "幺"), "2": ("二",), "3": ("三",), "4": ("四",),
                     "5": ("五",), "6": ("六",), "7": ("七",), "8": ("八",), "9": ("九",)}
_EN_SPOKEN_DIGITS = {"0": ("zero", "oh"), "1": ("one",), "2": ("two",), "3": ("three",), "4": ("four",),
                     "5": ("five",), "6": ("six",), "7": ("seven",), "8": ("eight",), "9": ("nine",)}


@dataclass(frozen=True)
class _Name:
    slot: str
    """"service" or "hotline"."""

    entity_id: str
    surface: str
    sound: str
    units: str
    """One character per syllable or word (SoundForm.sound_units)."""

    compact: str
    """The name without spaces, for near-misses that split or join words."""


NamedEntry = tuple[str, str, dict[Language, tuple[str, ...]]]
"""(slot, entity id, names per language)."""


class EntityFinder:
    """Spots catalogue services and hotlines (or any named entries) in normalised text."""

    @classmethod
    def for_names(cls, catalogue: Catalogue) -> EntityFinder:
        """Services and hotlines by what they are called."""
        return cls([("service", s.id, s.names) for s in catalogue.services]
                   + [("hotline", h.id, h.names) for h in catalogue.hotlines])

    @classmethod
    def for_situations(cls, catalogue: Catalogue, slot: str) -> EntityFinder:
        """Hotlines or services (`slot`) by what they are for (着火 → fire, 没人做饭 → meals),
        when no name was said. One finder per kind: "feeling low" is both a line and a service."""
        entries = catalogue.hotlines if slot == "hotline" else catalogue.services
        return cls([(slot, e.id, e.situations) for e in entries if e.situations], "situation")

    def __init__(self, entries: list[NamedEntry], kind: str = "name") -> None:
        """`kind`: "name" or "situation", which sets how long a key must be to be matched by sound."""
        self._names: dict[Language, list[_Name]] = {"zh": [], "en": []}
        pinyin: set[str] = set()  # matched exactly or by sound only: near-misses cost too much time
        for slot, entity_id, names_by_lang in entries:
            for lang, names in names_by_lang.items():
                spelled = _with_spoken_numbers(names, lang)
                joined = _with_joined_pinyin(spelled, lang)
                if len(joined) > len(spelled):
                    pinyin.update(normalise(n, lang) for n in joined if n not in names or _has_pinyin_pair(n))
                for name in joined:
                    surface = normalise(name, lang)
                    if surface:
                        form = sound_form(surface, lang)
                        self._names[lang].append(_Name(slot, entity_id, surface, form.sound, form.sound_units,
                                                             surface.replace(" ", "")))
        for listed in self._names.values():
            listed.sort(key=lambda n: len(n.surface), reverse=True)
        self._by_surface = {lang: _first_by(names, "surface") for lang, names in self._names.items()}
        self._by_sound = {
            lang: _first_by([n for n in names if _sound_trusted(n, lang, kind)], "sound")
            for lang, names in self._names.items()
        }
        self._surface_pattern = {
            lang: _alternation(list(d), whole_words=lang == "en", plurals=lang == "en")
            for lang, d in self._by_surface.items()
        }
        self._sound_pattern = {lang: _alternation(list(d), True, False) for lang, d in self._by_sound.items()}
        # Sound names (and English names) are matched on whole words, so one can only be found
        # where its first two words are (an English name: its first word, perhaps in the plural).
        self._sound_heads = {lang: frozenset(" ".join(sound.split(" ")[:2]) for sound in d)
                             for lang, d in self._by_sound.items()}
        self._en_surface_heads = frozenset(surface.split(" ")[0] for surface in self._by_surface.get("en", {}))
        self._fuzzy: dict[Language, list[_Name]] = {
            lang: [  # numbers are said exactly or not at all: "12345热线" is no near-miss of "老年人的热线"
                n for n in names
                if not any(ch.isdigit() for ch in n.surface) and n.surface not in pinyin
                and (len(n.units) >= FUZZY_MIN_SYLLABLES if lang == "zh"
                    else len(n.compact) >= FUZZY_MIN_LETTERS)
            ]
            for lang, names in self._names.items()
        }
        # Names spelled apart or joined ("house keeping", pinyin "lao nian ka") are one near-miss.
        self._fuzzy["en"] = list({n.compact: n for n in reversed(self._fuzzy["en"])}.values())[::-1]
        self._fuzzy_keys = {
            lang: [n.units for n in names] if lang == "zh" else [n.compact for n in names]
            for lang, names in self._fuzzy.items()
        }
        self._fuzzy_bounds: dict[Language, SharedUnits] = {}
        """Built on first use: only the finder of names said by residents matches fuzzily."""

    def find(self, form: SoundForm, lang: Language, taken: list[SlotSpan], fuzzy: bool = True) -> list[SlotSpan]:
        """Entity spans in `form.surface` that do not overlap `taken` (spans found before).

        `fuzzy` is for recogniser output; catalogue text is spelled as meant.
        """
        found: list[SlotSpan] = []
        occupied = list(taken)
        pattern = self._surface_pattern.get(lang)
        if pattern and lang == "en" and self._en_surface_heads.isdisjoint(_singulars(form.surface)):
            pattern = None
        for match in pattern.finditer(form.surface) if pattern else ():
            name = self._by_surface[lang][match.group("name")]
            _claim(SlotSpan(name.slot, name.entity_id, match.start(), match.end()), occupied, found, form.surface, lang)
        pattern = self._sound_pattern.get(lang)
        if pattern and self._sound_heads[lang].isdisjoint(_word_heads(form.sound)):
            pattern = None
        for match in pattern.finditer(form.sound) if pattern else ():
            name = self._by_sound[lang][match.group("name")]
            begin, end = form.surface_span(match.start(), match.end())
            if lang == "en" and fuzz.ratio(name.surface, form.surface[begin:end]) < EN_SOUND_SPELLING_FLOOR:
                continue
            _claim(SlotSpan(name.slot, name.entity_id, begin, end), occupied, found, form.surface, lang)
        if fuzzy and not found:
            self._find_fuzzy(form, lang, occupied, found)
        return sorted(found, key=lambda s: s.start)

    def _find_fuzzy(self, form: SoundForm, lang: Language, occupied: list[SlotSpan],
                    found: list[SlotSpan]) -> None:
        """Near-misses: by syllables in Mandarin; in English by letters with the spaces taken
        out, since recognisers split and join words ("medic al insurance", "house keeping")."""
        names = self._fuzzy.get(lang, [])
        if lang == "zh":
            text, cutoff = form.sound_units, ZH_FUZZY_CUTOFF
            shortest = FUZZY_MIN_SYLLABLES
        else:
            positions = [i for i, ch in enumerate(form.surface) if ch != " "]
            text, cutoff = form.surface.replace(" ", ""), FUZZY_CUTOFF
            shortest = FUZZY_MIN_LETTERS
        if not names or len(text) < shortest:
            return
        keys = self._fuzzy_keys[lang]
        bounds = self._fuzzy_bounds.get(lang)
        if bounds is None:
            bounds = self._fuzzy_bounds[lang] = SharedUnits(keys)
        # Only names that could reach the cutoff; in name order, so ties rank as before.
        possible = bounds.candidates(text, cutoff)
        choices = [keys[i] for i in possible]
        for _, _, picked in process.extract(text, choices, scorer=fuzz.partial_ratio, score_cutoff=cutoff, limit=3):
            index = possible[picked]
            name, key = names[index], keys[index]
            alignment = fuzz.partial_ratio_alignment(key, text)
            if alignment is None or alignment.score < cutoff or alignment.dest_end <= alignment.dest_start:
                continue
            if alignment.src_end - alignment.src_start < NAME_COVERAGE * len(key):
                continue  # a short sentence matching a piece of a long name ("救命" in 医疗保险)
            heard = alignment.dest_end - alignment.dest_start
            if lang == "zh" and len(key) == FUZZY_MIN_SYLLABLES and heard < len(key):
                continue  # two syllables of a three-syllable name: 老年 in 老年合唱团 is no 老年卡
            if lang == "zh":
                begin = form.unit_spans[alignment.dest_start][0]
                stop = form.unit_spans[alignment.dest_end - 1][1]
            else:
                first = positions[alignment.dest_start]
                begin, stop = _whole_words(form.surface, first, positions[alignment.dest_end - 1] + 1)
                if first - begin >= EN_WORD_HEAD_SLACK:
                    continue  # the name's letters begin inside another word: "nobody checks" is no "body check"
            _claim(SlotSpan(name.slot, name.entity_id, begin, stop), occupied, found, form.surface, lang)


def _with_spoken_numbers(names: tuple[str, ...], lang: Language) -> list[str]:
    """Numbers as names ("12345") are also said digit by digit: 幺二三四五, one two three four five."""
    out = list(names)
    spoken = _ZH_SPOKEN_DIGITS if lang == "zh" else _EN_SPOKEN_DIGITS
    joiner = "" if lang == "zh" else " "
    for name in names:
        if name.isdigit() and len(name) <= 6:
            readings = [""]
            for digit in name:
                readings = [f"{r}{joiner if r else ''}{w}" for r in readings for w in spoken[digit]][:16]
            out.extend(r for r in readings if r not in out)
    return out


_PINYIN_SYLLABLE = re.compile(
    r"(?:[bpmfdtnlgkhjqxrzcsyw]|zh|ch|sh)?"
    r"(?:a|ai|an|ang|ao|e|ei|en|eng|er|i|ia|ian|iang|iao|ie|in|ing|iong|iu|o|ong|ou|u|ua|uai|uan|uang|ue|ui|un|uo|v|ve)"
)

def _with_joined_pinyin(names: list[str], lang: Language) -> list[str]:
    """Older residents speaking English name things by their Chinese names, and write or are
    heard with the syllables together or apart: "lao nian ka" is also "laonian ka", "laonianka"
    ("shebao card", "juzhu zhengming"). The catalogue spells pinyin syllable by syllable; each
    run of syllables is also a name joined whole and joined in pairs (Chinese words are mostly
    two syllables), from the left and, for an odd run, from the right."""
    if lang != "en":
        return names
    out = list(names)
    for name in names:
        if not _has_pinyin_pair(name):
            continue
        words = name.split()
        runs: list[list[str]] = []
        for word in words:
            if _PINYIN_SYLLABLE.fullmatch(word) and runs and runs[-1] and _PINYIN_SYLLABLE.fullmatch(runs[-1][-1]):
                runs[-1].append(word)
            else:
                runs.append([word])
        for style in ("whole", "pairs", "pairs from the right"):
            spelled = " ".join(_joined(run, style) for run in runs)
            if spelled not in out:
                out.append(spelled)
    return out


def _has_pinyin_pair(name: str) -> bool:
    """Two neighbouring words of `name` are pinyin syllables."""
    return any(_PINYIN_SYLLABLE.fullmatch(a) and _PINYIN_SYLLABLE.fullmatch(b)
               for a, b in itertools.pairwise(name.split()))


def _joined(run: list[str], style: str) -> str:
    if len(run) < 2 or style == "whole":
        return "".join(run)
    offset = len(run) % 2 if style == "pairs from the right" else 0
    pieces = run[:offset] + ["".join(run[i:i + 2]) for i in range(offset, len(run), 2)]
    return " ".join(pieces)


@lru_cache(maxsize=8)
def _word_heads(sound: str) -> frozenset[str]:
    """Every word of a sound key, and every two neighbouring words: the possible first two
    words of a name found in it. Cached: the name and situation finders ask in turn for the
    same text."""
    words = sound.split(" ")
    return frozenset(words + [f"{a} {b}" for a, b in itertools.pairwise(words)])


@lru_cache(maxsize=8)
def _singulars(text: str) -> frozenset[str]:
    """Every word of `text`, and each without a plural ending it might have (s, es); cached
    like `_word_heads`."""
    words = set(text.split(" "))
    words.update([w[:-1] for w in words if w.endswith("s")] + [w[:-2] for w in words if w.endswith("es")])
    return frozenset(words)


def _sound_trusted(name: _Name, lang: Language, kind: str) -> bool:
    """One syllable or a short key sounds like too many other words to be matched by sound."""
    if lang == "zh":
        return len(name.surface) >= SOUND_MIN_SYLLABLES[kind]
    return len(name.sound) >= 3 and len(name.surface.split()) >= SOUND_MIN_WORDS[kind]


def _first_by(names: list[_Name], attribute: str) -> dict[str, _Name]:
    table: dict[str, _Name] = {}
    for name in names:
        table.setdefault(getattr(name, attribute), name)
    return table


def _alternation(texts: list[str], whole_words: bool, plurals: bool) -> re.Pattern[str] | None:
    """One regex for all names, so the longest name wins at each position.

    English names also match their plural ("check ups", "senior cards").

    The names are written as a trie (社(?:保卡|区…)), not as a list: at each position the regex
    follows the text down one path instead of trying every name in turn, which was most of the
    cost of preparing catalogue examples. Deeper alternatives come before the end of a shorter
    name, so it still finds the longest name that fits (with what must follow it) first, as the
    list sorted longest first did.
    """
    if not texts:
        return None
    body = "(?P<name>" + _trie(texts) + ")"
    if plurals:
        body += "(?:s|es)?"
    return re.compile(rf"(?<![^ ]){body}(?![^ ])" if whole_words else body)


def _trie(texts: list[str]) -> str:
    root: dict[str, dict[str, Any]] = {}
    for text in texts:
        node = root
        for char in text:
            node = node.setdefault(char, {})
        node[""] = {}  # a name ends here
    return _trie_node(root)


def _trie_node(node: dict[str, dict[str, Any]]) -> str:
    longer = [re.escape(char) + _trie_node(child) for char, child in sorted(node.items()) if char]
    if not longer:
        return ""
    if len(longer) == 1 and "" not in node:
        return longer[0]
    group = "(?:" + "|".join(longer) + ")"
    return group + "?" if "" in node else group  # greedy: the longer names first


def _whole_words(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen a span to the words it touches."""
    while start > 0 and text[start - 1] != " ":
        start -= 1
    while end < len(text) and text[end] != " ":
        end += 1
    return start, end


def _claim(span: SlotSpan, occupied: list[SlotSpan], found: list[SlotSpan], surface: str, lang: Language) -> None:
    if _inside_longer_number(surface, span.start, span.end, lang):
        return
    if all(span.end <= other.start or span.start >= other.end for other in occupied):
        occupied.append(span)
        found.append(span)


def _inside_longer_number(surface: str, start: int, end: int, lang: Language) -> bool:
    """A line's number heard inside a longer one is no line: 一二三四五 in the phone number
    一三九一二三四五六七八 is not 12345, nor 一一零 in room 一一零二 the police."""
    said = surface[start:end]
    units = said.split() if lang == "en" else [c for c in said if not c.isspace()]
    if not units or not all(map(is_number_unit, units)):
        return False
    before, after = surface[:start].split(), surface[end:].split()
    if lang == "en":
        neighbours = [before[-1] if before else "", after[0] if after else ""]
    else:
        neighbours = [before[-1][-1] if before else "", after[0][0] if after else ""]
    return any(n and is_number_unit(n) for n in neighbours)
