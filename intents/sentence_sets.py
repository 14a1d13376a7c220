"""Utterance sets in Home Assistant intents style, and the one rule for judging a reading.

The regression sets ship inside the package (`intents/data/regression/`) because the server's
pre-publish check runs them without a source checkout; the held-out sets live in `bench/`.
Tests, benches and the server all load and judge through this module, so "right" means the
same thing everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path

import yaml

from .parser import Parser

LANGUAGES = ("zh", "en")

SLOT_INTENTS = frozenset(
    {"service.lookup", "appointment.book", "appointment.cancel", "appointment.list", "hotline.lookup",
     "notice.read", "progress.query"}
)  # fmt: skip
"""Intents whose slots must match exactly. For the others only the listed slots are checked:
slots are reported whatever the intent ("快打110" still names the police), but the sets only
list them where the intent uses them."""


def regression_dir() -> Traversable:
    """The regression sets and their `_known_failures.yaml`, as shipped in the package."""
    return resources.files("intents") / "data" / "regression"


@dataclass(frozen=True)
class Case:
    """One utterance with what the parser must make of it."""

    text: str
    lang: str
    """The language the parser must detect."""
    now: datetime
    """Reference time that relative dates ("明天", "next Tuesday") resolve against."""
    intent: str | None
    """None: out of scope, the kiosk must not act on it."""
    slots: dict[str, str]

    @property
    def id(self) -> str:
        return f"{self.lang}:{self.intent}:{self.text}"


@dataclass(frozen=True)
class Reading:
    """What one parser made of one case, and whether that is right."""

    intent: str | None
    slots: dict[str, str]
    confidence: float
    right: bool

    def describe(self) -> str:
        slots = " ".join(f"{k}={v}" for k, v in sorted(self.slots.items()))
        return f"{self.intent or '—'} {slots}".strip()


def load_cases(path: Path | Traversable) -> list[Case]:
    """One language's file; a sentence YAML read as a boolean or number is an error, not a case."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    lang = data["language"]
    now = datetime.fromisoformat(data["now"])
    cases = []
    for group in data["tests"]:
        slots = {k: str(v) for k, v in (group.get("slots") or {}).items()}
        for text in group["sentences"]:
            if not isinstance(text, str):
                raise TypeError(f"{path}: sentence {text!r} is not text; put it in quotes")
            cases.append(Case(text, lang, now, group.get("intent"), slots))
    return cases


def load_set(directory: Path | Traversable) -> list[Case]:
    """Both languages of one set (`zh.yaml`, `en.yaml`)."""
    return [case for lang in LANGUAGES for case in load_cases(directory / f"{lang}.yaml")]


def known_failures(directory: Path | Traversable) -> set[str]:
    """Sentences listed in the set's `_known_failures.yaml` (run as strict xfails)."""
    path = directory / "_known_failures.yaml"
    if not path.is_file():
        return set()
    return set(yaml.safe_load(path.read_text(encoding="utf-8")) or [])


def judge(parser: Parser, case: Case) -> Reading:
    result = parser.parse(case.text, now=case.now)
    found = dict(result.slots)
    if case.intent not in SLOT_INTENTS:
        found = {k: v for k, v in found.items() if k in case.slots}
    right = (result.lang, result.intent, found) == (case.lang, case.intent, case.slots)
    return Reading(result.intent, found, result.confidence, right)
