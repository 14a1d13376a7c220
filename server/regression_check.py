"""Before publishing: run the regression sentences against the draft and the live version.

The sentences are the understanding core's regression sets (`tests/sentences/`), shipped
as package data in `intents/data/regression/` — a copy kept identical by a test, so the
server needs no source checkout. They were written independently of any catalogue, so
they measure how well a catalogue understands residents instead of echoing its examples.
Staff do not edit them: a console where the person changing the catalogue also changes
the exam would prove nothing.

The report lists what the draft changes: sentences it breaks (understood live, not by the
draft), sentences it fixes, and sentences whose result changes although neither is right.
It also re-reads the open understanding gaps (what residents really said and no kiosk
understood) and shows which of them the draft now understands.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import datetime
from importlib import resources

import yaml

from intents.parser import Parser

from .catalogue_parsers import LoadedCatalogue

SLOT_INTENTS = frozenset(
    {"service.lookup", "appointment.book", "appointment.cancel", "appointment.list", "hotline.lookup",
     "notice.read", "progress.query"}
)  # fmt: skip
"""Intents whose slots must match exactly, as in tests/test_regression.py."""


@dataclass(frozen=True)
class RegressionSentence:
    """One utterance of the regression sets with what it must be understood as."""

    text: str
    lang: str
    now: datetime
    intent: str | None
    slots: dict[str, str]
    known_failure: bool
    """Listed in _known_failures.yaml: the core does not handle it yet, so a failure is expected."""


@dataclass(frozen=True)
class Reading:
    """What one parser made of one sentence."""

    intent: str | None
    slots: dict[str, str]
    right: bool

    def describe(self) -> str:
        slots = " ".join(f"{k}={v}" for k, v in sorted(self.slots.items()))
        return f"{self.intent or '—'} {slots}".strip()


@dataclass(frozen=True)
class ChangedSentence:
    sentence: RegressionSentence
    live: Reading
    draft: Reading


@dataclass(frozen=True)
class GapReading:
    """An open understanding gap, as the draft now reads it."""

    gap_id: int
    text: str
    lang: str
    count: int
    intent: str | None


@dataclass
class RegressionReport:
    """The differences between the draft and the live version on the regression sets."""

    total: int
    live_right: int
    draft_right: int
    broken: list[ChangedSentence] = field(default_factory=list)
    """Understood by the live version, not by the draft: the reason to stop and look."""
    fixed: list[ChangedSentence] = field(default_factory=list)
    changed: list[ChangedSentence] = field(default_factory=list)
    """Read differently, but wrong either way."""
    gaps_now_understood: list[GapReading] = field(default_factory=list)

    @property
    def identical(self) -> bool:
        return not (self.broken or self.fixed or self.changed)


@functools.cache
def regression_sentences() -> tuple[RegressionSentence, ...]:
    folder = resources.files("intents") / "data" / "regression"
    known = set(yaml.safe_load((folder / "_known_failures.yaml").read_text(encoding="utf-8")) or [])
    out: list[RegressionSentence] = []
    for lang in ("zh", "en"):
        data = yaml.safe_load((folder / f"{lang}.yaml").read_text(encoding="utf-8"))
        now = datetime.fromisoformat(data["now"])
        for group in data["tests"]:
            slots = {k: str(v) for k, v in (group.get("slots") or {}).items()}
            for text in group["sentences"]:
                out.append(RegressionSentence(str(text), data["language"], now, group.get("intent"), slots,
                                              text in known))  # fmt: skip
    return tuple(out)


def read(parser: Parser, sentence: RegressionSentence) -> Reading:
    result = parser.parse(sentence.text, now=sentence.now)
    found = dict(result.slots)
    if sentence.intent not in SLOT_INTENTS:
        found = {k: v for k, v in found.items() if k in sentence.slots}
    right = (result.lang, result.intent, found) == (sentence.lang, sentence.intent, sentence.slots)
    return Reading(result.intent, found, right)


def compare(live: LoadedCatalogue, draft: LoadedCatalogue, gaps: list[tuple[int, str, str, int]]) -> RegressionReport:
    """Run every sentence through both; `gaps` are open gaps as (id, lang, text, count)."""
    sentences = regression_sentences()
    report = RegressionReport(total=len(sentences), live_right=0, draft_right=0)
    same = live.sha256 == draft.sha256
    for sentence in sentences:
        before = read(live.parser, sentence)
        after = before if same else read(draft.parser, sentence)
        report.live_right += before.right
        report.draft_right += after.right
        if (before.intent, before.slots) == (after.intent, after.slots):
            continue
        change = ChangedSentence(sentence, before, after)
        if before.right and not after.right:
            report.broken.append(change)
        elif after.right and not before.right:
            report.fixed.append(change)
        else:
            report.changed.append(change)
    for gap_id, lang, text, count in gaps:
        was = live.parser.parse(text, lang=lang)
        now = draft.parser.parse(text, lang=lang)
        if was.intent is None and now.intent is not None:
            report.gaps_now_understood.append(GapReading(gap_id, text, lang, count, now.intent))
    return report
