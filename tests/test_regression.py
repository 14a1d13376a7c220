"""Every regression utterance must be understood: intent and exactly the expected slots.

Sentences the core cannot handle yet are listed in tests/sentences/_known_failures.yaml;
they run as strict xfails, so fixing one is noticed and the list can only shrink.
"""

from __future__ import annotations

import pytest
import yaml
from sentence_sets import REGRESSION_DIR, Case, load_set

from intents import load_catalogue
from intents.parser import Parser

SLOT_INTENTS = {
    "service.lookup", "appointment.book", "appointment.cancel", "appointment.list",
    "hotline.lookup", "notice.read", "progress.query",
}
"""Intents whose slots must match exactly; for the others only the listed slots are checked."""

CASES = load_set(REGRESSION_DIR)
_KNOWN_FILE = REGRESSION_DIR / "_known_failures.yaml"
KNOWN_FAILURES: set[str] = (
    set(yaml.safe_load(_KNOWN_FILE.read_text(encoding="utf-8")) or []) if _KNOWN_FILE.exists() else set()
)


@pytest.fixture(scope="module")
def parser() -> Parser:
    return Parser(load_catalogue())


@pytest.mark.parametrize(
    "case",
    [pytest.param(c, id=c.id, marks=[pytest.mark.xfail(strict=True)] if c.text in KNOWN_FAILURES else [])
     for c in CASES],
)
def test_sentence(parser: Parser, case: Case) -> None:
    result = parser.parse(case.text, now=case.now)
    found = result.slots
    if case.intent not in SLOT_INTENTS:
        # Slots are reported whatever the intent ("快打110" still names the police), but the
        # sets only list them where the intent uses them.
        found = {k: v for k, v in found.items() if k in case.slots}
    assert (result.lang, result.intent, found) == (case.lang, case.intent, case.slots), result


def test_known_failures_are_real_sentences() -> None:
    texts = {c.text for c in CASES}
    assert texts >= KNOWN_FAILURES, KNOWN_FAILURES - texts


def test_set_is_big_enough() -> None:
    for lang in ("zh", "en"):
        assert sum(c.lang == lang for c in CASES) >= 150
