"""Every regression utterance must be understood: intent and exactly the expected slots.

Sentences the core cannot handle yet are listed in intents/data/regression/_known_failures.yaml;
they run as strict xfails, so fixing one is noticed and the list can only shrink.
"""

from __future__ import annotations

import pytest

from intents import load_catalogue
from intents.parser import Parser
from intents.sentence_sets import Case, judge, known_failures, load_set, regression_dir

CASES = load_set(regression_dir())
KNOWN_FAILURES = known_failures(regression_dir())


@pytest.fixture(scope="module")
def parser() -> Parser:
    return Parser(load_catalogue())


@pytest.mark.parametrize(
    "case",
    [pytest.param(c, id=c.id, marks=[pytest.mark.xfail(strict=True)] if c.text in KNOWN_FAILURES else [])
     for c in CASES],
)
def test_sentence(parser: Parser, case: Case) -> None:
    reading = judge(parser, case)
    assert reading.right, f"want {case.intent} {case.slots}, got {reading.describe()} ({reading.confidence:.2f})"


def test_known_failures_are_real_sentences() -> None:
    texts = {c.text for c in CASES}
    assert texts >= KNOWN_FAILURES, KNOWN_FAILURES - texts


def test_set_is_big_enough() -> None:
    for lang in ("zh", "en"):
        assert sum(c.lang == lang for c in CASES) >= 150
