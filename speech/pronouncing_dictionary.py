"""PocketSphinx's pronouncing dictionary (CMUdict, shipped in its wheel) as a lexicon.

The grammar may only use words with a pronunciation, and the decoder loads faster and
searches less when given only the grammar's words: so the full dictionary is read once
to fit the catalogue's words, and a small one is written for the decoder.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pocketsphinx

from .errors import ModelError


def english_model_dir() -> Path:
    """The US-English acoustic model and dictionary inside the pocketsphinx wheel."""
    return Path(pocketsphinx.get_model_path()) / "en-us"


@dataclass(frozen=True)
class PronouncingDictionary:
    """Words and their pronunciations (alternatives as "word(2)" lines in the file)."""

    entries: dict[str, tuple[str, ...]]
    """Word → its pronunciations, each a space-separated phone string."""

    source: Path
    """The file it was read from."""

    longest_word: int = 0

    @property
    def words(self) -> frozenset[str]:
        return frozenset(self.entries)

    def __contains__(self, word: object) -> bool:
        return word in self.entries

    def write_subset(self, words: Iterable[str], path: Path) -> None:
        """A dictionary file with just these words (those it has), in PocketSphinx's format."""
        lines = []
        for word in sorted(set(words)):
            for n, phones in enumerate(self.entries.get(word, ())):
                lines.append(f"{word} {phones}" if n == 0 else f"{word}({n + 1}) {phones}")
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def read_dictionary(path: Path | None = None) -> PronouncingDictionary:
    """The dictionary at `path`, by default CMUdict from the pocketsphinx wheel."""
    file = path or english_model_dir() / "cmudict-en-us.dict"
    entries: dict[str, list[str]] = {}
    try:
        with file.open(encoding="utf-8") as lines:
            for line in lines:
                word, _, phones = line.strip().partition(" ")
                if not phones:
                    continue
                base = word.split("(", 1)[0] if word.endswith(")") else word
                entries.setdefault(base, []).append(phones.strip())
    except OSError as exc:
        raise ModelError(f"cannot read the pronouncing dictionary {file}: {exc}") from None
    return PronouncingDictionary(
        {w: tuple(p) for w, p in entries.items()}, file, max((len(w) for w in entries), default=0)
    )
