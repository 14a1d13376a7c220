"""The test harness: a real `kiosk serve` subprocess, and a builder for each test's own data.

Tests talk to the server over HTTP only; the builder writes rows straight into the same
database (as staff tools would) to arrange situations HTTP cannot reach, such as a slot
in the past.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import insert, select, update

from server.booking.centre_time import local_moment
from server.booking.slot_calendar import generate_slots
from server.db.database import Database
from server.db.models import BookableService, ClosedDay, Service, TimeSlot
from server.db.scratch_postgres import free_port
from server.identity.devices import add_device
from server.privacy.personal_data import enrol_resident
from server.settings import ServerSettings, settings_from_environment

SERVER_START_SECONDS = 60
SLOT = TimeSlot.__table__


@dataclass
class RunningServer:
    base_url: str
    settings: ServerSettings
    database: Database
    """The same database, opened by the test process to arrange and inspect rows."""
    process: subprocess.Popen[bytes]
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def start_server(database_url: str, data_dir: Path, *extra: str, demo: bool = True) -> RunningServer:
    """Start `kiosk serve` (with --demo unless `demo` is False) and wait until it answers."""
    port = free_port()
    log_path = data_dir / "server.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "kiosk.cli", "serve", *(["--demo"] if demo else []), "--port", str(port),
             "--data-dir", str(data_dir), "--db", database_url, *extra],
            stdout=log, stderr=subprocess.STDOUT, env=env,
        )  # fmt: skip
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + SERVER_START_SECONDS
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"kiosk serve exited with {process.returncode}:\n{log_path.read_text()}")
        try:
            if httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"kiosk serve did not answer in {SERVER_START_SECONDS}s:\n{log_path.read_text()}")
        time.sleep(0.1)
    settings = settings_from_environment({"KIOSK_DATA_DIR": str(data_dir), "KIOSK_DATABASE_URL": database_url})
    return RunningServer(base_url, settings, Database(settings.database_url), process, log_path)


def kiosk_parse(server: RunningServer, text: str) -> str:
    """`kiosk parse --server`: what a kiosk understands with the catalogue the server publishes now
    (its index cache in the test's data directory, not the checkout's ./data)."""
    done = subprocess.run(
        [sys.executable, "-m", "kiosk.cli", "parse", "--server", server.base_url, "--token", "demo-kiosk-token",
         "--data-dir", str(server.settings.data_dir / "kiosk"), text],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout


def kill_server(server: RunningServer) -> None:
    """`kill -9`: no shutdown handler, no rollback, no flush — what a power cut does to the process."""
    server.process.kill()
    server.process.wait(timeout=15)
    server.database.dispose()


def stop_server(server: RunningServer) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.process.kill()
    server.database.dispose()


@dataclass
class ResidentRecord:
    id: int
    name: str
    phone: str
    birth_year: int


@dataclass
class Centre:
    """Builds one test's own corner of the centre: services, slots, kiosks, residents."""

    server: RunningServer
    clients: list[httpx.Client] = field(default_factory=list)

    @property
    def zone(self) -> ZoneInfo:
        return self.server.settings.timezone

    def day(self, offset: int = 0) -> date:
        """The centre's local date `offset` days from today."""
        return (datetime.now(self.zone) + timedelta(days=offset)).date()

    def kiosk(self, role: str = "kiosk") -> httpx.Client:
        """A new device and an HTTP client authenticated as it."""
        with self.server.database.write() as conn:
            token = add_device(conn, f"test {role} {uuid.uuid4().hex[:6]}", role)
        client = httpx.Client(base_url=self.server.base_url, headers={"Authorization": f"Bearer {token}"}, timeout=30)
        self.clients.append(client)
        return client

    def service(self, *, capacity: int = 2, bookable: bool = True, days: int = 3) -> str:
        """A service open every day 08:00–18:00 in 30-minute slots, from yesterday on."""
        service_id = f"test_{uuid.uuid4().hex[:10]}"
        hours = {"weekdays": list(range(7)), "periods": [["08:00", "18:00"]]}
        text = {"zh": "测试", "en": "test"}
        with self.server.database.write() as conn:
            conn.execute(
                insert(Service.__table__).values(
                    id=service_id, position=999, names={"zh": ["测试服务"], "en": ["test service"]},
                    location=text, hours=hours, documents={}, description=text, bookable=bookable,
                )
            )  # fmt: skip
            if bookable:
                conn.execute(
                    insert(BookableService.__table__).values(
                        service_id=service_id, hours=hours, slot_minutes=30, capacity=capacity
                    )
                )
                generate_slots(conn, service_id, self.day(-1), self.day(days), self.zone)
        return service_id

    def resident(self, *, birth_year: int = 1950, phone: str | None = None, name: str | None = None) -> ResidentRecord:
        phone = phone or "139" + str(uuid.uuid4().int)[:8]
        name = name or f"居民{uuid.uuid4().hex[:4]}"
        settings = self.server.settings
        with self.server.database.write() as conn:
            resident_id = enrol_resident(
                conn, settings.data_keys, settings.phone_key,
                name=name, phone=phone, birth_year=birth_year, now=datetime.now(self.zone),
            )  # fmt: skip
        return ResidentRecord(resident_id, name, phone, birth_year)

    def identify(self, kiosk: httpx.Client, resident: ResidentRecord) -> dict[str, str]:
        """Identify at `kiosk`; returns the headers that act for the resident."""
        response = kiosk.post(
            "/api/v1/residents/identify", json={"phone": resident.phone, "birth_year": resident.birth_year}
        )
        assert response.status_code == 200, response.text
        return {"X-Resident-Session": response.json()["session_token"]}

    def slot(self, service_id: str, day: date, at: str) -> Any:
        starts_at = local_moment(day, clock.fromisoformat(at), self.zone)
        with self.server.database.read() as conn:
            return conn.execute(
                select(SLOT).where(SLOT.c.service_id == service_id, SLOT.c.starts_at == starts_at)
            ).one()

    def demo_closed_day(self) -> date:
        """The centre-wide closed day `--demo` seeds."""
        with self.server.database.read() as conn:
            return conn.scalar(select(ClosedDay.__table__.c.day).where(ClosedDay.__table__.c.service_id.is_(None)))

    def change_slot(self, service_id: str, day: date, at: str, **values: Any) -> None:
        starts_at = local_moment(day, clock.fromisoformat(at), self.zone)
        with self.server.database.write() as conn:
            conn.execute(
                update(SLOT).where(SLOT.c.service_id == service_id, SLOT.c.starts_at == starts_at).values(**values)
            )


def book(
    kiosk: httpx.Client, session: dict[str, str], service_id: str, day: date, at: str, key: str | None = None
) -> httpx.Response:
    """POST a booking the way the kiosk does."""
    return kiosk.post(
        "/api/v1/appointments",
        json={"service_id": service_id, "date": day.isoformat(), "time": at},
        headers={**session, "Idempotency-Key": key or uuid.uuid4().hex},
    )
