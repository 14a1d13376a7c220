"""Seeding thousands of rows for the retention job and key rotation, and killing those jobs half-way.

The jobs are the real commands (`kiosk retention run`, `kiosk keys rotate`) in their own
processes. Small batches (`--batch-rows`) over thousands of rows make them run for long
enough that the test can watch their progress in the database and `kill -9` them between
their first and their last batch.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, select

from server.booking.slot_calendar import generate_slots
from server.db.database import Database
from server.db.models import (
    Appointment,
    BookableService,
    Device,
    IdentificationAttempt,
    ResidentSession,
    Service,
    TimeSlot,
)
from server.identity.devices import add_device
from server.privacy.personal_data import enrol_resident
from server.settings import ServerSettings, settings_from_environment

OLD_DAYS = 60
"""Seeded appointments lie this many days back (the tests keep 30 days)."""


def kiosk_command(settings: ServerSettings, *args: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
    return subprocess.Popen(
        [sys.executable, "-m", "kiosk.cli", *args, "--data-dir", str(settings.data_dir), "--db", settings.database_url],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
    )  # fmt: skip


def kill_when(process: subprocess.Popen[str], progressed: Callable[[], bool], seconds: float = 120) -> bool:
    """`kill -9` the job as soon as `progressed()`; False if the job ended first."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        if progressed():
            process.kill()
            process.wait()
            return True
        time.sleep(0.01)
    process.kill()
    raise AssertionError("the job made no progress in time")


def seed_residents(db: Database, settings: ServerSettings, count: int) -> list[int]:
    now = datetime.now(UTC)
    with db.write() as conn:
        return [
            enrol_resident(conn, settings.data_keys, settings.phone_key, name=f"居民{i}", phone=f"1390{i:07d}",
                           birth_year=1940 + i % 40, now=now)
            for i in range(count)
        ]  # fmt: skip


def seed_old_appointments(db: Database, settings: ServerSettings, residents: list[int], count: int) -> None:
    """`count` completed appointments and as many expired sessions and attempts, OLD_DAYS ago."""
    zone = settings.timezone
    long_ago = datetime.now(UTC) - timedelta(days=OLD_DAYS)
    today = datetime.now(zone).date()
    hours = {"weekdays": list(range(7)), "periods": [["08:00", "18:00"]]}
    with db.write() as conn:
        text = {"zh": "体检", "en": "check-up"}
        conn.execute(insert(Service.__table__).values(
            id="old_checkup", position=1, names={"zh": ["体检"]}, location=text, hours=hours, documents={},
            description=text, bookable=True))  # fmt: skip
        conn.execute(insert(BookableService.__table__).values(
            service_id="old_checkup", hours=hours, slot_minutes=10, capacity=count))  # fmt: skip
        first = today - timedelta(days=OLD_DAYS + 2)
        generate_slots(conn, "old_checkup", first, first + timedelta(days=1), zone)
        slots = conn.scalars(select(TimeSlot.__table__.c.id).where(TimeSlot.__table__.c.day == first)).all()
        add_device(conn, "old kiosk")
        device_id = conn.scalar(select(Device.__table__.c.id).where(Device.__table__.c.name == "old kiosk"))
        conn.execute(insert(Appointment.__table__), [
            {"code": f"Z{i:06d}", "resident_id": residents[i % len(residents)], "slot_id": slots[i % len(slots)],
             "status": "completed", "device_id": None, "idempotency_key": f"old-{i}", "request_hash": "x" * 64,
             "created_at": long_ago, "status_changed_at": long_ago}
            for i in range(count)
        ])  # fmt: skip
        conn.execute(insert(ResidentSession.__table__), [
            {"token_hash": f"{i:064d}", "device_id": device_id, "resident_id": residents[i % len(residents)],
             "created_at": long_ago, "expires_at": long_ago + timedelta(minutes=10)}
            for i in range(count)
        ])  # fmt: skip
        conn.execute(insert(IdentificationAttempt.__table__), [
            {"device_id": device_id, "at": long_ago, "succeeded": True} for _ in range(count)
        ])  # fmt: skip


def data_dir_settings(data_dir: Path, database_url: str) -> ServerSettings:
    """The settings a command run with `--data-dir` and `--db` builds (same key files)."""
    return settings_from_environment({"KIOSK_DATA_DIR": str(data_dir), "KIOSK_DATABASE_URL": database_url})
