"""Train the sentence model shipped in intents/data/sentence_model.npz (intents/sentence_model.py),
and the slot models beside it (service_model.npz, hotline_model.npz: which service or line a
sentence describes without naming it, learned from the catalogue's situations and the labelled
sentences of intents about the slot that name no value).

What it learns from:
- every example of the catalogue, and its out-of-scope examples (no matcher reading: the model
  learns their wording);
- the regression set, read by today's matcher;
- each tuning set read by the catalogue of the commit that added it, through today's code
  (bench/fit_calibration.py's UNSEEN_WORDING): there the matcher meets wording it was not tuned
  on, so the model learns when to doubt it, not only that it is usually right.
The held-out sets (bench/heldout*) are never read here: they are the exam.

    .venv/bin/python bench/train_sentence_model.py [--validate [--folds N] [--readings FILE] | --validate-slots]

`--validate` first trains once per tuning set with that set left out (or once per fold of
sets, with `--folds`: six folds take about a quarter of the time) and prints how the parser does
on it with and without the model (the set read by the catalogue of its day), and how many
emergencies the rescue finds at several thresholds; then it trains and saves the shipped models
as it does without the option (restore them from git to measure only);
`--validate-slots` does the same for the slot models at several SLOT_MODEL_SURE values.
Re-run after changing the catalogue's intents, the matcher or the calibration; then refit
the calibration and check the held-out sets with parse_accuracy.py.
"""

from __future__ import annotations

import argparse
import copy
import json
import tempfile
import time
from datetime import datetime
from pathlib import Path

import numpy as np
from fit_calibration import UNSEEN_WORDING, catalogue_at
from parse_accuracy import Tally
from scipy.optimize import minimize
from scipy.sparse import csr_matrix

from intents import load_catalogue
from intents import parser as parser_module
from intents.catalogue import Catalogue, Language
from intents.matcher import EMERGENCY
from intents.parser import Parser, describes
from intents.sentence_model import (
    DESCRIBED_SLOTS,
    NO_INTENT,
    Reading,
    SentenceModel,
    shipped_model_path,
    shipped_slot_model_path,
)
from intents.sentence_sets import Case, judge, load_set, regression_dir
from intents.sentence_sets import Reading as Judged
from intents.utterance import UtterancePreparer

BENCH = Path(__file__).resolve().parent
RIDGE = 5e-6
"""L2 penalty per weight; chosen on six grouped folds of the 26 tuning sets (--validate --folds 6,
session 9): intent en / zh, out of scope, emergencies heard, acted on wrongly were 90.1 / 91.0,
92.6, 89.0, 3.5 % at 1e-5; 91.2 / 92.0, 92.9, 90.8, 3.8 % at 5e-6; 91.7 / 92.6, 93.1, 91.5,
4.1 % at 3e-6. Less penalty turns declines into readings, most of them right but not all, and
makes the model surer of itself (readings of 0.85-0.95 right 88, 86, 83 % of the time)."""
REFERENCE = datetime(2026, 11, 26, 10, 0)
"""The day catalogue examples are prepared on (the sets' own reference time)."""


class Rows:
    """Features and labels of the training sentences."""

    def __init__(self, catalogue: Catalogue, model: SentenceModel) -> None:
        self.model = model
        self.preparer = UtterancePreparer(catalogue)
        self.features: list[dict[int, float]] = []
        self.labels: list[int] = []
        self.column = {label: k for k, label in enumerate(model.labels)}

    def add(self, text: str, lang: Language, intent: str | None, now: datetime, parser: Parser | None) -> None:
        utterance = self.preparer.prepare(text, lang, now.date())
        reading = parser.matcher_reading(text, lang, now) if parser is not None else None
        self.add_surface(utterance.form.surface, lang, intent, reading)

    def add_surface(self, surface: str, lang: Language, label: str | None, reading: Reading | None = None) -> None:
        if not surface:
            return
        self.features.append(self.model.features(surface, lang, reading))
        self.labels.append(self.column[label or NO_INTENT])

    def joined(self, *others: Rows) -> Rows:
        """These rows and `others` (rows of the same model) as one training set."""
        rows = copy.copy(self)
        rows.features = [*self.features, *(f for other in others for f in other.features)]
        rows.labels = [*self.labels, *(label for other in others for label in other.labels)]
        return rows


def blank_model(catalogue: Catalogue, values: list[str] | None = None) -> SentenceModel:
    """Untrained, for the intents or, given `values`, for one slot's values."""
    labels = (*sorted(values if values is not None else [intent.id for intent in catalogue.intents]), NO_INTENT)
    return SentenceModel(labels, np.zeros(0, dtype=np.int64), np.zeros((0, len(labels)), dtype=np.float32))


