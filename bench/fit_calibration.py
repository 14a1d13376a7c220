"""Fit the confidence calibration shipped in intents/data/calibration.yaml.

Parses the regression set and the held-out sets with raw scores, labels each reading right or
wrong (intent and slots, the same judge as the tests), and fits a logistic curve over the raw
score, its lead over the runner-up and its lead over out-of-scope. Weights are clipped at zero so
the mapping stays monotone. Re-run after changing the catalogue or the matcher:
    .venv/bin/python bench/fit_calibration.py [SET ...]
        (default: regression heldout heldout2 dev dev2 dev3: every set the catalogue was tuned on)

Fitted on tuned sets, the table is over-confident on new wording (see `parse_accuracy.py` on the
held-out sets). Fitted instead on dev2 and dev3 as the parser read them *before* it was tuned on
them (the code of commit f9b1576), it is calibrated on held-out sets too — but the same decisions
then need a lower `min_confidence`, and a third of new-wording turns fall in the check band.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import yaml

from intents import load_catalogue
from intents.calibration import FEATURES, Calibration
from intents.parser import Parser
from intents.sentence_sets import judge, load_set, regression_dir

BENCH = Path(__file__).resolve().parent
TABLE = BENCH.parent / "intents" / "data" / "calibration.yaml"


def samples(names: list[str]) -> tuple[np.ndarray, np.ndarray]:
    parser = Parser(load_catalogue(), Calibration())
    rows, labels = [], []
    for name in names:
        for case in load_set(regression_dir() if name == "regression" else BENCH / name):
            utterance = parser._preparer.prepare(case.text, case.lang, case.now.date())
            ranking = parser._matcher.rank(utterance)
            if not ranking.scores or not utterance.form.surface:
                continue
            best = ranking.scores[0].confidence
            second = ranking.scores[1].confidence if len(ranking.scores) > 1 else 0.0
            reading = judge(parser, case)
            right = reading.right if reading.intent is not None else ranking.scores[0].intent == case.intent
            rows.append((best, best - second, best - ranking.out_of_scope))
            labels.append(float(right and case.intent is not None))
    return np.asarray(rows), np.asarray(labels)


def fit(x: np.ndarray, y: np.ndarray, l2: float = 1.0, steps: int = 50) -> tuple[float, np.ndarray]:
    """Logistic regression by Newton steps with a small ridge, weights clipped at zero."""
    design = np.hstack([np.ones((len(x), 1)), x])
    theta = np.zeros(design.shape[1])
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-design @ theta))
        gradient = design.T @ (p - y) + l2 * np.r_[0.0, theta[1:]]
        hessian = design.T @ (design * (p * (1 - p))[:, None]) + l2 * np.diag(np.r_[0.0, np.ones(x.shape[1])])
        theta -= np.linalg.solve(hessian, gradient)
        theta[1:] = np.maximum(theta[1:], 0.0)
    return float(theta[0]), theta[1:]


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    args.add_argument("sets", nargs="*", default=["regression", "heldout", "heldout2", "dev", "dev2", "dev3"])
    x, y = samples(args.parse_args().sets)
    bias, weights = fit(x, y)
    table = {"bias": round(bias, 4), "weights": {n: round(float(w), 4) for n, w in zip(FEATURES, weights, strict=True)},
             "fitted_on": len(y)}
    TABLE.write_text(yaml.safe_dump(table, sort_keys=False), encoding="utf-8")
    print(f"{len(y)} readings, {int(y.sum())} right → {TABLE}: {table}")


if __name__ == "__main__":
    main()
