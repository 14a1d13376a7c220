"""The prepared-index cache: a warm parser reads exactly as a cold one, and a cache that does not fit
(corrupt, truncated, another version, another catalogue) is ignored and rebuilt, never trusted."""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import intents.index_cache as index_cache
import intents.prepared_text as prepared_text
from intents import Catalogue, demo_catalogue_path, load_catalogue
from intents.index_cache import FORMAT_VERSION, IndexCache, cache_key
from intents.parser import Parser
from intents.sentence_sets import Case, load_set, regression_dir

CASES = load_set(regression_dir())
SAMPLE = CASES[::10]
"""Where a test rebuilds from scratch (the cold path), a tenth of the set shows it parses; the full
comparison is test_warm_parses_exactly_as_cold's."""


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue()


@pytest.fixture(scope="module")
def cold(catalogue: Catalogue) -> Parser:
    return Parser(catalogue)


def readings(parser: Parser, cases: list[Case] = CASES) -> list[tuple[dict[str, Any], Any]]:
    """Each sentence's parse, and the matcher's whole ranking of it."""
    out = []
    for case in cases:
        utterance = parser._preparer.prepare(case.text, case.lang, case.now.date())
        out.append((parser.parse(case.text, now=case.now).to_json(), parser._matcher.rank(utterance)))
    return out


def cache_file(directory: Path) -> Path:
    (found,) = directory.glob("prepared-*.npz")
    return found


def read_arrays(file: Path) -> dict[str, np.ndarray]:
    with np.load(file) as data:
        return {name: data[name] for name in data.files}


def write_arrays(file: Path, arrays: dict[str, np.ndarray]) -> None:
    """Rewrite a cache file by hand, as a damaged or foreign one would be."""
    with file.open("wb") as out:
        np.savez(out, **arrays)


def no_preparing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make preparing a catalogue text fail: a parser built now must have read every text from the cache."""
    def refuse(*_args: object) -> None:
        raise AssertionError("a catalogue text was prepared although the cache holds it")
    monkeypatch.setattr(index_cache, "prepare_text", refuse)
    monkeypatch.setattr(prepared_text, "prepare_text", refuse)


def test_warm_parses_exactly_as_cold(tmp_path: Path, catalogue: Catalogue, cold: Parser,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    filling = Parser(catalogue, index_cache=IndexCache(tmp_path))
    assert cache_file(tmp_path).stat().st_size > 0
    no_preparing(monkeypatch)
    warm = Parser(load_catalogue(), index_cache=IndexCache(tmp_path))
    expected = readings(cold)
    assert readings(filling) == expected
    assert readings(warm) == expected


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty"])
def test_a_damaged_cache_is_rebuilt(tmp_path: Path, catalogue: Catalogue, cold: Parser, damage: str,
                                    caplog: pytest.LogCaptureFixture) -> None:
    Parser(catalogue, index_cache=IndexCache(tmp_path))
    file = cache_file(tmp_path)
    content = file.read_bytes()
    file.write_bytes({"garbage": b"not a cache" * 100, "truncated": content[: len(content) // 2],
                      "empty": b""}[damage])
    with caplog.at_level(logging.WARNING, logger="intents.index_cache"):
        rebuilt = Parser(catalogue, index_cache=IndexCache(tmp_path))
    assert "ignoring the prepared-index cache" in caplog.text
    assert cache_file(tmp_path).read_bytes() == content  # written again, whole
    assert readings(rebuilt, SAMPLE) == readings(cold, SAMPLE)


def test_a_cache_of_another_code_version_is_not_used(tmp_path: Path, catalogue: Catalogue, cold: Parser,
                                                     monkeypatch: pytest.MonkeyPatch,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    Parser(catalogue, index_cache=IndexCache(tmp_path))
    old = cache_file(tmp_path)
    monkeypatch.setattr(index_cache, "code_version", lambda: "another version of the intents code")
    new_key = cache_key(catalogue)
    old.rename(tmp_path / f"prepared-{new_key[:32]}.npz")  # the old file where the new one would be
    with caplog.at_level(logging.WARNING, logger="intents.index_cache"):
        parser = Parser(catalogue, index_cache=IndexCache(tmp_path))
    assert "another version of the code" in caplog.text
    assert readings(parser, SAMPLE) == readings(cold, SAMPLE)


def test_a_cache_of_another_file_format_is_not_used(tmp_path: Path, catalogue: Catalogue,
                                                    caplog: pytest.LogCaptureFixture) -> None:
    Parser(catalogue, index_cache=IndexCache(tmp_path))
    file = cache_file(tmp_path)
    write_arrays(file, {**read_arrays(file), "format": np.asarray([FORMAT_VERSION + 1])})
    with caplog.at_level(logging.WARNING, logger="intents.index_cache"):
        Parser(catalogue, index_cache=IndexCache(tmp_path))
    assert "file format" in caplog.text


def test_a_cache_whose_texts_differ_is_not_used(tmp_path: Path, catalogue: Catalogue,
                                                caplog: pytest.LogCaptureFixture) -> None:
    """Even under the right key, a file whose texts are not the catalogue's (or are shaped wrong) is refused."""
    Parser(catalogue, index_cache=IndexCache(tmp_path))
    file = cache_file(tmp_path)
    arrays = read_arrays(file)
    for broken in ({**arrays, "offsets": arrays["offsets"][:-1]},
                   {**arrays, "blob": np.frombuffer(arrays["blob"].tobytes().replace("预约".encode(), "顶约".encode()),
                                                    dtype=np.uint8)}):
        write_arrays(file, broken)
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="intents.index_cache"):
            Parser(catalogue, index_cache=IndexCache(tmp_path))
        assert "ignoring the prepared-index cache" in caplog.text