def slot_rows(catalogue: Catalogue, specs: list[str], slot: str) -> Rows:
    """For the model of a slot words may describe: the catalogue's situations for each value,
    and every sentence of an intent about the slot that does not name a value (labelled with
    the value the sentence describes, or none)."""
    named = {"service": catalogue.services, "hotline": catalogue.hotlines}[slot]
    rows = Rows(catalogue, blank_model(catalogue, [entity.id for entity in named]))
    for entity in named:
        for lang, phrases in entity.situations.items():
            for text in phrases:
                rows.add(text, lang, entity.id, REFERENCE, None)
    today = Parser(catalogue, sentence_model=False)
    for spec in specs:
        name, _, _ = spec.partition("@")
        for case in load_set(regression_dir() if name == "regression" else BENCH / name):
            if case.intent is None or today.described_slot(case.intent) != slot:
                continue
            utterance = rows.preparer.prepare(case.text, case.lang, case.now.date())
            if not any(span.name == slot for span in utterance.slots) and describes(utterance):
                rows.add_surface(utterance.form.surface, case.lang, case.slots.get(slot))
    return rows


def catalogue_rows(catalogue: Catalogue) -> Rows:
    """Every example of the catalogue, and its out-of-scope examples, without a matcher reading."""
    rows = Rows(catalogue, blank_model(catalogue))
    for intent in catalogue.intents:
        for lang, examples in intent.examples.items():
            for text in examples:
                rows.add(text, lang, intent.id, REFERENCE, None)
    for lang, examples in catalogue.out_of_scope.items():
        for text in examples:
            rows.add(text, lang, None, REFERENCE, None)
    return rows


def set_rows(catalogue: Catalogue, spec: str, scratch: Path) -> Rows:
    """One sentence set, each sentence with the reading of the catalogue of the set's day."""
    rows = Rows(catalogue, blank_model(catalogue))
    name, _, commit = spec.partition("@")
    parser = Parser(load_catalogue(catalogue_at(commit or None, scratch)), sentence_model=False)
    for case in load_set(regression_dir() if name == "regression" else BENCH / name):
        rows.add(case.text, case.lang, case.intent, case.now, parser)
    return rows


def rows_for(catalogue: Catalogue, specs: list[str], scratch: Path) -> Rows:
    return catalogue_rows(catalogue).joined(*(set_rows(catalogue, spec, scratch) for spec in specs))


def train(rows: Rows) -> SentenceModel:
    """Multinomial logistic regression, L-BFGS, weights kept only for features seen."""
    model = rows.model
    k = len(model.labels)
    r, c, v = [], [], []
    for i, found in enumerate(rows.features):
        r.extend([i] * len(found))
        c.extend(found)
        v.extend(found.values())
    x = csr_matrix((v, (r, c)), shape=(len(rows.features), model.feature_count))
    used = np.unique(x.indices)
    x = x[:, used]
    y = np.eye(k)[np.asarray(rows.labels)]
    n = len(rows.labels)

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        weights = w.reshape(len(used), k)
        z = x @ weights
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        value = -np.sum(y * np.log(p + 1e-12)) / n + RIDGE * np.sum(weights * weights)
        return value, np.asarray(x.T @ (p - y) / n + 2 * RIDGE * weights).ravel()

    result = minimize(loss, np.zeros(len(used) * k), jac=True, method="L-BFGS-B", options={"maxiter": 500})
    return SentenceModel(model.labels, used.astype(np.int64), result.x.reshape(len(used), k).astype(np.float32))


def folds_of(specs: list[str], folds: int | None) -> list[list[str]]:
    """The tuning sets in `folds` groups dealt in turn (each set alone without `folds`): a
    whole set is left out together, since its sentences share a writer's habits."""
    tuning = [s for s in specs if "@" in s]
    count = folds or len(tuning)
    return [tuning[k::count] for k in range(count)]


def validate(catalogue: Catalogue, specs: list[str], scratch: Path, readings: Path | None,
             folds: int | None) -> None:
    """Each tuning set read by a model trained without it (or without its fold); then the
    figures and the reliability table over all of them pooled: the fairest view of what new
    wording meets. `readings`: a JSON line per sentence with the matcher's reading, the
    parser's, the model's chance of an emergency and whether the parser would have declined
    without the rescue (what intents/parser.py's EMERGENCY_DOUBT and EMERGENCY_HEARD are chosen
    on; a table of the rescue at several thresholds is printed)."""
    pooled = {"matcher": Tally(), "with model": Tally()}
    doubts = readings.open("w", encoding="utf-8") if readings is not None else None
    each = {spec: set_rows(catalogue, spec, scratch) for spec in specs}  # a set's readings never change
    examples = catalogue_rows(catalogue)
    rescue: list[tuple[bool, float]] = []
    """(an emergency, the model's chance of one) for each sentence declined without the rescue."""
    for fold in folds_of(specs, folds):
        model = train(examples.joined(*(rows for spec, rows in each.items() if spec not in fold)))
        for left_out in fold:
            name, _, commit = left_out.partition("@")
            day = load_catalogue(catalogue_at(commit, scratch))
            parsers = {"matcher": Parser(day, sentence_model=False), "with model": Parser(day, sentence_model=model)}
            heard: dict[str, Judged] = {}
            for label, parser in parsers.items():
                tally = Tally()
                for case in load_set(BENCH / name):
                    reading = judge(parser, case)
                    for into in (tally, pooled[label]):
                        into.add(case, reading, day.settings.confirm_below)
                    if label == "matcher":
                        heard[case.text] = reading
                        continue
                    chance = parser.emergency_chance(case.text, case.lang, case.now)
                    declined = _declined_without_rescue(parser, case)
                    if declined and chance is not None:
                        rescue.append((case.intent == EMERGENCY, chance))
                    if doubts is not None:
                        doubts.write(json.dumps({
                            "set": left_out, "text": case.text, "label": case.intent,
                            "matcher": heard[case.text].intent, "matcher_confidence": heard[case.text].confidence,
                            "parsed": reading.intent, "confidence": reading.confidence,
                            "model_chance": chance, "declined_without_rescue": declined,
                        }, ensure_ascii=False) + "\n")
                tally.print(f"{left_out} left out, {label}")
    for label, tally in pooled.items():
        tally.print(f"all left out, {label}")
    print_rescue(rescue)
    if doubts is not None:
        doubts.close()


