"""Bearer tokens for kiosks and resident sessions: random, shown once, stored as a hash.

The tokens carry 192 random bits, so a plain SHA-256 is enough to make a stolen
database useless for impersonation; a slow password hash would only cost latency.
"""

from __future__ import annotations

import hashlib
import secrets

DEVICE_TOKEN_PREFIX = "kd_"
RESIDENT_SESSION_PREFIX = "rs_"


def new_token(prefix: str) -> str:
    """A fresh token; the prefix tells a reader of logs which kind leaked."""
    return prefix + secrets.token_urlsafe(24)


def token_hash(token: str) -> str:
    """What the database stores and looks up instead of the token."""
    return hashlib.sha256(token.encode()).hexdigest()
