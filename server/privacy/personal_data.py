"""Where personal data lives in the database, and the only code that writes or reads it in clear.

Names and phone numbers of residents and of their family proxies are stored encrypted
(server/privacy/field_crypto.py), each bound to its table, column and row. Everything that
stores or shows them goes through here, so "which columns are personal" is one list
(`ENCRYPTED_COLUMNS`) that key rotation, the start-up sweep and the tests share.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Table, insert, or_, select, update

from server.db.database import Database
from server.db.models import Proxy, Resident
from server.privacy.field_crypto import PREFIX, Keyring, is_encrypted, key_id_of
from server.privacy.phone_numbers import normalise_phone, phone_lookup_hash

RESIDENT = Resident.__table__
PROXY = Proxy.__table__

ENCRYPTED_COLUMNS: dict[str, tuple[str, ...]] = {"resident": ("name", "phone"), "proxy": ("name", "phone")}
"""Every column holding a name or phone number, by table."""
_TABLES: dict[str, Table] = {"resident": RESIDENT, "proxy": PROXY}

PLACEHOLDER = ""
"""What an encrypted column holds for the instant between INSERT (which gives the row id the
ciphertext is bound to) and the UPDATE that stores the ciphertext, in the same transaction."""

log = logging.getLogger(__name__)


class PersonalDataInvalid(ValueError):
    """A name or phone number that cannot be stored; the message says what is wrong."""


@dataclass(frozen=True)
class RotationReport:
    """What `reencrypt_all` did."""

    rows: int
    """Rows whose personal fields were re-encrypted."""
    key_id: str
    """The key every personal field is now encrypted with."""


def enrol_resident(
    conn: Connection, keys: Keyring, phone_key: bytes, *, name: str, phone: str, birth_year: int, now: datetime
) -> int:
    """Register a resident with encrypted name and phone; returns the new id."""
    name = clean_name(name)
    phone = normalise_phone(phone)
    resident_id: int = conn.execute(
        insert(RESIDENT)
        .values(name=PLACEHOLDER, phone=PLACEHOLDER, phone_hash=phone_lookup_hash(phone, phone_key),
                birth_year=birth_year, created_at=now)
        .returning(RESIDENT.c.id)
    ).scalar_one()  # fmt: skip
    _seal_row(conn, keys, "resident", resident_id, {"name": name, "phone": phone})
    return resident_id


def add_proxy_row(conn: Connection, keys: Keyring, phone_key: bytes, *, name: str, phone: str, **values: object) -> int:
    """Insert a proxy with encrypted name and phone; `values` are its other columns."""
    name = clean_name(name)
    phone = normalise_phone(phone)
    proxy_id: int = conn.execute(
        insert(PROXY)
        .values(name=PLACEHOLDER, phone=PLACEHOLDER, phone_hash=phone_lookup_hash(phone, phone_key), **values)
        .returning(PROXY.c.id)
    ).scalar_one()
    _seal_row(conn, keys, "proxy", proxy_id, {"name": name, "phone": phone})
    return proxy_id


def set_proxy_name(conn: Connection, keys: Keyring, proxy_id: int, name: str) -> None:
    _seal_row(conn, keys, "proxy", proxy_id, {"name": clean_name(name)})


def resident_name(keys: Keyring, resident_id: int, stored: str) -> str:
    return keys.decrypt(stored, "resident", "name", resident_id)


def resident_phone(keys: Keyring, resident_id: int, stored: str) -> str:
    return keys.decrypt(stored, "resident", "phone", resident_id)


def proxy_name(keys: Keyring, proxy_id: int, stored: str) -> str:
    return keys.decrypt(stored, "proxy", "name", proxy_id)


def proxy_phone(keys: Keyring, proxy_id: int, stored: str) -> str:
    return keys.decrypt(stored, "proxy", "phone", proxy_id)


def phone_tail(phone: str) -> str:
    """The last four digits: enough for an elder to recognise a relative's number, not to call it."""
    return phone[-4:]


# ---------------------------------------------------------------------------------- whole tables


def encrypt_plaintext_rows(conn: Connection, keys: Keyring) -> int:
    """Encrypt personal fields still in clear (a database from before encryption, or a row a
    tool wrote directly); returns how many rows changed. Run at every server start."""
    changed = 0
    for table_name, columns in ENCRYPTED_COLUMNS.items():
        table = _TABLES[table_name]
        clear = or_(*(~table.c[c].startswith(PREFIX + ":") for c in columns))
        for row in conn.execute(select(table.c.id, *(table.c[c] for c in columns)).where(clear)).all():
            values = {c: getattr(row, c) for c in columns if not is_encrypted(getattr(row, c))}
            _seal_row(conn, keys, table_name, row.id, values)
            changed += 1
    if changed:
        log.warning("encrypted the names and phone numbers of %s rows that were stored in clear", changed)
    return changed


REENCRYPT_BATCH_ROWS = 200
"""Rows re-encrypted per transaction during key rotation."""


def reencrypt_all(db: Database, keys: Keyring, *, batch_rows: int = REENCRYPT_BATCH_ROWS) -> RotationReport:
    """Re-encrypt every personal field not yet under the primary key (key rotation), in batches.

    Each batch is one transaction and rewrites whole rows, so a rotation killed half-way
    leaves every row readable under the old key or the new one (both stay in the key file)
    and running it again carries on with the rows still under an old key. Short batches
    also leave SQLite's write lock free for the kiosks in between.
    """
    rows = 0
    for table_name in ENCRYPTED_COLUMNS:
        while True:
            with db.write() as conn:
                done = _reencrypt_batch(conn, keys, table_name, batch_rows)
            rows += done
            if done < batch_rows:
                break
    return RotationReport(rows=rows, key_id=keys.primary.id)


def _reencrypt_batch(conn: Connection, keys: Keyring, table_name: str, limit: int) -> int:
    table, columns = _TABLES[table_name], ENCRYPTED_COLUMNS[table_name]
    current = f"{PREFIX}:{keys.primary.id}:"
    stale = or_(*(~table.c[c].startswith(current) for c in columns))
    batch = conn.execute(
        select(table.c.id, *(table.c[c] for c in columns)).where(stale).order_by(table.c.id).limit(limit)
    ).all()
    for row in batch:
        values = {
            c: keys.decrypt(getattr(row, c), table_name, c, row.id) if is_encrypted(getattr(row, c))
            else getattr(row, c)
            for c in columns
        }  # fmt: skip
        _seal_row(conn, keys, table_name, row.id, values)
    return len(batch)


def key_usage(conn: Connection) -> Counter[str]:
    """How many personal fields each key id encrypts ("clear" for fields not encrypted)."""
    usage: Counter[str] = Counter()
    for table_name, columns in ENCRYPTED_COLUMNS.items():
        table = _TABLES[table_name]
        for row in conn.execute(select(*(table.c[c] for c in columns))):
            for value in row:
                usage[key_id_of(value) or "clear"] += 1
    return usage


def _seal_row(conn: Connection, keys: Keyring, table_name: str, row_id: int, values: dict[str, str]) -> None:
    table = _TABLES[table_name]
    sealed = {column: keys.encrypt(value, table_name, column, row_id) for column, value in values.items()}
    conn.execute(update(table).where(table.c.id == row_id).values(**sealed))


def clean_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise PersonalDataInvalid("a name cannot be empty")
    if len(name) > 100:
        raise PersonalDataInvalid("a name has at most 100 characters")
    return name
