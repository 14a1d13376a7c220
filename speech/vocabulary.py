"""Catalogue text as the words a recogniser's lexicon has.

Staff write the catalogue for people ("Check-up", "120", "counselling", "社保卡在哪儿办？");
a recogniser can only be told about words in its own lexicon. Everything is spelt the
way it is *said* (digits as words, no punctuation), then fitted to the lexicon: English
words it lacks are mapped onto ones it has (British to American spelling, possessives,
compounds) or dropped; Mandarin is cut into lexicon words. Dropped words are reported,
so staff can see which names the recogniser cannot hear.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

from intents.catalogue import Language

from .slot_phrases import EN_DIGIT_WORDS, ZH_SPOKEN_DIGITS, en_cardinal, zh_cardinal
from .word_segmenter import WordSegmenter


class Lexicon(Protocol):
    """The words one recogniser model can hear."""

    def __contains__(self, word: object) -> bool: ...

    @property
    def longest_word(self) -> int:
        """Characters in its longest word (bounds the Mandarin segmenter's search)."""
        ...


_EN_TOKEN = re.compile(r"[a-z]\.[a-z]\.|[a-z0-9]+(?:'[a-z]+)*")
_ZH_DROP = re.compile(r"[^0-9a-z\u3400-\u4dbf\u4e00-\u9fff]+")
_ZH_DIGITS = re.compile(r"[0-9]+")
_LATIN_RUN = re.compile(r"[a-z]+")

_BRITISH_SPELLINGS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"lling$", "ling"), (r"lled$", "led"), (r"llor$", "lor"), (r"our$", "or"), (r"ours$", "ors"),
        (r"re$", "er"), (r"res$", "ers"), (r"ise$", "ize"), (r"ised$", "ized"), (r"isation$", "ization"),
        (r"ogue$", "og"), (r"ence$", "ense"),
    )
)  # fmt: skip


@dataclass
class VocabularyReport:
    """What could not be fitted to the lexicon while building one grammar."""

    dropped: dict[str, int] = field(default_factory=dict)
    """Word (or Mandarin character) → how often it was left out."""

    def drop(self, words: Iterable[str]) -> None:
        for word in words:
            self.dropped[word] = self.dropped.get(word, 0) + 1


def spoken_words(text: str, lang: Language, lexicon: Lexicon | None, report: VocabularyReport) -> tuple[str, ...]:
    """`text` as a sequence of lexicon words ("where is the check-up" → where is the check up)."""
    if lang == "zh":
        return _mandarin_words(text, lexicon, report)
    if lang == "en":
        return _english_words(text, lexicon, report)
    return _lexicon_words(text.split(), lexicon, report)  # a model's own language, words already spaced


def _lexicon_words(words: list[str], lexicon: Lexicon | None, report: VocabularyReport) -> tuple[str, ...]:
    kept = tuple(w for w in words if lexicon is None or w in lexicon)
    report.drop(w for w in words if lexicon is not None and w not in lexicon)
    return kept


def _tidy(text: str) -> str:
    return unicodedata.normalize("NFKC", text).replace("’", "'").replace("‘", "'").lower()


def _english_words(text: str, lexicon: Lexicon | None, report: VocabularyReport) -> tuple[str, ...]:
    words: list[str] = []
    for token in _EN_TOKEN.findall(_tidy(text).replace("-", " ")):
        for word in _english_number(token) if token.isdigit() else (token,):
            if lexicon is None or word in lexicon:
                words.append(word)
                continue
            fitted = fit_english_word(word, lexicon)
            if fitted:
                words += fitted
            else:
                report.drop([word])
    return tuple(words)


def _english_number(digits: str) -> tuple[str, ...]:
    """Two digits or fewer are a quantity ("eighty"); longer ones are read digit by digit."""
    if len(digits) <= 2:
        return tuple(en_cardinal(int(digits)).split())
    return tuple(EN_DIGIT_WORDS[int(d)] for d in digits)


def fit_english_word(word: str, lexicon: Lexicon) -> tuple[str, ...]:
    """Lexicon words for an English word the lexicon lacks, or () when none fit."""
    candidates = [word.removesuffix("'s"), word.removesuffix("'"), word.replace("'", "")]
    candidates += [pattern.sub(replacement, word) for pattern, replacement in _BRITISH_SPELLINGS]
    for candidate in candidates:
        if candidate != word and candidate in lexicon:
            return (candidate,)
    for cut in range(3, len(word) - 2):  # compounds: "housecleaning" → house cleaning
        head, tail = word[:cut], word[cut:]
        if head in lexicon and tail in lexicon:
            return head, tail
    return ()


def _mandarin_words(text: str, lexicon: Lexicon | None, report: VocabularyReport) -> tuple[str, ...]:
    text = _ZH_DIGITS.sub(lambda m: _mandarin_number(m.group(0)), _tidy(text))
    text = _LATIN_RUN.sub(lambda m: f" {m.group(0)} ", _ZH_DROP.sub(" ", text))
    if lexicon is None:
        # No lexicon to cut against: one character per word, Latin words whole.
        return tuple(w for chunk in text.split() for w in ([chunk] if chunk.isascii() else list(chunk)))
    segmentation = WordSegmenter(lexicon, lexicon.longest_word).segment(text)
    report.drop(segmentation.missing)
    return segmentation.words


def _mandarin_number(digits: str) -> str:
    """Two digits or fewer as a quantity (二十); longer ones digit by digit with 幺 (幺二零)."""
    if len(digits) <= 2:
        return zh_cardinal(int(digits))
    return "".join(ZH_SPOKEN_DIGITS[int(d)] for d in digits)
