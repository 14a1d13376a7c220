"""Guard the hand-written utterance sets so a typo in the data fails here, loudly.

The regression set (intents/data/regression/), the held-out sets (bench/heldout*/) and the development
set (bench/dev/) are plain YAML that
people edit by hand.  A misspelt service id, an unquoted date or "03:00" written for 三点 would
otherwise surface later as a puzzling parser "failure".  These checks look only at the files; the
test that runs the parser over them lives elsewhere.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ("zh", "en")
REGRESSION_FILES = {lang: ROOT / "intents" / "data" / "regression" / f"{lang}.yaml" for lang in LANGUAGES}
# bench/dev and bench/dev2 are development sets (issue 10): tuned against, but held to the same checks.
HELDOUT_DIRS = [*sorted((ROOT / "bench").glob("heldout*")), *sorted((ROOT / "bench").glob("dev*"))]
RANDOM_HALVES = {
    ROOT / "bench" / name: ROOT / "bench" / other
    for pair in (("dev2", "heldout5"), ("dev3", "heldout6"))
    for name, other in (pair, pair[::-1])
}
"""One blind writing split at random by group: a rare intent may fall all in one part, so the
two parts together must cover every intent, not each alone."""
HELDOUT_FILES = [folder / f"{lang}.yaml" for folder in HELDOUT_DIRS for lang in LANGUAGES]
ALL_FILES = [*REGRESSION_FILES.values(), *HELDOUT_FILES]

REFERENCE_NOW = "2026-11-26T10:00:00"
REFERENCE_DATE = dt.date(2026, 11, 26)

SERVICES = frozenset(
    {
        "social_security_card",
        "senior_card",
        "health_check",
        "housekeeping",
        "meal_service",
        "legal_aid",
        "medical_insurance",
        "old_age_allowance",
        "home_care",
        "parking_permit",
        "counselling",
        "residence_certificate",
    }
)
HOTLINES = frozenset(
    {"ambulance", "police", "fire", "government_service", "elderly_care", "mental_health", "community"}
)

# Which slots each intent may carry.  Keeping this tight is what catches "慢一点" tagged with a
# time, or a hotline slot on an emergency.  None is the out-of-scope intent.
ALLOWED_SLOTS: dict[str | None, frozenset[str]] = {
    "service.lookup": frozenset({"service"}),
    "appointment.book": frozenset({"service", "date", "time"}),
    "appointment.cancel": frozenset({"service", "date", "time"}),
    "appointment.list": frozenset({"service", "date"}),
    "hotline.lookup": frozenset({"hotline"}),
    "emergency": frozenset(),
    "notice.read": frozenset({"date"}),
    "progress.query": frozenset({"reference", "service"}),
    "staff.handoff": frozenset(),
    "dialog.yes": frozenset(),
    "dialog.no": frozenset(),
    "dialog.repeat": frozenset(),
    "dialog.slower": frozenset(),
    "dialog.help": frozenset(),
    "dialog.stop": frozenset(),
    "family.consent": frozenset(),
    "family.extend": frozenset(),
    "family.revoke": frozenset(),
    None: frozenset(),
}
# Every set must cover these (family permission came later than the first sets).
COVERED_INTENTS = [intent for intent in ALLOWED_SLOTS if not (intent or "").startswith("family.")]
# A hotline lookup without its line would be a different intent. A service lookup may name no
# service: "社区都有哪些服务" / "what services do you offer" asks for the overview (issue 10).
REQUIRED_SLOTS: dict[str | None, frozenset[str]] = {
    "hotline.lookup": frozenset({"hotline"}),
}

DATE_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}$")
TIME_PATTERN = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
REFERENCE_PATTERN = re.compile(r"^[A-Z]\d{3,8}$")
# The centre is open about 08:00–17:30 and a bare hour is read inside that window, so a slot far
# outside it is almost always a slip such as "03:00" for 三点.
OPENING = (dt.time(7, 0), dt.time(19, 0))
# Dates far ahead usually mean a wrong month or year typed by hand.
LATEST_DATE = REFERENCE_DATE + dt.timedelta(days=60)

MIN_REGRESSION_TOTAL = 170
MIN_REGRESSION_PER_INTENT = 8
MIN_REGRESSION_SPECIAL = {"service.lookup": 20, "appointment.book": 20, None: 15}
MIN_HELDOUT_TOTAL = 70


def slot_problems(name: str, value: Any) -> list[str]:
    """Why one slot value is unusable, in words a data editor can act on (empty when fine)."""
    if not isinstance(value, str):
        return [f"slot {name!r} must be a quoted string, got {type(value).__name__} {value!r}"]
    if name == "service" and value not in SERVICES:
        return [f"unknown service id {value!r}; expected one of {sorted(SERVICES)}"]
    if name == "hotline" and value not in HOTLINES:
        return [f"unknown hotline id {value!r}; expected one of {sorted(HOTLINES)}"]
    if name == "reference" and not REFERENCE_PATTERN.match(value):
        return [f"reference {value!r} is not one capital letter then digits, like 'A1023'"]
    if name == "date":
        if not DATE_PATTERN.match(value):
            return [f"date {value!r} is not YYYY-MM-DD"]
        try:
            day = dt.date.fromisoformat(value)
        except ValueError as err:
            return [f"date {value!r} does not exist: {err}"]
        if not REFERENCE_DATE <= day <= LATEST_DATE:
            return [f"date {value!r} is outside {REFERENCE_DATE}..{LATEST_DATE}; check month and year"]
    if name == "time":
        if not TIME_PATTERN.match(value):
            return [f"time {value!r} is not HH:MM (24-hour, zero-padded)"]
        if not OPENING[0] <= dt.time.fromisoformat(value) <= OPENING[1]:
            return [f"time {value!r} is outside 07:00-19:00; a bare 三点 means 15:00"]
    return []


def entry_problems(entry: Any) -> list[str]:
    """Everything wrong with one `tests:` entry (empty when fine)."""
    if not isinstance(entry, dict):
        return [f"entry must be a mapping, got {entry!r}"]
    problems = [f"unexpected key {key!r}" for key in entry if key not in {"sentences", "intent", "slots"}]
    sentences = entry.get("sentences")
    if not isinstance(sentences, list) or not sentences:
        problems.append("'sentences' must be a non-empty list")
    else:
        problems += [
            f"sentence {s!r} must be non-empty text; quote it (YAML reads bare yes/no/on/off as booleans)"
            for s in sentences
            if not isinstance(s, str) or not s.strip()
        ]
    if "intent" not in entry:
        return [*problems, "missing 'intent' (write 'intent: null' for out-of-scope)"]
    intent = entry["intent"]
    if intent not in ALLOWED_SLOTS:
        return [*problems, f"unknown intent {intent!r}; expected one of {sorted(map(str, ALLOWED_SLOTS))}"]
    slots = entry.get("slots", {})
    if "slots" in entry and (not isinstance(slots, dict) or not slots):
        return [*problems, "'slots' must be a non-empty mapping; omit the key when there are none"]
    for name in REQUIRED_SLOTS.get(intent, frozenset()) - slots.keys():
        problems.append(f"intent {intent} needs a {name!r} slot")
    for name, value in slots.items():
        if name not in ALLOWED_SLOTS[intent]:
            problems.append(f"intent {intent} cannot carry slot {name!r}")
        else:
            problems += slot_problems(name, value)
    return problems


def load_set(path: Path) -> dict[str, Any]:
    """Parse one utterance file, failing with the file name when the YAML itself is broken."""
    with path.open(encoding="utf-8") as handle:
        try:
            data = yaml.safe_load(handle)
        except yaml.YAMLError as err:
            pytest.fail(f"{path.relative_to(ROOT)} is not valid YAML: {err}")
    assert isinstance(data, dict), f"{path.relative_to(ROOT)}: top level must be a mapping"
    return data


def sentences_by_intent(data: dict[str, Any]) -> Counter[str | None]:
    """How many sentences each intent has, the unit the coverage rules count in."""
    counts: Counter[str | None] = Counter()
    for entry in data["tests"]:
        counts[entry["intent"]] += len(entry["sentences"])
    return counts


def normalised(sentence: object) -> str:
    """Collapse case and spacing so that near-identical copies count as duplicates."""
    return re.sub(r"\s+", " ", str(sentence)).strip().lower()


@pytest.mark.parametrize("path", ALL_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_header(path: Path) -> None:
    data = load_set(path)
    assert set(data) == {"language", "now", "tests"}, f"top-level keys: {sorted(data)}"
    assert data["language"] == path.stem
    assert data["now"] == REFERENCE_NOW, "quote it, or YAML turns it into a datetime"
    assert isinstance(data["tests"], list) and data["tests"]


@pytest.mark.parametrize("path", ALL_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_entries_are_valid(path: Path) -> None:
    data = load_set(path)
    problems = [
        f"entry {index} ({entry.get('sentences', ['?'])[0] if isinstance(entry, dict) else entry}): {problem}"
        for index, entry in enumerate(data["tests"])
        for problem in entry_problems(entry)
    ]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", ALL_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_duplicates_and_groups_merged(path: Path) -> None:
    data = load_set(path)
    sentences = Counter(normalised(s) for entry in data["tests"] for s in entry["sentences"])
    assert not [s for s, n in sentences.items() if n > 1], "sentences listed twice"
    if path in REGRESSION_FILES.values():  # held-out writers may group by persona instead
        groups = Counter(
            (entry["intent"], tuple(sorted(entry.get("slots", {}).items()))) for entry in data["tests"]
        )
        assert not [g for g, n in groups.items() if n > 1], "entries with the same intent and slots: merge them"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_regression_coverage(lang: str) -> None:
    counts = sentences_by_intent(load_set(REGRESSION_FILES[lang]))
    assert counts.total() >= MIN_REGRESSION_TOTAL
    short = {
        intent: counts[intent]
        for intent in COVERED_INTENTS
        if counts[intent] < MIN_REGRESSION_SPECIAL.get(intent, MIN_REGRESSION_PER_INTENT)
    }
    assert not short, f"intents below their minimum: {short}"


@pytest.mark.parametrize("path", HELDOUT_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_heldout_covers_every_intent_and_is_disjoint(path: Path) -> None:
    lang = path.stem
    heldout = load_set(path)
    counts = sentences_by_intent(heldout)
    assert counts.total() >= MIN_HELDOUT_TOTAL
    if path.parent in RANDOM_HALVES:
        counts += sentences_by_intent(load_set(RANDOM_HALVES[path.parent] / path.name))
    # An exam must ask about everything; a development set is training data and may dwell on a
    # few intents (dev11: the conversation and small intents; dev12: emergencies).
    if path.parent.name.startswith("heldout") or path.parent in RANDOM_HALVES:
        assert not [intent for intent in COVERED_INTENTS if counts[intent] == 0], "held-out misses an intent"
    regression = {normalised(s) for e in load_set(REGRESSION_FILES[lang])["tests"] for s in e["sentences"]}
    # Short answers ("yes", "再说一遍") come out the same from any writer; longer ones must not.
    leaked = [s for e in heldout["tests"] for s in e["sentences"]
              if normalised(s) in regression and len(s) > (8 if lang == "zh" else 20)]
    assert not leaked, f"held-out sentences also in the regression set: {leaked}"


@pytest.mark.parametrize(
    ("intent", "slots", "expected"),
    [
        ("service.lookup", {"service": "socal_card"}, "unknown service"),
        ("hotline.lookup", {"hotline": "110"}, "unknown hotline"),
        ("appointment.book", {"date": "2026-11-31"}, "does not exist"),
        ("appointment.book", {"date": dt.date(2026, 12, 1)}, "quoted"),
        ("appointment.book", {"date": "2025-12-01"}, "check month and year"),
        ("appointment.book", {"time": "3:00"}, "HH:MM"),
        ("appointment.book", {"time": "03:00"}, "outside 07:00-19:00"),
        ("dialog.slower", {"time": "15:00"}, "cannot carry"),
        ("progress.query", {"reference": "a1023"}, "capital letter"),
        ("hotline.lookup", None, "needs a 'hotline'"),
        ("appointment.boook", None, "unknown intent"),
        ("appointment.book", {}, "omit the key"),
    ],
)
def test_checker_rejects_typos(intent: str, slots: dict[str, Any] | None, expected: str) -> None:
    """The checks above would be worthless if they passed everything; prove they bite."""
    entry: dict[str, Any] = {"sentences": ["我想预约体检"], "intent": intent}
    if slots is not None:
        entry["slots"] = slots
    problems = entry_problems(entry)
    assert any(expected in problem for problem in problems), problems


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ({"sentences": [], "intent": None}, "non-empty list"),
        ({"sentences": [True], "intent": "dialog.yes"}, "quote it"),
        ({"sentences": ["x"]}, "missing 'intent'"),
        ({"sentences": ["x"], "intent": None, "slot": {}}, "unexpected key"),
    ],
)
def test_checker_rejects_malformed_entries(entry: dict[str, Any], expected: str) -> None:
    problems = entry_problems(entry)
    assert any(expected in problem for problem in problems), problems
