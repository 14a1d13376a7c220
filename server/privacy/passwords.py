"""Staff passwords: Argon2id hashes, never the password itself.

Argon2id with argon2-cffi's defaults (RFC 9106's second recommendation: 3 passes over
64 MiB, 4 lanes) costs about 50 ms per check on the reference machine — nothing for a
person signing in, a wall for someone trying millions of guesses on a stolen database.
Unknown usernames are checked against a dummy hash too, so the answer takes as long
whether or not the account exists.
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_PASSWORD_LENGTH = 10
"""Long enough to resist guessing once the account locks after a few tries (NIST SP 800-63B asks for 8+)."""

_HASHER = PasswordHasher()
_DUMMY_HASH = _HASHER.hash("not a real password; only spends the same time")


class PasswordRefused(ValueError):
    """A new password that must not be used; the message says why, in words staff can act on."""


def check_new_password(password: str, username: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise PasswordRefused(f"the password needs at least {MIN_PASSWORD_LENGTH} characters")
    if username.lower() in password.lower():
        raise PasswordRefused("the password must not contain the user name")
    if len(set(password)) < 4:
        raise PasswordRefused("the password repeats too few different characters")


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def password_matches(stored_hash: str | None, password: str) -> bool:
    """True when `password` is right; with `stored_hash` None, spends the same time and says False."""
    try:
        return _HASHER.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """The hash was made with weaker parameters than today's: replace it at the next sign-in."""
    return _HASHER.check_needs_rehash(stored_hash)
