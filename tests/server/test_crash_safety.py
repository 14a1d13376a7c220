"""`kill -9` in the middle of work loses nothing that was confirmed and half-writes nothing.

Each test runs on its own fresh database (SQLite file or PostgreSQL database) because it
kills the server, or a job, over and over: the server during a booking load, the
retention job and key rotation half-way through thousands of rows. After every kill the
database is checked with plain SQL (tests/server/integrity.py), and everything the server
had confirmed to a client must still be there.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import httpx
from crash_jobs import data_dir_settings, kill_when, kiosk_command, seed_old_appointments, seed_residents
from crash_load import Acknowledged, open_slots, start_load
from integrity import appointment_statuses, broken_booking_promises
from server_harness import RunningServer, kill_server, start_server, stop_server
from sqlalchemy import and_, func, or_, select

from server.db.database import Database
from server.db.migrate import upgrade_to_head
from server.db.models import Appointment, AuditEvent, Resident
from server.privacy.field_crypto import Keyring, key_id_of, read_key_file
from server.privacy.personal_data import enrol_resident, key_usage, resident_name, resident_phone
from server.settings import ServerSettings

KILLS = 5
CLIENTS = 12
DEMO_KIOSK_TOKEN = "demo-kiosk-token"
APPOINTMENT = Appointment.__table__
AUDIT = AuditEvent.__table__
RESIDENT = Resident.__table__


def _enrol(server: RunningServer, count: int) -> list[tuple[str, int]]:
    people = [(f"1370000{i:04d}", 1940 + i) for i in range(count)]
    settings = server.settings
    with server.database.write() as conn:
        for i, (phone, year) in enumerate(people):
            enrol_resident(conn, settings.data_keys, settings.phone_key, name=f"crash {i}", phone=phone,
                           birth_year=year, now=datetime.now(settings.timezone))  # fmt: skip
    return people


def _sessions(client: httpx.Client, people: list[tuple[str, int]]) -> list[str]:
    sessions = []
    for phone, year in people:
        answer = client.post("/api/v1/residents/identify", json={"phone": phone, "birth_year": year})
        assert answer.status_code == 200, answer.text
        sessions.append(answer.json()["session_token"])
    return sessions


def _wait_for_bookings(seen: Acknowledged, kill: int, count: int = 20, seconds: float = 30) -> None:
    """Kill only once the load is really running (thread start-up varies on a busy machine)."""
    deadline = time.monotonic() + seconds
    while len(seen.booked) < count:
        assert time.monotonic() < deadline, f"kill {kill}: only {len(seen.booked)} bookings in {seconds} s"
        time.sleep(0.05)


def test_kill_9_during_booking_load_loses_and_half_writes_nothing(fresh_database_url: str, tmp_path: Path) -> None:
    rng = random.Random(11)
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    server = start_server(fresh_database_url, data_dir)
    people = _enrol(server, CLIENTS)
    booked: set[str] = set()
    cancelled: set[str] = set()
    requests = cut_off = 0
    try:
        for kill in range(KILLS):
            with httpx.Client(base_url=server.base_url, headers={"Authorization": f"Bearer {DEMO_KIOSK_TOKEN}"}) as c:
                sessions = _sessions(c, people)
                slots = open_slots(c, datetime.now(server.settings.timezone).date() + timedelta(days=1))
            assert slots, "no free slots to book"
            stop, threads, seen = start_load(server.base_url, DEMO_KIOSK_TOKEN, sessions, slots, seed=kill)
            _wait_for_bookings(seen, kill)
            time.sleep(rng.uniform(0.2, 1.5))
            kill_server(server)
            stop.set()
            for thread in threads:
                thread.join(timeout=20)
            assert seen.booked, f"kill {kill}: the load booked nothing before the kill"
            booked |= seen.booked
            cancelled |= seen.cancelled
            requests += seen.requests
            cut_off += seen.cut_off

            server = start_server(fresh_database_url, data_dir, demo=False)
            with server.database.read() as conn:
                assert broken_booking_promises(conn) == {}, f"after kill {kill}"
                statuses = appointment_statuses(conn, booked)
            assert booked - statuses.keys() == set(), f"kill {kill}: confirmed bookings lost"
            assert {code for code in cancelled if statuses[code] != "cancelled"} == set(), f"kill {kill}"
    finally:
        stop_server(server)
    print(f"{KILLS} kills, {requests} requests answered, {cut_off} cut off by the kill, "
          f"{len(booked)} bookings confirmed, all kept")  # fmt: skip


# ------------------------------------------------------------------ jobs killed half-way

JOB_KILLS = 3
OLD_ROWS = 6000
ROTATED_ROWS = 2000


def _job_database(url: str, data_dir: Path) -> tuple[ServerSettings, Database]:
    data_dir.mkdir()
    settings = data_dir_settings(data_dir, url)
    database = Database(settings.database_url)
    upgrade_to_head(database)
    return settings, database


def _retention_state(db: Database) -> tuple[int, int, dict[str, int], int]:
    """(anonymised, half-anonymised, rows the batch audit rows claim per step, finished runs)."""
    with db.read() as conn:
        anonymised = conn.scalar(
            select(func.count()).select_from(APPOINTMENT).where(APPOINTMENT.c.resident_id.is_(None))
        )
        half = conn.scalar(
            select(func.count())
            .select_from(APPOINTMENT)
            .where(
                or_(
                    and_(APPOINTMENT.c.resident_id.is_(None), APPOINTMENT.c.idempotency_key.is_not(None)),
                    and_(APPOINTMENT.c.resident_id.is_not(None), APPOINTMENT.c.request_hash.is_(None)),
                )
            )
        )
        claimed: Counter[str] = Counter()
        for subject, detail in conn.execute(
            select(AUDIT.c.subject, AUDIT.c.detail).where(AUDIT.c.action == "retention.batch")
        ):
            claimed[subject] += detail["rows"]
        runs = conn.scalar(select(func.count()).select_from(AUDIT).where(AUDIT.c.action == "retention.run"))
    return anonymised, half, dict(claimed), runs


def test_retention_killed_half_way_keeps_each_batch_whole_and_a_rerun_finishes(
    fresh_database_url: str, tmp_path: Path
) -> None:
    settings, db = _job_database(fresh_database_url, tmp_path / "data")
    seed_old_appointments(db, settings, seed_residents(db, settings, 20), OLD_ROWS)
    try:
        seen = 0
        for kill in range(JOB_KILLS):
            job = kiosk_command(settings, "retention", "run", "--older-than", "30", "--batch-rows", "50")
            assert kill_when(job, lambda before=seen: _retention_state(db)[0] > before), f"kill {kill}: ended first"
            anonymised, half, claimed, runs = _retention_state(db)
            assert seen < anonymised < OLD_ROWS, f"kill {kill} was not half-way"
            assert (half, runs) == (0, 0)
            assert claimed.get("appointment", 0) == anonymised, "the audit log and the data disagree"
            seen = anonymised

        finished = kiosk_command(settings, "retention", "run", "--older-than", "30")
        assert finished.wait(timeout=120) == 0, finished.stdout.read() if finished.stdout else ""
        anonymised, half, claimed, runs = _retention_state(db)
        assert (anonymised, half, runs) == (OLD_ROWS, 0, 1)
        assert claimed["appointment"] == OLD_ROWS
        assert claimed["resident_session"] == claimed["identification_attempt"] == OLD_ROWS
        with db.read() as conn:
            assert broken_booking_promises(conn) == {}
    finally:
        db.dispose()


def _key_state(db: Database, keys: Keyring) -> tuple[Counter[str], int]:
    """(fields per key id, rows whose two fields are under different keys); decrypts every field."""
    usage: Counter[str] = Counter()
    mixed = 0
    with db.read() as conn:
        for row in conn.execute(select(RESIDENT.c.id, RESIDENT.c.name, RESIDENT.c.phone)):
            assert resident_name(keys, row.id, row.name).startswith("居民")
            assert resident_phone(keys, row.id, row.phone).startswith("1390")
            usage[key_id_of(row.name) or "clear"] += 2
            mixed += key_id_of(row.name) != key_id_of(row.phone)
    return usage, mixed


def test_key_rotation_killed_half_way_leaves_every_row_readable_and_a_rerun_finishes(
    fresh_database_url: str, tmp_path: Path
) -> None:
    settings, db = _job_database(fresh_database_url, tmp_path / "data")
    seed_residents(db, settings, ROTATED_ROWS)
    old_key = settings.data_keys.primary.id
    try:
        for kill in range(JOB_KILLS):
            job = kiosk_command(settings, "keys", "rotate", "--batch-rows", "20")
            moved = _key_state(db, settings.data_keys)[0]

            def progressed(before: Counter[str] = moved) -> bool:
                with db.read() as conn:
                    usage = key_usage(conn)
                return any(usage[k] > before[k] for k in usage if k != old_key)

            assert kill_when(job, progressed), f"kill {kill}: the rotation ended first"
            keys = Keyring(read_key_file(settings.data_keys.path))  # what a restarted server would load
            usage, mixed = _key_state(db, keys)
            assert mixed == 0 and usage[old_key] > 0, f"kill {kill} was not half-way: {usage}"
            assert len(keys.keys) == 2, "a rerun must finish the rotation, not add another key"

        finished = kiosk_command(settings, "keys", "rotate")
        assert finished.wait(timeout=120) == 0
        keys = Keyring(read_key_file(settings.data_keys.path))
        usage, mixed = _key_state(db, keys)
        assert usage == {keys.primary.id: 2 * ROTATED_ROWS} and mixed == 0 and keys.primary.id != old_key
    finally:
        db.dispose()
