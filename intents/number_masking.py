"""Hiding numbers in what residents said before it is kept anywhere.

An utterance the kiosk did not understand may be a phone number or a birth year said at
the wrong moment. Kiosks report such utterances to staff (understanding gaps), so runs of
four or more digits or number words are replaced by "#" first — on the kiosk before
sending, and again on the server before storing.
"""

from __future__ import annotations

import re

_NUMBER_RUN = re.compile(
    r"(?:[0-9０-９零〇一二三四五六七八九幺两][\s\-]*){4,}"
    r"|\b(?:(?:zero|oh|one|two|three|four|five|six|seven|eight|nine|double|triple)\b[\s\-]*){4,}",
    re.IGNORECASE,
)


def mask_numbers(text: str) -> str:
    """Replace runs of four or more digits or number words by "#" (phone numbers, years)."""
    return _NUMBER_RUN.sub("# ", text).strip()
