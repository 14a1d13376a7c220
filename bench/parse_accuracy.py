"""Understanding accuracy on an utterance set: intent accuracy per language, out-of-scope
rejection, slot accuracy, how well the confidence is calibrated, and what the resident meets (acted
on at once, checked first, asked again), with every miss listed.

Targets (issue 10, on sets nobody tuned on): intent >= 97 % per language, out-of-scope
rejection >= 95 %, slots >= 95 %; a reliability table where a stated confidence of 0.8 is
right about 80 % of the time.
Usage: .venv/bin/python bench/parse_accuracy.py [SET ...] [--misses]
SET is `regression` (the tuning set shipped in intents/data/regression) or a folder name in
bench/ (heldout, heldout2, …: written independently of the catalogue, never tuned on).
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

from intents import load_catalogue
from intents.parser import Parser
from intents.sentence_sets import Case, Reading, judge, load_set, regression_dir

BENCH = Path(__file__).resolve().parent
BINS = (0.0, 0.3, 0.5, 0.7, 0.85, 0.95, 1.01)


def cases_of(name: str) -> list[Case]:
    return load_set(regression_dir() if name == "regression" else BENCH / name)


class Tally:
    """Figures over judged readings, possibly from several parsers (the left-out sets of
    bench/train_sentence_model.py --validate are each read by the catalogue of their day)."""

    def __init__(self) -> None:
        self.total: Counter[str] = Counter()
        self.right: Counter[str] = Counter()
        self.bins: Counter[tuple[int, bool]] = Counter()
        self.steps: Counter[tuple[str, bool]] = Counter()
        self.misses: list[str] = []

    def add(self, case: Case, reading: Reading, confirm_below: float) -> None:
        if case.intent is None:
            self.total["oos"] += 1
            self.right["oos"] += reading.intent is None
        else:
            self.total[f"intent_{case.lang}"] += 1
            self.right[f"intent_{case.lang}"] += reading.intent == case.intent
        # Safety: emergencies heard as emergencies, and calm sentences not raising an alarm.
        key = "emergency_heard" if case.intent == "emergency" else "calm_kept_calm"
        self.total[key] += 1
        self.right[key] += (reading.intent == "emergency") == (case.intent == "emergency")
        for slot, value in case.slots.items():
            self.total["slots"] += 1
            self.right["slots"] += reading.slots.get(slot) == value
        if reading.intent is not None:
            index = next(i for i, top in enumerate(BINS[1:]) if reading.confidence < top)
            self.bins[index, reading.right] += 1
            step = "acts" if reading.confidence >= confirm_below else "checks"
        else:
            step = "declines"
        self.steps[step, reading.right] += 1
        if not reading.right:
            self.misses.append(f"  {case.lang} want {case.intent} {case.slots} got {reading.describe()} "
                               f"{reading.confidence:.2f}  «{case.text}»")  # fmt: skip

    def print(self, name: str, show_misses: bool = False) -> None:
        print(f"== {name}")
        if show_misses:
            print("\n".join(self.misses))
        figures = {k: self.right[k] / self.total[k] for k in self.total}
        for key in sorted(figures):
            print(f"{key}: {self.right[key]}/{self.total[key]} = {figures[key]:.1%}")
        print("reliability (confidence when the kiosk acts → share right):")
        for index in range(len(BINS) - 1):
            count = self.bins[index, True] + self.bins[index, False]
            if count:
                print(f"  {BINS[index]:.2f}–{min(BINS[index + 1], 1.0):.2f}: {self.bins[index, True]}/{count} = "
                      f"{self.bins[index, True] / count:.0%}")  # fmt: skip
        # What the resident meets: acted on at once (confirm_below and up), checked first, or asked again.
        steps = self.steps
        count = sum(steps.values())
        print("dialogue: " + ", ".join(
            f"{step} {steps[step, True] + steps[step, False]} ({(steps[step, True] + steps[step, False]) / count:.0%}, "
            f"{steps[step, True] / max(steps[step, True] + steps[step, False], 1):.0%} right)"
            for step in ("acts", "checks", "declines")))
        print(name, " ".join(f"{k}={figures[k]:.3f}" for k in sorted(figures)),
              f"acts_wrong={steps['acts', False] / count:.3f}")


def report(name: str, parser: Parser, show_misses: bool) -> None:
    tally = Tally()
    for case in cases_of(name):
        tally.add(case, judge(parser, case), parser.catalogue.settings.confirm_below)
    tally.print(name, show_misses)


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    args.add_argument("sets", nargs="*", default=["heldout"], help="regression, heldout, heldout2, …")
    args.add_argument("--misses", action="store_true", help="list every miss")
    options = args.parse_args()
    parser = Parser(load_catalogue())
    for name in options.sets:
        report(name, parser, options.misses)


if __name__ == "__main__":
    main()
