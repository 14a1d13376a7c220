"""Names and phone numbers at rest: never in clear, bound to their row, and re-keyable."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from family_harness import family_page, grant, link
from server_harness import Centre
from sqlalchemy import MetaData, insert, select, update

from server.db.database import Database
from server.db.migrate import upgrade_to_head
from server.db.models import Proxy, Resident
from server.privacy.field_crypto import KEY_FILE, DataKey, FieldUndecryptable, Keyring, read_key_file, write_key_file
from server.privacy.personal_data import (
    ENCRYPTED_COLUMNS,
    encrypt_plaintext_rows,
    enrol_resident,
    key_usage,
    resident_name,
)
from server.privacy.phone_numbers import phone_lookup_hash
from server.settings import settings_from_environment

RESIDENT = Resident.__table__
PROXY = Proxy.__table__
DEMO_PEOPLE = ("王秀英", "李建国", "张桂兰", "刘德明", "Margaret Chen", "13800138000", "13900139000", "02087654321",
               "13700137000")  # fmt: skip


def _everything_stored(centre: Centre, backend: str) -> bytes:
    """SQLite: the raw bytes of the database files and a `.dump`; PostgreSQL: every row of every table."""
    if backend == "sqlite":
        path = Path(centre.server.database.engine.url.database)
        raw = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
        with sqlite3.connect(path) as conn:
            dump = "\n".join(conn.iterdump())
        return raw + dump.encode()
    with centre.server.database.read() as conn:
        metadata = MetaData()
        metadata.reflect(conn)
        return "\n".join(str(row) for table in metadata.sorted_tables for row in conn.execute(table.select())).encode()


def test_nothing_personal_is_readable_in_the_database(centre: Centre, backend: str) -> None:
    kiosk = centre.kiosk()
    elder = centre.resident(name="欧阳秘密", phone="13612345678")
    consent = grant(kiosk, centre.identify(kiosk, elder))
    assert link(family_page(centre.server), consent["code"], "15987654321", name="外孙女欧阳小米").status_code == 303

    stored = _everything_stored(centre, backend)
    # (The six-digit consent code is not looked for: any six digits occur by chance in timestamps.
    # That only its keyed hash is stored is checked by the code's own tests.)
    for secret in (*DEMO_PEOPLE, "欧阳秘密", "13612345678", "15987654321", "外孙女欧阳小米", "欧阳"):
        assert secret.encode() not in stored, f"{secret} is readable in the {backend} database"
    assert b"pd1:" in stored  # the encrypted values are there
    with centre.server.database.read() as conn:
        assert key_usage(conn)["clear"] == 0


def test_a_value_moved_to_another_row_or_column_does_not_decrypt(centre: Centre) -> None:
    kiosk = centre.kiosk()
    first, second = centre.resident(name="甲居民"), centre.resident(name="乙居民")
    keys = centre.server.settings.data_keys
    db = centre.server.database
    with db.read() as conn:
        rows = {r.id: r for r in conn.execute(select(RESIDENT).where(RESIDENT.c.id.in_([first.id, second.id])))}
    assert resident_name(keys, first.id, rows[first.id].name) == "甲居民"
    with pytest.raises(FieldUndecryptable, match="copied from another row"):
        keys.decrypt(rows[first.id].name, "resident", "name", second.id)
    with pytest.raises(FieldUndecryptable):
        keys.decrypt(rows[first.id].name, "resident", "phone", first.id)
    with pytest.raises(FieldUndecryptable):
        keys.decrypt(rows[first.id].name, "proxy", "name", first.id)
    tampered = rows[first.id].name[:-2] + ("A" if rows[first.id].name[-2] != "A" else "B") + rows[first.id].name[-1]
    with pytest.raises(FieldUndecryptable):
        keys.decrypt(tampered, "resident", "name", first.id)

    # Through the server: the swapped name is refused, not shown as someone else's.
    with db.write() as conn:
        conn.execute(update(RESIDENT).where(RESIDENT.c.id == second.id).values(name=rows[first.id].name))
    try:
        refused = kiosk.post("/api/v1/residents/identify", json={"phone": second.phone, "birth_year": 1950})
        assert refused.status_code == 500
        assert refused.json()["error"] == "personal_data_unreadable"
        assert "甲居民" not in refused.text and "resident" not in refused.text
    finally:
        with db.write() as conn:
            conn.execute(update(RESIDENT).where(RESIDENT.c.id == second.id).values(name=rows[second.id].name))
    assert "personal data unreadable" in centre.server.log()
    assert centre.identify(kiosk, second)  # restored: readable again


def test_rows_written_in_clear_are_encrypted_by_the_sweep(centre: Centre) -> None:
    settings = centre.server.settings
    db = centre.server.database
    with db.write() as conn:  # as a tool writing straight into the database would
        resident_id = conn.execute(
            insert(RESIDENT)
            .values(name="旧数据居民", phone="13011112222", birth_year=1950, created_at=datetime.now(UTC),
                    phone_hash=phone_lookup_hash("13011112222", settings.phone_key))
            .returning(RESIDENT.c.id)
        ).scalar_one()  # fmt: skip
        assert encrypt_plaintext_rows(conn, settings.data_keys) == 1
        assert encrypt_plaintext_rows(conn, settings.data_keys) == 0
        row = conn.execute(select(RESIDENT).where(RESIDENT.c.id == resident_id)).one()
    assert "旧数据" not in row.name and resident_name(settings.data_keys, resident_id, row.name) == "旧数据居民"


def test_rotation_re_encrypts_every_row_and_the_old_key_can_then_go(centre: Centre, database_url: str) -> None:
    kiosk = centre.kiosk()
    elder = centre.resident(name="轮换居民")
    consent = grant(kiosk, centre.identify(kiosk, elder))
    assert link(family_page(centre.server), consent["code"], "15811112222", name="儿子").status_code == 303
    data_dir = centre.server.settings.data_dir
    key_file = data_dir / KEY_FILE
    old_keys = read_key_file(key_file)
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600

    def keys_command(action: str) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
        return subprocess.run(
            [sys.executable, "-m", "kiosk.cli", "keys", action, "--data-dir", str(data_dir), "--db", database_url],
            capture_output=True, text=True, env=env, timeout=120,
        )  # fmt: skip

    rotated = keys_command("rotate")
    assert rotated.returncode == 0, rotated.stderr
    new_keys = read_key_file(key_file)
    assert [k.id for k in new_keys[1:]] == [k.id for k in old_keys]
    with centre.server.database.read() as conn:
        usage = key_usage(conn)
    assert set(usage) == {new_keys[0].id}, usage
    assert centre.identify(kiosk, elder)  # the running server read the new key file by itself

    retired = keys_command("retire")
    assert retired.returncode == 0, retired.stderr
    assert [k.id for k in read_key_file(key_file)] == [new_keys[0].id]
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600

    only_new, only_old = Keyring([new_keys[0]]), Keyring(old_keys)
    with centre.server.database.read() as conn:
        for table, columns in ENCRYPTED_COLUMNS.items():
            source = RESIDENT if table == "resident" else PROXY
            for row in conn.execute(select(source)):
                for column in columns:
                    assert only_new.decrypt(getattr(row, column), table, column, row.id)
                    with pytest.raises(FieldUndecryptable):
                        only_old.decrypt(getattr(row, column), table, column, row.id)
    assert centre.identify(kiosk, elder)
    assert keys_command("status").returncode == 0


def test_retiring_refuses_while_a_row_still_needs_an_old_key(tmp_path: Path) -> None:
    settings = settings_from_environment({"KIOSK_DATA_DIR": str(tmp_path)})
    key_file = tmp_path / KEY_FILE
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600  # created on first run, owner-only
    db = Database(settings.database_url)
    upgrade_to_head(db)
    with db.write() as conn:
        enrol_resident(conn, settings.data_keys, settings.phone_key, name="某人", phone="13000000000",
                       birth_year=1950, now=datetime.now(UTC))  # fmt: skip
    db.dispose()
    write_key_file(key_file, [DataKey.generate(), *read_key_file(key_file)])  # a new key, nothing re-encrypted
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
    refused = subprocess.run(
        [sys.executable, "-m", "kiosk.cli", "keys", "retire", "--data-dir", str(tmp_path)],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert refused.returncode == 1 and "still need other keys" in refused.stderr
    assert len(read_key_file(key_file)) == 2
