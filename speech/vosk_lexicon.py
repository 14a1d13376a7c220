"""The words a Vosk model knows, read from the model itself.

A Vosk grammar may only use words of the model's lexicon: any other word is dropped with
a warning ("Ignoring word missing in vocabulary"), which for Mandarin silently removes
whole service names. So the grammar is built from the lexicon. Models ship it as
`graph/words.txt`, or — the small lookahead models such as vosk-model-small-cn-0.22 and
the Korean one — only inside `graph/Gr.fst`, whose OpenFst header carries the word
symbol table; reading that header avoids needing OpenFst here.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from .errors import ModelError

FST_MAGIC = 2125659606
"""OpenFst's file magic number (fst/fst.h)."""

SYMBOL_TABLE_MAGIC = 2125658996
"""OpenFst's symbol-table magic number (fst/symbol-table.cc)."""

HAS_INPUT_SYMBOLS = 0x1
"""FstHeader flag: an input symbol table follows the header."""

WORD_LIST_FILES = ("graph/words.txt", "words.txt", "graph/phones/words.txt")
SYMBOL_TABLE_FSTS = ("graph/Gr.fst", "graph/HCLG.fst")

NON_WORDS = frozenset({"<eps>", "#0", "<s>", "</s>", "!SIL", "<SPOKEN_NOISE>", "<UNK>", "<unk>", "[unk]",
                       "[noise]", "<NOISE>", "[laughter]", "<sil>", "SIL"})
"""Symbols in a word table that are not words a resident can say."""


@dataclass(frozen=True)
class ModelLexicon:
    """The words of one model's lexicon."""

    words: frozenset[str]
    """Every word the model can recognise (noise and unknown-word symbols excluded)."""

    symbols: frozenset[str]
    """Every symbol of the table, including `<UNK>`-style ones, to find the model's unk token."""

    source: Path
    """The file it was read from, for messages and cache keys."""

    longest_word: int = 1
    """Characters in the longest word: how far the Mandarin segmenter needs to look."""

    def __contains__(self, word: object) -> bool:
        return word in self.words


def read_model_lexicon(model_dir: str | Path) -> ModelLexicon:
    """The lexicon of the Vosk model in `model_dir`, from words.txt or the grammar FST header."""
    root = Path(model_dir)
    for name in WORD_LIST_FILES:
        path = root / name
        if path.is_file():
            return _lexicon(_read_word_list(path), path)
    for name in SYMBOL_TABLE_FSTS:
        path = root / name
        if path.is_file():
            with path.open("rb") as stream:
                symbols = _read_fst_input_symbols(stream, path)
            if symbols:
                return _lexicon(symbols, path)
    raise ModelError(
        f"cannot find the word list of the model in {root}: no graph/words.txt, and graph/Gr.fst has no "
        "word table. A grammar needs a small (lookahead) Vosk model such as vosk-model-small-cn-0.22."
    )


def _lexicon(symbols: set[str], source: Path) -> ModelLexicon:
    words = frozenset(symbols - NON_WORDS)
    return ModelLexicon(words, frozenset(symbols), source, max((len(w) for w in words), default=1))


def _read_word_list(path: Path) -> set[str]:
    words = set()
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            parts = line.split()
            if parts:
                words.add(parts[0])
    return words


def _read_fst_input_symbols(stream: BinaryIO, path: Path) -> set[str]:
    """The input symbol table from an OpenFst binary header (empty if the FST has none)."""
    try:
        if _int32(stream) != FST_MAGIC:
            return set()
        _string(stream)  # fst type ("ngram", "const", "vector")
        _string(stream)  # arc type
        _int32(stream)  # version
        flags = _int32(stream)
        stream.read(8 + 8 + 8 + 8)  # properties, start, number of states, number of arcs
        if not flags & HAS_INPUT_SYMBOLS or _int32(stream) != SYMBOL_TABLE_MAGIC:
            return set()
        _string(stream)  # table name
        _int64(stream)  # available key
        size = _int64(stream)
        symbols = set()
        for _ in range(size):
            symbols.add(_string(stream))
            stream.read(8)  # key
        return symbols
    except (struct.error, UnicodeDecodeError, MemoryError) as exc:
        raise ModelError(f"{path} looks damaged: its word table cannot be read ({exc})") from None


def _int32(stream: BinaryIO) -> int:
    return int(struct.unpack("<i", stream.read(4))[0])


def _int64(stream: BinaryIO) -> int:
    return int(struct.unpack("<q", stream.read(8))[0])


def _string(stream: BinaryIO) -> str:
    length = _int32(stream)
    if not 0 <= length < 1 << 16:
        raise struct.error(f"implausible string length {length}")
    return stream.read(length).decode("utf-8")
