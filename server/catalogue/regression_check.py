"""Before publishing: run the regression sentences against the draft and the live version.

The sentences are the understanding core's regression sets, shipped as package data in
`intents/data/regression/`, so the server needs no source checkout. They were written independently of any catalogue, so
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

from intents.sentence_sets import Case, Reading, judge, known_failures, load_set, regression_dir
from server.catalogue.parsers import LoadedCatalogue


@dataclass(frozen=True)
class ChangedSentence:
    sentence: Case
    live: Reading
    draft: Reading
    known_failure: bool
    """Listed in _known_failures.yaml: the core does not handle it yet, so a failure is expected."""


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
    untrained_intents: tuple[str, ...] = ()
    """The draft's intents the learned sentence model never saw (added since it was trained):
    understood from their examples alone, so staff should know to give them plenty."""

    @property
    def identical(self) -> bool:
        return not (self.broken or self.fixed or self.changed)


@functools.cache
def regression_sentences() -> tuple[Case, ...]:
    return tuple(load_set(regression_dir()))


@functools.cache
def expected_failures() -> frozenset[str]:
    """Sentences the core does not handle yet: shown, but not a reason to stop a publish."""
    return frozenset(known_failures(regression_dir()))


def compare(live: LoadedCatalogue, draft: LoadedCatalogue, gaps: list[tuple[int, str, str, int]]) -> RegressionReport:
    """Run every sentence through both; `gaps` are open gaps as (id, lang, text, count)."""
    sentences = regression_sentences()
    report = RegressionReport(total=len(sentences), live_right=0, draft_right=0,
                              untrained_intents=tuple(sorted(draft.parser.untrained_intents)))
    same = live.sha256 == draft.sha256
    for sentence in sentences:
        before = judge(live.parser, sentence)
        after = before if same else judge(draft.parser, sentence)
        report.live_right += before.right
        report.draft_right += after.right
        if (before.intent, before.slots) == (after.intent, after.slots):
            continue
        change = ChangedSentence(sentence, before, after, sentence.text in expected_failures())
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
