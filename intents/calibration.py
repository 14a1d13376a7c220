"""Turn the matcher's blended score into a probability of being right.

The raw score mixes fuzzy matches, word votes and keywords; 0.6 from it does not mean "right
six times in ten". The dialogue and staff settings need a number that does, so a logistic
curve is fitted on labelled sentences (bench/fit_calibration.py) and shipped as data, over:

- the score, its lead over the runner-up and its lead over out-of-scope, with non-negative
  weights, so a better score or a clearer lead never lowers the probability;
- whether the utterance asks about a *stranger*: it names or describes nothing the centre has
  (a service, a hotline, an application's code, a need a service meets) and uses a word no
  example or keyword knows. Out-of-scope requests borrow the centre's request shapes ("book me
  a…", "帮我订份…", "cancel my…") and put a thing of their own in them ("table", "披萨",
  "newspaper delivery"); "make a booking please" has the shape with nothing strange in it, and
  the kiosk asks which service. The feature is weighted by how often the intent's own examples
  name a thing: "yes", "slower" or "my husband collapsed" never do, and are not doubted for a
  word the catalogue lacks.

Fitted on sentences the catalogue was *not* tuned on (see the fitting script): fitted on tuned
sentences, every score looks trustworthy and the table is over-confident on new wording.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from importlib import resources
from importlib.abc import Traversable

import yaml

FEATURES = ("score", "lead", "scope_lead", "stranger")
MONOTONE = ("score", "lead", "scope_lead")
"""Features whose weight is kept non-negative when fitting."""


@dataclass(frozen=True)
class Evidence:
    """What the calibration reads of one reading."""

    score: float
    """The intent's raw score."""
    lead: float
    """Its lead over the next intent (0 for a runner-up)."""
    scope_lead: float
    """Its lead over the out-of-scope class."""
    anchored: bool
    """The utterance names or describes a service, a hotline or an application."""
    unknown_words: bool
    """It uses a word no example or keyword uses (IntentMatcher.words_known)."""
    naming_share: float
    """Share of the intent's examples that name a thing (IntentMatcher.naming_share)."""

    def values(self) -> tuple[float, ...]:
        stranger = self.naming_share if self.unknown_words and not self.anchored else 0.0
        return (self.score, self.lead, self.scope_lead, stranger)


@dataclass(frozen=True)
class Calibration:
    """p = sigmoid(bias + Σ weight·feature), feature order as `FEATURES`."""

    bias: float = 0.0
    weights: tuple[float, ...] = (1.0, 0.0, 0.0, 0.0)
    identity: bool = True
    """No fitted table: the raw score is returned unchanged."""

    def probability(self, evidence: Evidence) -> float:
        if self.identity:
            return min(max(evidence.score, 0.0), 1.0)
        z = self.bias + sum(w * x for w, x in zip(self.weights, evidence.values(), strict=True))
        return 1.0 / (1.0 + math.exp(-max(min(z, 30.0), -30.0)))


class CalibrationTableError(ValueError):
    """The shipped calibration table does not fit this code (re-run bench/fit_calibration.py)."""


def load_calibration(path: Traversable | None = None) -> Calibration:
    """The fitted table shipped in the package (intents/data/calibration.yaml), or another."""
    path = path or resources.files("intents") / "data" / "calibration.yaml"
    if not path.is_file():
        return Calibration()
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    missing = [name for name in FEATURES if name not in data.get("weights", {})]
    if missing:
        raise CalibrationTableError(
            f"{path} has no weight for {', '.join(missing)}: "
            "re-run bench/fit_calibration.py for this version of the parser")
    return Calibration(float(data["bias"]), tuple(float(data["weights"][name]) for name in FEATURES), identity=False)
