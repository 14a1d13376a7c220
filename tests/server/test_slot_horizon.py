"""Slots keep existing without `--demo`: the server extends them to the horizon when it starts,
and its hourly round adds each day that a midnight brings.

A centre set up once and then run for months with plain `kiosk serve` must never find
that next week has no slots. The database here is prepared by hand with slots ending
tomorrow, one of them booked, and a closed day inside the horizon.
"""

from __future__ import annotations

import asyncio
import logging
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path

import pytest
from crash_jobs import data_dir_settings
from server_harness import start_server, stop_server
from sqlalchemy import func, insert, select, update

from server.booking.centre_time import local_today
from server.booking.slot_calendar import close_day, generate_slots
from server.booking.slot_horizon import keep_extending
from server.db.database import Database
from server.db.migrate import upgrade_to_head
from server.db.models import BookableService, Service, TimeSlot

SLOT = TimeSlot.__table__
HOURS = {"weekdays": list(range(7)), "periods": [["09:00", "12:00"]]}  # six 30-minute slots a day


def _prepare(url: str, data_dir: Path) -> tuple[int, object]:
    settings = data_dir_settings(data_dir, url)
    db = Database(settings.database_url)
    upgrade_to_head(db)
    today = local_today(settings.timezone)
    text = {"zh": "理发", "en": "haircut"}
    with db.write() as conn:
        conn.execute(insert(Service.__table__).values(
            id="haircut", position=1, names={"zh": ["理发"]}, location=text, hours=HOURS, documents={},
            description=text, bookable=True))  # fmt: skip
        conn.execute(insert(BookableService.__table__).values(
            service_id="haircut", hours=HOURS, slot_minutes=30, capacity=3))  # fmt: skip
        generate_slots(conn, "haircut", today, today + timedelta(days=1), settings.timezone)
        booked = conn.scalar(select(SLOT.c.id).where(SLOT.c.day == today + timedelta(days=1)).limit(1))
        conn.execute(update(SLOT).where(SLOT.c.id == booked).values(booked=2))  # as if two residents held it
        close_day(conn, today + timedelta(days=10), {"zh": "消毒", "en": "cleaning"})
    db.dispose()
    return booked, today


def test_a_server_started_without_demo_extends_slots_to_the_horizon(fresh_database_url: str, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    booked, today = _prepare(fresh_database_url, data_dir)

    server = start_server(fresh_database_url, data_dir, demo=False)
    try:
        horizon = server.settings.slot_horizon_days
        with server.database.read() as conn:
            per_day = dict(
                conn.execute(
                    select(SLOT.c.day, func.count()).where(SLOT.c.service_id == "haircut").group_by(SLOT.c.day)
                ).all()
            )
            kept = conn.execute(select(SLOT.c.booked).where(SLOT.c.id == booked)).scalar_one()
        closed = today + timedelta(days=10)
        wanted = {today + timedelta(days=n): 6 for n in range(horizon + 1) if today + timedelta(days=n) != closed}
        assert per_day == wanted  # every day to the horizon, no duplicates, none on the closed day
        assert kept == 2

        again = subprocess.run(
            [sys.executable, "-m", "kiosk.cli", "slots", "extend", "--data-dir", str(data_dir),
             "--db", fresh_database_url],
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert again.returncode == 0, again.stderr
        assert "added 0" in again.stdout
    finally:
        stop_server(server)


def test_the_hourly_round_adds_each_new_day_and_outlives_a_failed_round(
    fresh_database_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The running server's loop (`keep_extending`), with midnights passing between rounds:
    the first round fails (as when the database is briefly unreachable) and the loop goes on."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    _, today = _prepare(fresh_database_url, data_dir)
    settings = data_dir_settings(data_dir, fresh_database_url)
    horizon = 5
    rounds: list[date] = []

    def clock() -> date:
        rounds.append(today + timedelta(days=min(max(0, len(rounds) - 1), 2)))
        if len(rounds) == 1:
            raise RuntimeError("database briefly unreachable")
        return rounds[-1]  # round 2: today; round 3: tomorrow; round 4 on: the day after

    async def run_rounds() -> None:
        loop = asyncio.create_task(keep_extending(db, settings.timezone, horizon, every=0.01, today=clock))
        while len(rounds) < 5:  # the fifth call means the fourth round (the day after tomorrow) has finished
            await asyncio.sleep(0.01)
        loop.cancel()

    db = Database(settings.database_url)
    try:
        # The loop in a thread of its own: another test's browser may keep an event loop running in this one.
        with caplog.at_level(logging.ERROR, logger="server.booking.slot_horizon"), ThreadPoolExecutor(1) as thread:
            thread.submit(asyncio.run, run_rounds()).result(timeout=60)
        with db.read() as conn:
            days = set(conn.scalars(select(SLOT.c.day).where(SLOT.c.service_id == "haircut").distinct()))
    finally:
        db.dispose()
    assert "extending the slots failed" in caplog.text
    last = today + timedelta(days=2 + horizon)  # the last round ran on the day after tomorrow
    closed = today + timedelta(days=10)
    assert days == {today + timedelta(days=n) for n in range((last - today).days + 1)} - {closed}
