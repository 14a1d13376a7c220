"""The catalogue's prepared texts kept on disk, so a restart on the same catalogue skips preparing them.

Why: preparing every example (normalising, finding slots, sound keys) is about two thirds of
building a parser, 1.5 s at 10,000 example phrases; reading them back takes a few tens of ms.

Why it can never give a wrong index: a file is named by, and holds, a key made of the catalogue's
whole content, the source of every `intents` module and the versions of the libraries that make
sound keys and tidy text; on load the key, the shapes and the list of texts are all checked, and
anything that does not fit (corrupt, truncated, another version, another catalogue) is ignored
with a log line and the texts are prepared again. Files are written to a temporary file and moved
into place (`os.replace`), so a reader never sees half a file, and two processes building the same
catalogue at once each write a whole, identical file.

Why numpy's .npz and not pickle: loading it runs no code from the file (`allow_pickle=False`);
every string is one UTF-8 buffer sliced by offsets, which numpy reads in one go.
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import os
import tempfile
import time
import zipfile
from dataclasses import replace
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from .catalogue import SLOT_NAMES, Catalogue, Language
from .prepared_text import PreparedText, PreparedTexts, catalogue_texts, prepare_text
from .sound_form import SoundForm
from .utterance import UtterancePreparer

log = logging.getLogger(__name__)

FORMAT_VERSION = 1
"""Layout of the file; raise it when the arrays below change (the sources' hash changes with it anyway)."""

DIRECTORY_NAME = "index-cache"
"""The cache's directory inside a kiosk's or the server's data directory."""

KEEP_FILES = 4
"""Files kept: the catalogue in use, the one before it (a publish taken back) and a couple more."""

STALE_TEMPORARY_S = 3600.0
"""A temporary file this old was left by a process that died while writing: removed."""

FIELDS = ("lang", "text", "normalised", "surface", "sound", "sound_units", "surface_pairs", "sound_pairs")
"""The strings stored per prepared text, in this order."""

LIBRARIES = ("pypinyin", "jellyfish", "zhconv")
"""Libraries whose version changes sound keys or tidied text."""


class IndexCacheError(ValueError):
    """A cache file that cannot be used; the message says why (it is then rebuilt, never fatal)."""


class IndexCache:
    """Prepared catalogue texts in one directory of the kiosk's (or server's) data directory."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)

    def texts(self, catalogue: Catalogue, preparer: UtterancePreparer) -> PreparedTexts:
        """The catalogue's prepared texts: from the cache when it holds them, else prepared and saved."""
        key = cache_key(catalogue)
        path = self.directory / f"prepared-{key[:32]}.npz"
        wanted = catalogue_texts(catalogue)
        try:
            return read_texts(path, key, wanted)
        except FileNotFoundError:
            pass
        except IndexCacheError as exc:
            log.warning("ignoring the prepared-index cache %s (%s); preparing the catalogue again", path, exc)
        texts = PreparedTexts({(lang, text): prepare_text(preparer, text, lang) for lang, text in wanted})
        self._save(path, key, texts)
        return texts

    def _save(self, path: Path, key: str, texts: PreparedTexts) -> None:
        """Write atomically; a cache that cannot be written only costs the next start its time."""
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(prefix=".prepared-", suffix=".tmp", dir=self.directory)
            try:
                with os.fdopen(handle, "wb") as file:
                    np.savez(file, **_arrays(key, texts))
                    file.flush()
                    os.fsync(file.fileno())
                os.replace(temporary, path)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        except OSError as exc:
            log.warning("cannot save the prepared-index cache in %s: %s (the next start prepares the "
                        "catalogue again)", self.directory, exc)
            return
        self._prune(path)

    def _prune(self, kept: Path) -> None:
        """Keep the newest few files; another process may be pruning too, so a vanished file is fine."""
        try:
            files = sorted(self.directory.glob("prepared-*.npz"), key=_mtime, reverse=True)
            for old in [f for f in files if f != kept][KEEP_FILES - 1:]:
                old.unlink(missing_ok=True)
            now = time.time()
            for temporary in self.directory.glob(".prepared-*.tmp"):
                if now - _mtime(temporary) > STALE_TEMPORARY_S:
                    temporary.unlink(missing_ok=True)
        except OSError as exc:
            log.warning("cannot tidy the prepared-index cache in %s: %s", self.directory, exc)


def cache_key(catalogue: Catalogue) -> str:
    """What the prepared texts depend on: the catalogue's content (not where it came from) and the code."""
    content = repr(replace(catalogue, source="")).encode("utf-8", "surrogatepass")
    return hashlib.sha256(code_version().encode("ascii") + b"\0" + content).hexdigest()


@cache
def code_version() -> str:
    """A hash of every `intents` module's source, the file format and the text libraries' versions.

    All modules rather than a hand-kept list: a list would one day miss the module that changed."""
    digest = hashlib.sha256(f"format {FORMAT_VERSION}\0".encode())
    for source in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(source.name.encode() + b"\0" + source.read_bytes() + b"\0")
    for library in LIBRARIES:
        try:
            version = metadata.version(library)
        except metadata.PackageNotFoundError:
            version = "?"
        digest.update(f"{library} {version}\0".encode())
    return digest.hexdigest()


def _arrays(key: str, texts: PreparedTexts) -> dict[str, Any]:
    """The file's arrays (typed loosely: `np.savez` takes them as keyword arguments)."""
    strings: list[str] = []
    named: list[int] = []
    spans: list[tuple[int, int]] = []
    counts: list[int] = []
    for (lang, text), prepared in texts:
        form = prepared.form
        strings += [lang, text, prepared.normalised, form.surface, form.sound, form.sound_units,
                    form.surface_pairs, form.sound_pairs]
        named.append(sum(1 << n for n, name in enumerate(SLOT_NAMES) if name in prepared.named))
        spans += form.unit_spans
        counts.append(len(form.unit_spans))
    offsets = np.zeros(len(strings) + 1, dtype=np.int64)
    np.cumsum([len(s) for s in strings], out=offsets[1:])
    return {
        "format": np.asarray([FORMAT_VERSION], dtype=np.int64),
        "key": np.frombuffer(key.encode("ascii"), dtype=np.uint8),
        "blob": np.frombuffer("".join(strings).encode("utf-8", "surrogatepass"), dtype=np.uint8),
        "offsets": offsets,
        "named": np.asarray(named, dtype=np.int64),
        "spans": np.asarray(spans, dtype=np.int64).reshape(len(spans), 2),
        "span_counts": np.asarray(counts, dtype=np.int64),
    }


def read_texts(path: Path, key: str, wanted: list[tuple[Language, str]]) -> PreparedTexts:
    """The prepared texts in `path`; `IndexCacheError` unless it holds exactly `wanted` under `key`."""
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {name: data[name] for name in ("format", "key", "blob", "offsets", "named", "spans",
                                                    "span_counts")}
    except FileNotFoundError:
        raise
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
        raise IndexCacheError(f"unreadable: {exc}") from None
    return _texts(arrays, key, wanted)


def _texts(arrays: dict[str, np.ndarray], key: str, wanted: list[tuple[Language, str]]) -> PreparedTexts:
    if arrays["format"].tolist() != [FORMAT_VERSION]:
        raise IndexCacheError(f"file format {arrays['format'].tolist()}, this code writes {FORMAT_VERSION}")
    if arrays["key"].dtype != np.uint8 or arrays["key"].tobytes() != key.encode("ascii"):
        raise IndexCacheError("made for another catalogue or another version of the code")
    count = len(wanted)
    offsets, named, spans, counts = arrays["offsets"], arrays["named"], arrays["spans"], arrays["span_counts"]
    shapes = (offsets.shape, named.shape, counts.shape, spans.shape)
    if shapes != ((count * len(FIELDS) + 1,), (count,), (count,), (int(counts.sum()), 2)) or not all(
            a.dtype == np.int64 for a in (offsets, named, spans, counts)):
        raise IndexCacheError(f"arrays of the wrong shape for {count} texts: {shapes}")
    try:
        blob = arrays["blob"].tobytes().decode("utf-8", "surrogatepass")
    except UnicodeDecodeError as exc:
        raise IndexCacheError(f"damaged text: {exc}") from None
    if (offsets[0] != 0 or offsets[-1] != len(blob) or (np.diff(offsets) < 0).any() or (spans < 0).any()
            or (named < 0).any() or (named >= 1 << len(SLOT_NAMES)).any()):
        raise IndexCacheError("offsets that do not fit its text")
    bounds = offsets.tolist()
    strings = [blob[a:b] for a, b in itertools.pairwise(bounds)]
    width = len(FIELDS)
    named_sets = [frozenset(name for n, name in enumerate(SLOT_NAMES) if bits & 1 << n)
                  for bits in range(1 << len(SLOT_NAMES))]
    flat = spans.ravel().tolist()
    pairs = list(zip(flat[0::2], flat[1::2], strict=True))
    ends = np.cumsum(counts).tolist()
    texts: dict[tuple[Language, str], PreparedText] = {}
    start = 0
    for n, (want, bits, end) in enumerate(zip(wanted, named.tolist(), ends, strict=True)):
        lang, text, normalised, surface, sound, sound_units, surface_pairs, sound_pairs = strings[n * width:
                                                                                                (n + 1) * width]
        if lang != want[0] or text != want[1]:
            raise IndexCacheError(f"text {n + 1} is {text!r}, the catalogue's is {want[1]!r}")
        form = SoundForm(surface, sound, sound_units, tuple(pairs[start:end]), surface_pairs, sound_pairs)
        texts[want] = PreparedText(normalised, form, named_sets[bits])
        start = end
    return PreparedTexts(texts)


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:
        return 0.0
