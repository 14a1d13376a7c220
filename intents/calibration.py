"""Turn the matcher's blended score into a probability of being right.

The raw score mixes fuzzy matches, word votes and keywords; 0.6 from it does not mean "right
six times in ten". The dialogue and staff settings need a number that does, so a logistic
curve over the score, its lead over the runner-up and its lead over out-of-scope is fitted on
labelled sentences (bench/fit_calibration.py) and shipped as data. Coefficients are kept
non-negative, so a better score or a clearer lead never lowers the probability.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from importlib import resources

import yaml

FEATURES = ("score", "lead", "scope_lead")


@dataclass(frozen=True)
class Calibration:
    """p = sigmoid(bias + Σ weight·feature)."""

    bias: float = 0.0
    weights: tuple[float, float, float] = (1.0, 0.0, 0.0)
    identity: bool = True
    """No fitted table: the raw score is returned unchanged."""

    def probability(self, score: float, lead: float, scope_lead: float) -> float:
        if self.identity:
            return min(max(score, 0.0), 1.0)
        z = self.bias + sum(w * x for w, x in zip(self.weights, (score, lead, scope_lead), strict=True))
        return 1.0 / (1.0 + math.exp(-max(min(z, 30.0), -30.0)))


def load_calibration() -> Calibration:
    """The fitted table shipped in the package (intents/data/calibration.yaml)."""
    path = resources.files("intents") / "data" / "calibration.yaml"
    if not path.is_file():
        return Calibration()
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    weights = tuple(float(data["weights"][name]) for name in FEATURES)
    return Calibration(float(data["bias"]), (weights[0], weights[1], weights[2]), identity=False)
