"""Encryption of single database fields (names, phone numbers) with AES-256-GCM.

A stolen database file, a backup left on a USB stick, or a `sqlite3 .dump` shown on a
screen must not reveal who the centre's residents are. So personal fields are stored as
`pd1:<key id>:<base64url(nonce | ciphertext | tag)>`:

- AES-GCM with a fresh random 96-bit nonce per value: the same name encrypts differently
  every time, and any change to the stored text is detected (`InvalidTag`);
- the associated data is `table.column.row_id`, so a ciphertext copied into another row
  or column (a name swapped onto someone else's record) fails to decrypt instead of
  quietly putting one resident's name on another's appointments;
- the key id names the key that encrypted the value, so after `kiosk keys rotate` the
  server can still read rows written under the previous key until all are re-encrypted.

Randomised ciphertext cannot be searched, so lookups go through keyed hashes instead
(`server/privacy/phone_numbers.py`).

Keys come from `KIOSK_DATA_KEYS` (for deployments that keep secrets in the environment)
or from the key file `personal-data.keys` in the data directory, created with mode 0600
on first start. One base64url key per line; the first encrypts, all decrypt. The file is
re-read when it changes, so a running server picks up a rotation without a restart.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import secrets
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

KEY_FILE = "personal-data.keys"
"""File in the data directory holding the personal-data keys (never in the repository)."""
KEYS_VARIABLE = "KIOSK_DATA_KEYS"
"""Environment variable with the keys instead of the file: base64url keys, comma- or newline-separated."""

PREFIX = "pd1"
"""Marks a stored value as encrypted (format version 1)."""
KEY_BYTES = 32
NONCE_BYTES = 12
REFRESH_SECONDS = 2.0
"""How often a running server looks whether the key file changed."""


class KeyringError(Exception):
    """The personal-data keys cannot be used; the message says what to fix."""


class FieldUndecryptable(Exception):
    """A stored value cannot be decrypted: unknown key, tampered text, or copied from another row."""


@dataclass(frozen=True)
class DataKey:
    """One AES-256 key."""

    id: str
    """8 hex digits derived from the key itself, stored with each value it encrypts."""
    secret: bytes
    """The 32 key bytes."""

    @classmethod
    def from_text(cls, text: str) -> DataKey:
        try:
            secret = base64.urlsafe_b64decode(_padded(text.strip()))
        except (binascii.Error, ValueError):
            raise KeyringError("a personal-data key is not valid base64url text") from None
        if len(secret) != KEY_BYTES:
            raise KeyringError(f"a personal-data key must be {KEY_BYTES} bytes, not {len(secret)}")
        return cls(hashlib.sha256(secret).hexdigest()[:8], secret)

    @classmethod
    def generate(cls) -> DataKey:
        return cls.from_text(base64.urlsafe_b64encode(secrets.token_bytes(KEY_BYTES)).decode())

    def to_text(self) -> str:
        return base64.urlsafe_b64encode(self.secret).decode()


def field_context(table: str, column: str, row_id: int) -> bytes:
    """The associated data binding a ciphertext to its place in the database."""
    return f"{table}.{column}.{row_id}".encode()


def is_encrypted(value: str | None) -> bool:
    return value is not None and value.startswith(PREFIX + ":")


def key_id_of(value: str) -> str | None:
    """Which key encrypted a stored value (None: not encrypted)."""
    if not is_encrypted(value):
        return None
    return value.split(":", 2)[1]


class Keyring:
    """The keys of one installation: the first (primary) encrypts, every one decrypts."""

    def __init__(self, keys: list[DataKey], path: Path | None = None) -> None:
        if not keys:
            raise KeyringError("no personal-data key given")
        self._keys = list(keys)
        self.path = path
        """The key file, when the keys come from one (None: from the environment)."""
        self._mtime = path.stat().st_mtime_ns if path is not None else 0
        self._checked = time.monotonic()
        self._lock = threading.Lock()

    @property
    def keys(self) -> list[DataKey]:
        return list(self._keys)

    @property
    def primary(self) -> DataKey:
        return self._keys[0]

    # ------------------------------------------------------------------ encrypting

    def encrypt(self, value: str, table: str, column: str, row_id: int) -> str:
        self.refresh()
        key = self.primary
        nonce = secrets.token_bytes(NONCE_BYTES)
        sealed = AESGCM(key.secret).encrypt(nonce, value.encode(), field_context(table, column, row_id))
        return f"{PREFIX}:{key.id}:{base64.urlsafe_b64encode(nonce + sealed).decode().rstrip('=')}"

    def decrypt(self, stored: str, table: str, column: str, row_id: int) -> str:
        where = f"{table}.{column} of row {row_id}"
        if not is_encrypted(stored):
            raise FieldUndecryptable(f"{where} is not encrypted; run the server once to encrypt old rows")
        _prefix, key_id, body = stored.split(":", 2)
        key = self._key(key_id)
        if key is None:
            self.refresh(force=True)
            key = self._key(key_id)
        if key is None:
            raise FieldUndecryptable(
                f"{where} was encrypted with key {key_id}, which is not among the keys "
                f"({', '.join(k.id for k in self._keys)}); restore the key file from the backup"
            )
        try:
            raw = base64.urlsafe_b64decode(_padded(body))
            context = field_context(table, column, row_id)
            plain = AESGCM(key.secret).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], context)
        except (InvalidTag, binascii.Error, ValueError):
            raise FieldUndecryptable(
                f"{where} does not decrypt: it was changed, or copied from another row or column"
            ) from None
        return plain.decode()

    def _key(self, key_id: str) -> DataKey | None:
        return next((k for k in self._keys if k.id == key_id), None)

    # ------------------------------------------------------------------ key file

    def refresh(self, *, force: bool = False) -> None:
        """Re-read the key file if it changed (at most every few seconds unless forced)."""
        if self.path is None:
            return
        now = time.monotonic()
        if not force and now - self._checked < REFRESH_SECONDS:
            return
        with self._lock:
            self._checked = now
            try:
                mtime = self.path.stat().st_mtime_ns
            except OSError:
                return  # keep the keys we have; the file may be being replaced
            if mtime != self._mtime:
                self._keys = read_key_file(self.path)
                self._mtime = mtime


def load_keyring(env: Mapping[str, str], data_dir: Path) -> Keyring:
    """The keys from `KIOSK_DATA_KEYS`, else from the key file (created on first start)."""
    if env.get(KEYS_VARIABLE):
        texts = [t for t in env[KEYS_VARIABLE].replace(",", "\n").splitlines() if t.strip()]
        return Keyring([DataKey.from_text(t) for t in texts])
    path = data_dir / KEY_FILE
    if not path.exists():
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another worker created it a moment ago
        else:
            with os.fdopen(fd, "w") as out:
                out.write(_file_text([DataKey.generate()]))
    return Keyring(read_key_file(path), path)


def read_key_file(path: Path) -> list[DataKey]:
    try:
        lines = path.read_text().splitlines()
    except OSError as exc:
        raise KeyringError(f"cannot read the personal-data key file {path}: {exc}") from None
    keys = [DataKey.from_text(line) for line in lines if line.strip() and not line.lstrip().startswith("#")]
    if not keys:
        raise KeyringError(f"the personal-data key file {path} holds no key; restore it from the backup")
    return keys


def write_key_file(path: Path, keys: list[DataKey]) -> None:
    """Replace the key file in one step (a crash leaves the old or the new file, never half)."""
    temporary = path.with_name(path.name + ".new")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(_file_text(keys))
        out.flush()
        os.fsync(out.fileno())
    os.replace(temporary, path)


def _file_text(keys: list[DataKey]) -> str:
    header = (
        "# Keys encrypting residents' and family members' names and phone numbers.\n"
        "# The first line encrypts; every line decrypts. Back this file up with the database:\n"
        "# without it the personal data cannot be read. Change it only with `kiosk keys`.\n"
    )
    return header + "".join(k.to_text() + "\n" for k in keys)


def _padded(text: str) -> str:
    return text + "=" * (-len(text) % 4)
