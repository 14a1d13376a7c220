"""The grammar as JSGF: exactly the catalogue's sentences, slots as rules.

The strict alternative to `arpa_model`: PocketSphinx can only ever hear one whole
template with names in its slots. Kept so the choice between the two stays measurable
(`bench/asr_speed.py`, tests); see `pocketsphinx_engine` for which one is the default.
"""

from __future__ import annotations

import re

from .grammar import SLOT_MARK, Grammar

GRAMMAR_NAME = "catalogue"
_PLAIN_TOKEN = re.compile(r"^[a-z0-9.']+$")


def jsgf_text(grammar: Grammar) -> str:
    """A JSGF grammar whose public rule accepts any single template of `grammar`."""
    lines = ["#JSGF V1.0;", f"grammar {GRAMMAR_NAME};", ""]
    used_slots = {s for t in grammar.templates for s in t.slots}
    for slot in sorted(used_slots):
        values = [v for v in grammar.slot_values.get(slot, ()) if v]
        if values:
            lines.append(f"<{slot}> = " + " | ".join(_sequence(v) for v in values) + ";")
        else:
            lines.append(f"<{slot}> = <NULL>;")
    alternatives = []
    for template in grammar.templates:
        parts = [f"<{m.group(1)}>" if (m := SLOT_MARK.fullmatch(p)) else _token(p) for p in template.parts]
        if parts:
            alternatives.append(f"/{max(template.weight, 1e-4):.4f}/ " + " ".join(parts))
    lines.append("public <utterance> = " + "\n    | ".join(alternatives) + ";")
    return "\n".join(lines) + "\n"


def _sequence(words: tuple[str, ...]) -> str:
    return " ".join(_token(w) for w in words)


def _token(word: str) -> str:
    """Words with dots ("a.m.") must be quoted in JSGF."""
    return word if _PLAIN_TOKEN.match(word) else '"' + word.replace('"', "") + '"'
