"""Dump every reading of the regression, held-out, held-out 2 and dev sets, to prove a change
(a speed-up, a refactor) leaves the parser's output exactly as it was.

Usage: PYTHONHASHSEED=0 .venv/bin/python bench/parse_snapshot.py OUT.jsonl   (before and after;
then diff the files). Fix the hash seed: word sets are summed in set order, so raw scores can
differ in their last bit from one process to the next, which could (rarely) move a rounded one.
Also the regression set against bench/parse_speed.py's 10,000-phrase catalogue.
Each line: the parse result (intent, confidence, slots, alternatives…) and the matcher's full
ranking. Sentences come from the sets on disk; bench/heldout3 and heldout4 are left out.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from importlib.abc import Traversable
from pathlib import Path

from parse_speed import generated_catalogue  # bench/ is on the path: the script runs from it

from intents import demo_catalogue_path, load_catalogue
from intents.parser import Parser
from intents.sentence_sets import load_set, regression_dir

BENCH = Path(__file__).resolve().parent
SETS = {"regression": regression_dir(), "heldout": BENCH / "heldout", "heldout2": BENCH / "heldout2",
        "dev": BENCH / "dev"}


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__)
    args.add_argument("out", type=Path)
    options = args.parse_args()
    lines = []
    with tempfile.TemporaryDirectory() as tmp:
        big_path = Path(tmp) / "generated.yaml"
        big_path.write_text(generated_catalogue(10_000), encoding="utf-8")
        catalogues = {"demo": demo_catalogue_path(), "10000 phrases": big_path}
        for label, path in catalogues.items():
            parser = Parser(load_catalogue(path))
            sets = SETS if label == "demo" else {"regression": SETS["regression"]}
            lines.extend(_readings(parser, label, sets))
    options.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(lines)} readings written to {options.out}")


def _readings(parser: Parser, label: str, sets: dict[str, Path | Traversable]) -> list[str]:
    lines = []
    for name, directory in sets.items():
        for case in load_set(directory):
            result = parser.parse(case.text, now=case.now).to_json()
            utterance = parser._preparer.prepare(case.text, result["lang"], case.now.date())
            ranking = parser._matcher.rank(utterance)
            result["ranking"] = [[s.intent, s.confidence] for s in ranking.scores]
            result["ranking_out_of_scope"] = ranking.out_of_scope
            lines.append(json.dumps({"catalogue": label, "set": name, **result}, ensure_ascii=False,
                                    sort_keys=True))
    return lines


if __name__ == "__main__":
    main()
