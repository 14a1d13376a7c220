"""Parsers for catalogue texts the console works with, built once per text.

Building a `Parser` takes about half a second (every example's sound form), so the live
version and the draft each get theirs once and keep it while their text is unchanged:
"try a sentence" then answers at once, and the regression check reuses both. The console's
pages also keep the prepared examples on disk (intents/index_cache.py), so the first page after
a restart, or in the other worker, reads them back instead of preparing them again.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass

from intents import Catalogue, parse_catalogue
from intents.index_cache import IndexCache
from intents.parser import Parser

KEEP = 4
"""Texts kept: the live version, the draft, and a couple being compared."""


@dataclass(frozen=True)
class LoadedCatalogue:
    """A validated catalogue text and its parser."""

    sha256: str
    catalogue: Catalogue
    parser: Parser


_cache: OrderedDict[str, LoadedCatalogue] = OrderedDict()
_lock = threading.Lock()


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def loaded_catalogue(text: str, source: str, index_cache: IndexCache | None = None) -> LoadedCatalogue:
    """The parser for `text`; raises `CatalogueError` with the loader's messages if it is invalid.
    `index_cache`: where its prepared examples are kept between starts (None: prepared here)."""
    digest = text_sha256(text)
    with _lock:
        found = _cache.get(digest)
        if found is not None:
            _cache.move_to_end(digest)
            return found
    catalogue = parse_catalogue(text, source)
    built = LoadedCatalogue(digest, catalogue, Parser(catalogue, index_cache=index_cache))
    with _lock:
        _cache[digest] = built
        while len(_cache) > KEEP:
            _cache.popitem(last=False)
    return built