def test_an_edited_catalogue_does_not_use_the_old_cache(tmp_path: Path) -> None:
    source = demo_catalogue_path().read_text(encoding="utf-8")
    file = tmp_path / "centre.yaml"
    file.write_text(source, encoding="utf-8")
    directory = tmp_path / "cache"
    Parser(load_catalogue(file), index_cache=IndexCache(directory))
    first = cache_file(directory)
    taught = "帮我叫一下隔壁王阿姨过来"
    edited = source.replace("        - 我要找工作人员\n", f"        - 我要找工作人员\n        - {taught}\n", 1)
    assert edited != source, "the demo catalogue no longer has the line this test edits"
    file.write_text(edited, encoding="utf-8")
    catalogue = load_catalogue(file)
    parser = Parser(catalogue, index_cache=IndexCache(directory))
    assert cache_key(catalogue) != cache_key(load_catalogue())
    assert len(list(directory.glob("prepared-*.npz"))) == 2 and first.exists()
    assert parser.parse(taught).intent == "staff.handoff"
    assert readings(parser, SAMPLE) == readings(Parser(catalogue), SAMPLE)


def test_the_key_is_the_content_not_the_path(tmp_path: Path, catalogue: Catalogue) -> None:
    file = tmp_path / "copy.yaml"
    file.write_text(demo_catalogue_path().read_text(encoding="utf-8"), encoding="utf-8")
    assert cache_key(load_catalogue(file)) == cache_key(catalogue)


def test_two_builders_at_once_leave_one_whole_file(tmp_path: Path, catalogue: Catalogue, cold: Parser) -> None:
    failures: list[BaseException] = []

    def build() -> None:
        try:
            Parser(catalogue, index_cache=IndexCache(tmp_path))
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=build) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures
    assert not list(tmp_path.glob(".prepared-*"))  # no temporary file left behind
    assert readings(Parser(catalogue, index_cache=IndexCache(tmp_path)), SAMPLE) == readings(cold, SAMPLE)


def test_a_cache_that_cannot_be_written_only_costs_time(tmp_path: Path, catalogue: Catalogue,
                                                       caplog: pytest.LogCaptureFixture) -> None:
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("a file where the cache directory should be")
    with caplog.at_level(logging.WARNING, logger="intents.index_cache"):
        parser = Parser(catalogue, index_cache=IndexCache(blocked))
    assert "cannot save the prepared-index cache" in caplog.text
    assert parser.parse("我要找工作人员").intent == "staff.handoff"


def test_old_files_are_pruned(tmp_path: Path) -> None:
    for n in range(index_cache.KEEP_FILES + 3):
        (tmp_path / f"prepared-{n:032d}.npz").write_bytes(b"old")
    Parser(load_catalogue(), index_cache=IndexCache(tmp_path))
    assert len(list(tmp_path.glob("prepared-*.npz"))) == index_cache.KEEP_FILES


def test_file_layout_is_guarded_by_the_format_version(catalogue: Catalogue) -> None:
    """Changing what the file holds means raising FORMAT_VERSION (and then this test)."""
    texts = prepared_text.PreparedTexts({})
    arrays = index_cache._arrays("0" * 64, texts)
    assert (FORMAT_VERSION, sorted(arrays), index_cache.FIELDS) == (
        1, ["blob", "format", "key", "named", "offsets", "span_counts", "spans"],
        ("lang", "text", "normalised", "surface", "sound", "sound_units", "surface_pairs", "sound_pairs"))
