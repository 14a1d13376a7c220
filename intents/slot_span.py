"""Where a slot value sits in the normalised text, so the parser can swap it for a placeholder."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class SlotSpan:
    """A slot value found in normalised text."""

    name: str
    """Which slot: "date", "time" or "reference" (the parser adds "service" and "hotline")."""

    value: str
    """Canonical value: date "YYYY-MM-DD", time "HH:MM" (24 h), reference "A1023"."""

    start: int
    """First character of the slot words in the text that was searched."""

    end: int
    """One past the last character, so text[start:end] is exactly the slot words."""


def first_longest(candidates: Iterable[SlotSpan]) -> list[SlotSpan]:
    """Non-overlapping spans in text order, preferring the earlier and then the longer one.

    Finders try several small patterns instead of one huge one; where two readings
    overlap ("后天" inside "大后天") the longer one is the whole phrase the resident said.
    """
    chosen: list[SlotSpan] = []
    for span in sorted(candidates, key=lambda s: (s.start, s.start - s.end)):
        if not chosen or span.start >= chosen[-1].end:
            chosen.append(span)
    return chosen
