"""Appointment reference codes a resident can say and a kiosk can read back.

A code is one letter and four digits, e.g. "M4827". The letters are chosen so that no
two of them, nor "A" (progress records use A codes), sound alike or look like a digit:
no O/0, I/1, S/5, B/8, Z/2; only one of each rhyming group (P from B/C/D/E/G/P/T/V,
M from F/L/M/N/S/X, and no J/K which rhyme with A). When four digits grow crowded the
caller asks for a longer code (up to six digits, what the catalogue parser accepts).
"""

from __future__ import annotations

import secrets

APPOINTMENT_LETTERS = "MPRWY"
"""em, pee, ar, double-u, wy: 5 × 10,000 four-digit codes."""

MIN_DIGITS = 4
MAX_DIGITS = 6


def new_appointment_code(digits: int = MIN_DIGITS) -> str:
    """A random code; uniqueness is the database's job (unique index + retry)."""
    digits = max(MIN_DIGITS, min(MAX_DIGITS, digits))
    letter = secrets.choice(APPOINTMENT_LETTERS)
    number = secrets.randbelow(10**digits)
    return f"{letter}{number:0{digits}d}"
