"""Text as it *sounds*: pinyin for Mandarin, a phonetic key for English.

Recognisers (and older voices) produce homophones: 设保卡 for 社保卡, 玉约 for 预约,
"cheque" for "check". Comparing sound keys makes those free, and the fuzzy initials
and finals below make near-homophones (zh/z, n/l, -ng/-n) free as well.
"""

from __future__ import annotations

import itertools
import re
import zlib
from dataclasses import dataclass
from functools import cached_property, lru_cache

import jellyfish
from pypinyin import Style, lazy_pinyin

from .catalogue import Language

_WORD = re.compile(r"\S+")
_OTHER_UNIT = re.compile(r"[0-9a-z:]+|[^\s0-9a-z:]")
_HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_FUZZY_PINYIN: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p), r)
    for p, r in (
        (r"^zh", "z"),
        (r"^ch", "c"),
        (r"^sh", "s"),
        (r"^n(?=[^g]|$)", "l"),
        (r"^r", "l"),
        (r"^f", "h"),
        (r"ing$", "in"),
        (r"eng$", "en"),
        (r"ang$", "an"),
    )
)


@dataclass(frozen=True)
class SoundForm:
    """A normalised text beside its sound key, with a map back to the text."""

    surface: str
    """The normalised text itself."""

    sound: str
    """Space-separated sound keys, one per unit (a Chinese character or an English word)."""

    sound_units: str
    """One character per sound key: compares whole syllables or words, not their letters."""

    unit_spans: tuple[tuple[int, int], ...]
    """Where each unit (each character of `sound_units`) stands in `surface`."""

    surface_pairs: str
    """Each pair of neighbouring units as one character: rewards words in the right order."""

    sound_pairs: str
    """The same for neighbouring sound keys."""

    def surface_span(self, sound_start: int, sound_end: int) -> tuple[int, int]:
        """The surface span covering the units behind sound[sound_start:sound_end]."""
        unit_at = self._unit_at
        return self.unit_spans[unit_at[sound_start]][0], self.unit_spans[unit_at[sound_end - 1]][1]

    @cached_property
    def _unit_at(self) -> tuple[int, ...]:
        """For each character of `sound`, the unit it came from (a space: the unit after it).

        Worked out on first use: most texts (every catalogue example) never ask, and building it
        for each was a tenth of the sound key's cost."""
        unit_at: list[int] = []
        for unit, key in enumerate(self.sound.split(" ") if self.unit_spans else ()):
            unit_at += [unit] * (len(key) + 1)
        return tuple(unit_at[1:])


@lru_cache(maxsize=8192)
def fuzzy_syllable(syllable: str) -> str:
    """Fold initials and finals that older speakers and recognisers confuse."""
    for pattern, replacement in _FUZZY_PINYIN:
        syllable = pattern.sub(replacement, syllable)
    return syllable


@lru_cache(maxsize=32768)
def _han_key(char: str) -> str:
    """The fuzzy toneless syllable of one character, in its most common reading.

    Per character rather than per phrase: phrase segmentation costs ~100x more, and a
    recogniser's homophone has to be compared with the same reading on both sides anyway.
    """
    keys = lazy_pinyin(char, style=Style.NORMAL, errors="ignore")
    return fuzzy_syllable(keys[0]) if keys else char


def _han_run_keys(run: str) -> tuple[str, ...]:
    return tuple(_han_key(ch) for ch in run)


@lru_cache(maxsize=8192)
def english_key(word: str) -> str:
    """Metaphone for words; digits and placeholders stand for themselves."""
    if not word.isascii() or not word.isalpha():
        return word
    return jellyfish.metaphone(word).lower() or word


def sound_form(text: str, lang: Language) -> SoundForm:
    """Build the sound key of normalised `text`."""
    units: list[tuple[int, int, str]] = []  # (start, end, key)
    if lang == "zh":
        pos = 0
        for match in _HAN_RUN.finditer(text):
            units.extend(_other_units(text, pos, match.start()))
            for offset, key in enumerate(_han_run_keys(match.group(0))):
                start = match.start() + offset
                units.append((start, start + 1, key))
            pos = match.end()
        units.extend(_other_units(text, pos, len(text)))
    else:
        units = [(m.start(), m.end(), english_key(m.group(0))) for m in _WORD.finditer(text)]
    keys = [key for _, _, key in units]
    surface_units = [text[start:end] for start, end, _ in units]
    return SoundForm(text, " ".join(keys), "".join(map(_unit_code, keys)),
                     tuple([(start, end) for start, end, _ in units]), _pair_codes(surface_units), _pair_codes(keys))


@lru_cache(maxsize=65536)
def _unit_code(key: str) -> str:
    """A sound key as one character; placeholders stay themselves."""
    if len(key) == 1 and "\ue000" <= key <= "\uf8ff":
        return key
    return chr(0x20000 + zlib.crc32(key.encode()) % 0xC0000)


def _pair_codes(units: list[str]) -> str:
    """One character per neighbouring pair, so a subsequence match must keep words together.

    A plain longest-common-subsequence lets "是……的" in a long sentence match the example
    "是的"; over pairs, scattered characters share nothing.
    """
    known = _PAIR_CODES.get
    return "".join([known(pair) or _pair_code(pair) for pair in map("\x1f".join, itertools.pairwise(units))])


def _pair_code(pair: str) -> str:
    code = chr(0x20000 + zlib.crc32(pair.encode()) % 0xC0000)
    if len(_PAIR_CODES) < _PAIR_CODES_KEPT:
        _PAIR_CODES[pair] = code
    return code


_PAIR_CODES: dict[str, str] = {}
_PAIR_CODES_KEPT = 1 << 16
"""Pairs whose code is remembered: the demo catalogue's with room to spare (a 10,000-phrase
catalogue has some 60,000), at most a few MB of the kiosk's memory budget."""


def _other_units(text: str, start: int, end: int) -> list[tuple[int, int, str]]:
    """Non-Chinese stretches of a Chinese text: each word or placeholder is one unit."""
    units: list[tuple[int, int, str]] = []
    if start == end:
        return units
    for match in _OTHER_UNIT.finditer(text[start:end]):
        units.append((start + match.start(), start + match.end(), match.group(0)))
    return units
