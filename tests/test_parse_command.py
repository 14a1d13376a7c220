"""`kiosk parse` as a person or a script uses it: arguments, stdin, --json, --now, --lang."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

KIOSK = [sys.executable, "-m", "kiosk.cli"]


@pytest.fixture(autouse=True)
def in_a_scratch_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`kiosk parse` keeps its index cache in ./data, as the kiosk does: not in the checkout."""
    monkeypatch.chdir(tmp_path)


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*KIOSK, *args], input=stdin, capture_output=True, text=True, timeout=60)


def test_json_one_object_per_input_line() -> None:
    lines = "明天上午九点帮我约体检\n\nwhat's the ambulance number\n嗯……啊……\n"
    done = run("parse", "--json", "--now", "2026-11-26T10:00", stdin=lines)
    assert done.returncode == 0, done.stderr
    objects = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(objects) == 3  # the blank line is skipped
    book, hotline, filler = objects
    assert set(book) >= {"text", "lang", "intent", "confidence", "slots", "alternatives"}
    assert book["lang"] == "zh" and book["intent"] == "appointment.book"
    assert book["slots"] == {"date": "2026-11-27", "time": "09:00", "service": "health_check"}
    assert hotline["lang"] == "en" and hotline["intent"] == "hotline.lookup"
    assert hotline["slots"] == {"hotline": "ambulance"}
    assert filler["intent"] is None and filler["slots"] == {}
    for obj in objects:
        assert 0.0 <= obj["confidence"] <= 1.0


def test_arguments_and_readable_output() -> None:
    done = run("parse", "--now", "2026-11-26T10:00", "社保卡在哪儿办", "tell me a joke")
    assert done.returncode == 0, done.stderr
    first, second = done.stdout.splitlines()
    assert first.startswith("[zh] service.lookup") and "service=social_security_card" in first
    assert second.startswith("[en] (out of scope)") or second.startswith("[en] (not understood)")


def test_lang_override_and_now() -> None:
    done = run("parse", "--json", "--lang", "en", "--now", "2026-12-31T09:00", "book a health check tomorrow")
    result = json.loads(done.stdout)
    assert result["lang"] == "en" and result["slots"]["date"] == "2027-01-01"


def test_bad_now_is_explained() -> None:
    done = run("parse", "--now", "next thursday", "hello")
    assert done.returncode == 2
    assert "is not a date-time like 2026-11-26T09:30" in done.stderr


def test_broken_catalogue_is_reported_not_traced(tmp_path: Path) -> None:
    broken = tmp_path / "c.yaml"
    broken.write_text("intents:\n  dialog.yes: {examples: {zh: [是的]}}\n", encoding="utf-8")
    done = run("parse", "--catalogue", str(broken), "是的")
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "intent dialog.yes: examples: no en text" in done.stderr


def test_a_second_start_reads_the_prepared_examples_back(tmp_path: Path) -> None:
    data = tmp_path / "kiosk-data"
    args = ("parse", "--json", "--now", "2026-11-26T10:00", "--data-dir", str(data), "明天上午九点帮我约体检",
            "what's the ambulance number")
    first = run(*args)
    assert first.returncode == 0, first.stderr
    cached = list((data / "index-cache").glob("prepared-*.npz"))
    assert len(cached) == 1
    written = cached[0].stat().st_mtime_ns
    second = run(*args)
    assert second.returncode == 0, second.stderr
    assert second.stdout == first.stdout  # a cached build parses exactly as a fresh one
    assert cached[0].stat().st_mtime_ns == written  # read back, not prepared and written again


def test_no_index_cache_writes_nothing(tmp_path: Path) -> None:
    done = run("parse", "--no-index-cache", "--data-dir", str(tmp_path / "d"), "社保卡在哪儿办")
    assert done.returncode == 0, done.stderr
    assert not (tmp_path / "d").exists()
