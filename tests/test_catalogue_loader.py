"""A broken catalogue gives every problem, with entry and field, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from intents import CatalogueError, demo_catalogue_path, load_catalogue, parse_catalogue


def demo_data() -> dict:
    return yaml.safe_load(demo_catalogue_path().read_text(encoding="utf-8"))


def problems_of(data: dict | str) -> list[str]:
    text = data if isinstance(data, str) else yaml.safe_dump(data, allow_unicode=True)
    with pytest.raises(CatalogueError) as caught:
        parse_catalogue(text, "broken.yaml")
    assert str(caught.value).startswith("broken.yaml: ")
    return caught.value.problems


def test_demo_catalogue_loads() -> None:
    catalogue = load_catalogue()
    assert {"service.lookup", "appointment.book", "emergency", "dialog.stop"} <= {i.id for i in catalogue.intents}
    assert catalogue.service("social_security_card").bookable


def test_empty_example_is_named_by_intent_language_and_number() -> None:
    data = demo_data()
    data["intents"]["appointment.book"]["examples"]["zh"].insert(2, "")
    assert "intent appointment.book: zh example 3 is empty" in problems_of(data)


def test_every_problem_is_reported_at_once() -> None:
    data = demo_data()
    book = data["intents"]["appointment.book"]
    book["examples"]["zh"].insert(0, "  ")
    book["slots"] = ["service", "weather"]
    del book["replies"]["en"]
    book["exmaples"] = {}
    data["services"]["social_security_card"]["hours"]["periods"] = ["8:30 to noon"]
    data["services"]["social_security_card"]["capacity"] = 0
    data["hotlines"]["ambulance"]["number"] = "call one two zero"
    problems = problems_of(data)
    expected = [
        "intent appointment.book: zh example 1 is empty",
        "intent appointment.book: unknown slot 'weather' (known: service, hotline, date, time, reference)",
        "intent appointment.book: replies: no en text (every entry needs zh and en)",
        "intent appointment.book: unknown field 'exmaples' (did you mean 'examples'?)",
        "service social_security_card: hours period 1: '8:30 to noon' is not a time range like 08:30-11:30",
        "service social_security_card: capacity: should be from 1 to 500, found 0",
        "hotline ambulance: number: 'call one two zero' should be digits (spaces and dashes allowed)",
    ]
    for message in expected:
        assert message in problems, (message, problems)


def test_unknown_placeholder_and_unbalanced_brace() -> None:
    data = demo_data()
    data["intents"]["appointment.book"]["examples"]["en"].append("book {servise} please")
    data["intents"]["appointment.book"]["replies"]["zh"]["default"] = "好的{service"
    problems = problems_of(data)
    assert any("en example" in p and "unknown placeholder {servise}" in p for p in problems), problems
    assert any("zh reply 'default'" in p and "unmatched" in p for p in problems), problems


def test_missing_core_intent_and_shared_name() -> None:
    data = demo_data()
    del data["intents"]["dialog.yes"]
    data["hotlines"]["ambulance"]["names"]["zh"].append("社保卡")
    problems = problems_of(data)
    assert "intents: intent dialog.yes is missing; the kiosk needs it in every conversation" in problems
    assert any("'社保卡' is also a name of service social_security_card" in p for p in problems), problems


def test_example_that_is_also_counter_example() -> None:
    data = demo_data()
    book = data["intents"]["appointment.book"]
    book["counter_examples"] = {"zh": [book["examples"]["zh"][0]]}
    assert any("is both an example and a counter-example" in p for p in problems_of(data))


def test_yaml_syntax_error_gives_line_number() -> None:
    (problem,) = problems_of("intents:\n  a.b: [unclosed\nservices: {}\n")
    assert problem.startswith("line ") and "not valid YAML" in problem


def test_not_a_mapping_and_empty_file() -> None:
    assert problems_of("- just\n- a list\n") == ["should be a list of named fields, found a list"]
    assert problems_of("") == ["the file is empty"]


def test_missing_file_and_binary_file(tmp_path: Path) -> None:
    with pytest.raises(CatalogueError, match="file not found"):
        load_catalogue(tmp_path / "nope.yaml")
    garbage = tmp_path / "garbage.yaml"
    garbage.write_bytes(b"\xff\xfe\x00\x81garbage")
    with pytest.raises(CatalogueError, match="cannot be read"):
        load_catalogue(garbage)


def test_check_command_prints_problems_without_traceback(tmp_path: Path) -> None:
    data = demo_data()
    data["intents"]["appointment.book"]["examples"]["zh"][0] = None
    broken = tmp_path / "broken.yaml"
    broken.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "kiosk.cli", "catalogue", "check", str(broken)],
                         capture_output=True, text=True)
    assert run.returncode == 1
    assert "intent appointment.book: zh example 1 is empty" in run.stderr
    assert "Traceback" not in run.stderr
    ok = subprocess.run([sys.executable, "-m", "kiosk.cli", "catalogue", "check"], capture_output=True, text=True)
    assert ok.returncode == 0 and "OK" in ok.stdout
