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
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest
from crash_load import Acknowledged, open_slots, start_load
from integrity import appointment_statuses, broken_booking_promises
from postgres_cluster import PostgresCluster
from server_harness import RunningServer, kill_server, start_server, stop_server

from server.privacy.personal_data import enrol_resident

KILLS = 5
CLIENTS = 12
DEMO_KIOSK_TOKEN = "demo-kiosk-token"


@pytest.fixture
def fresh_database_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'crash.sqlite3'}"
        return
    cluster: PostgresCluster = request.getfixturevalue("postgres")
    yield cluster.create_database(f"crash_{uuid.uuid4().hex[:8]}")


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