def _declined_without_rescue(parser: Parser, case: Case) -> bool:
    """Whether the parser would act on nothing here if the model's chance of an emergency were
    never enough on its own."""
    shipped = parser_module.EMERGENCY_HEARD
    parser_module.EMERGENCY_HEARD = 2.0
    try:
        return judge(parser, case).intent is None
    finally:
        parser_module.EMERGENCY_HEARD = shipped


RESCUE_TRIED = (0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5)
"""EMERGENCY_HEARD values the rescue table compares."""


def print_rescue(rescue: list[tuple[bool, float]]) -> None:
    emergencies = sum(real for real, _ in rescue)
    print(f"declined without the rescue: {emergencies} emergencies, {len(rescue) - emergencies} other sentences")
    for threshold in RESCUE_TRIED:
        rescued = sum(real and chance >= threshold for real, chance in rescue)
        alarms = sum(not real and chance >= threshold for real, chance in rescue)
        print(f"  EMERGENCY_HEARD {threshold:.2f}: {rescued} emergencies rescued, {alarms} false alarms")


SURE_TRIED = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8)
"""SLOT_MODEL_SURE values --validate-slots compares."""


def validate_slots(catalogue: Catalogue, specs: list[str], scratch: Path) -> None:
    """Each tuning set read with slot models trained without it, at several thresholds, beside
    the parser without them (both with the shipped sentence model): what SLOT_MODEL_SURE is
    chosen on."""
    pooled: dict[str, Tally] = {}
    for left_out in [s for s in specs if "@" in s]:
        others = [s for s in specs if s != left_out]
        models = {slot: train(slot_rows(catalogue, others, slot)) for slot in DESCRIBED_SLOTS}
        name, _, commit = left_out.partition("@")
        day = load_catalogue(catalogue_at(commit, scratch))
        arms = {"without": Parser(day, slot_models=False)} | {
            f"sure {sure}": Parser(day, slot_models=models) for sure in SURE_TRIED}
        for label, parser in arms.items():
            parser_module.SLOT_MODEL_SURE = float(label.split()[-1]) if label != "without" else 1.0
            tally = pooled.setdefault(label, Tally())
            for case in load_set(BENCH / name):
                tally.add(case, judge(parser, case), day.settings.confirm_below)
        print(f"{left_out} done", flush=True)
    for label, tally in pooled.items():
        tally.print(f"all left out, slot models {label}")


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    args.add_argument("--validate", action="store_true")
    args.add_argument("--readings", type=Path, help="with --validate: every left-out reading, as JSON lines")
    args.add_argument("--folds", type=int, help="with --validate: leave out this many groups of sets, not each set")
    args.add_argument("--validate-slots", action="store_true", help="the slot models left out per set, then exit")
    options = args.parse_args()
    catalogue = load_catalogue()
    specs = ["regression", *UNSEEN_WORDING]
    with tempfile.TemporaryDirectory() as scratch:
        if options.validate_slots:
            validate_slots(catalogue, specs, Path(scratch))
            return
        if options.validate:
            validate(catalogue, specs, Path(scratch), options.readings, options.folds)
        started = time.perf_counter()
        rows = rows_for(catalogue, specs, Path(scratch))
        trained = {Path(str(shipped_model_path())): (rows, train(rows))}
    for slot in DESCRIBED_SLOTS:
        slots = slot_rows(catalogue, specs, slot)
        trained[Path(str(shipped_slot_model_path(slot)))] = (slots, train(slots))
    for target, (used, model) in trained.items():
        model.save(target)
        print(f"{len(used.labels)} sentences, {len(model.rows)} features → {target} "
              f"({target.stat().st_size // 1024} KiB)")
    print(f"{time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
