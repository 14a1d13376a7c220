"""Load the utterance sets (tests/sentences, bench/heldout) in Home Assistant intents style."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
REGRESSION_DIR = ROOT / "tests" / "sentences"
HELDOUT_DIR = ROOT / "bench" / "heldout"
HELDOUT2_DIR = ROOT / "bench" / "heldout2"


@dataclass(frozen=True)
class Case:
    """One utterance with what the parser must make of it."""

    text: str
    lang: str
    now: datetime
    intent: str | None
    slots: dict[str, str]

    @property
    def id(self) -> str:
        return f"{self.lang}:{self.intent}:{self.text}"


def load_cases(path: Path) -> list[Case]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    lang = data["language"]
    now = datetime.fromisoformat(data["now"])
    cases = []
    for group in data["tests"]:
        slots = {k: str(v) for k, v in (group.get("slots") or {}).items()}
        for text in group["sentences"]:
            if not isinstance(text, str):  # YAML reads a bare yes/no as a boolean
                raise TypeError(f"{path}: sentence {text!r} is not text; put it in quotes")
            cases.append(Case(text, lang, now, group.get("intent"), slots))
    return cases


def load_set(directory: Path) -> list[Case]:
    return [case for lang in ("zh", "en") for case in load_cases(directory / f"{lang}.yaml")]
