"""Phone numbers: one normal form, and a keyed hash to find a resident without reading phones.

The keyed hash is the only column queried, so the phone column itself can be encrypted
later (issue 6) without changing how residents are found. Without the key, the hash of
an 11-digit number cannot be reversed by trying every number.
"""

from __future__ import annotations

import hashlib
import hmac
import re

_SEPARATORS = re.compile(r"[\s\-()（）.]")
_COUNTRY_PREFIX = re.compile(r"^(\+|00)86")


class InvalidPhone(ValueError):
    """Not something a resident could dial; the message says why."""


def normalise_phone(raw: str) -> str:
    """Digits only, no +86: "+86 138-0013-8000" and "13800138000" are the same phone."""
    text = _SEPARATORS.sub("", raw.strip())
    text = _COUNTRY_PREFIX.sub("", text)
    if not text.isascii() or not text.isdigit():
        raise InvalidPhone("a phone number has digits only (spaces, dashes and +86 are allowed)")
    if not 5 <= len(text) <= 15:
        raise InvalidPhone("a phone number has 5 to 15 digits")
    return text


def phone_lookup_hash(phone: str, key: bytes) -> str:
    """HMAC-SHA256 of the normalised phone, hex; what the `resident.phone_hash` column holds."""
    return hmac.new(key, normalise_phone(phone).encode(), hashlib.sha256).hexdigest()
