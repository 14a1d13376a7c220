"""Understanding accuracy on an utterance set: intent accuracy per language, out-of-scope
rejection and slot accuracy, with every miss listed.

Targets (issue 2): intent >= 90 % per language, out-of-scope rejection >= 80 %, slots >= 85 %.
Usage: .venv/bin/python bench/parse_accuracy.py [heldout|heldout2|regression] [--misses]
(heldout and heldout2 were written independently of the catalogue and are never tuned on.)
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

from intents import load_catalogue
from intents.parser import Parser

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from sentence_sets import HELDOUT2_DIR, HELDOUT_DIR, REGRESSION_DIR, load_set

SETS = {"heldout": HELDOUT_DIR, "heldout2": HELDOUT2_DIR, "regression": REGRESSION_DIR}


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__)
    args.add_argument("set", nargs="?", choices=tuple(SETS), default="heldout")
    args.add_argument("--misses", action="store_true", help="list every miss")
    options = args.parse_args()
    cases = load_set(SETS[options.set])
    parser = Parser(load_catalogue())
    total: Counter[str] = Counter()
    right: Counter[str] = Counter()
    misses: list[str] = []
    for case in cases:
        result = parser.parse(case.text, now=case.now)
        if case.intent is None:
            total["oos"] += 1
            right["oos"] += result.intent is None
        else:
            total[f"intent_{case.lang}"] += 1
            right[f"intent_{case.lang}"] += result.intent == case.intent
        for name, value in case.slots.items():
            total["slots"] += 1
            right["slots"] += result.slots.get(name) == value
        if result.intent != case.intent or any(result.slots.get(k) != v for k, v in case.slots.items()):
            misses.append(f"  {case.lang} want {case.intent} {case.slots} got {result.intent} "
                          f"{result.confidence:.2f} {result.slots}  «{case.text}»")
    if options.misses:
        print("\n".join(misses))
    figures = {k: right[k] / total[k] if total[k] else float("nan") for k in total}
    for key in sorted(figures):
        print(f"{key}: {right[key]}/{total[key]} = {figures[key]:.1%}")
    print(" ".join(f"{k}={figures[k]:.3f}" for k in sorted(figures)))


if __name__ == "__main__":
    main()
