"""Helpers for scripted conversations against a real `kiosk serve` (tests/server's harness).

A `TalkingKiosk` is one kiosk device with its own token (so failed identifications in
one test never lock out another) and one `Dialogue`; `say` returns the reply and keeps a
transcript that failing assertions print.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "server"))

from server_harness import SERVER_START_SECONDS, RunningServer
from sqlalchemy import select, update

from intents import Catalogue
from intents.parser import Parser
from kiosk.centre.client import CentreClient
from kiosk.centre.embedded_server import free_loopback_port
from kiosk.dialogue.dialogue import Dialogue
from kiosk.dialogue.reply import Reply
from server.booking.slot_calendar import generate_slots
from server.db.models import Alert, Appointment, BookableService, TimeSlot
from server.identity.devices import add_device

DEMO_STAFF_TOKEN = "demo-staff-token"
ZH_DIGIT_WORDS = "零幺二三四五六七八九"
EN_DIGIT_WORDS = ("oh", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


def said_in_zh(digits: str) -> str:
    """A phone number as a resident reads it: "13900001111" → "幺三九零零零零幺幺幺幺"."""
    return "".join(ZH_DIGIT_WORDS[int(d)] for d in digits)


def said_in_en(digits: str) -> str:
    return " ".join(EN_DIGIT_WORDS[int(d)] for d in digits)


@dataclass(repr=False)
class TalkingKiosk:
    server: RunningServer
    dialogue: Dialogue
    client: CentreClient
    device_name: str
    transcript: list[tuple[str, Reply]] = field(default_factory=list)

    def say(self, text: str) -> Reply:
        reply = self.dialogue.handle(text)
        self.transcript.append((text, reply))
        return reply

    def __repr__(self) -> str:
        """The transcript, which is what a failing assertion should show."""
        return "\n" + "\n".join(f"  > {said}\n  < [{r.state}] {r.text}" for said, r in self.transcript)


def new_kiosk(server: RunningServer, catalogue: Catalogue, parser: Parser, lang: str = "zh") -> TalkingKiosk:
    """A new kiosk device talking to `server`, its clock pinned to now at the centre."""
    name = f"dialogue test kiosk {uuid.uuid4().hex[:6]}"
    with server.database.write() as conn:
        token = add_device(conn, name, "kiosk")
    client = CentreClient(server.base_url, token, retries=1, backoff_seconds=0.05)
    moment = datetime.now(server.settings.timezone)
    dialogue = Dialogue(catalogue, client, parser=parser, now=lambda: moment, lang=lang)
    return TalkingKiosk(server, dialogue, client, name)


def open_health_checks_every_day(server: RunningServer) -> None:
    """The demo's health checks run Monday to Friday, but the scripts book "tomorrow",
    which may be a Saturday: open the bookable hours every day and add the slots."""
    zone = server.settings.timezone
    today = datetime.now(zone).date()
    bookable = BookableService.__table__
    with server.database.write() as conn:
        conn.execute(
            update(bookable)
            .where(bookable.c.service_id == "health_check")
            .values(hours={"weekdays": list(range(7)), "periods": [["08:00", "10:30"]]})
        )
        generate_slots(conn, "health_check", today, today + timedelta(days=29), zone)


def appointments_of(server: RunningServer, resident_id: int) -> list[Any]:
    """The resident's appointments as stored (code, status, service, local date and time)."""
    appointment, slot = Appointment.__table__, TimeSlot.__table__
    zone = server.settings.timezone
    with server.database.read() as conn:
        rows = conn.execute(
            select(appointment.c.code, appointment.c.status, slot.c.service_id, slot.c.starts_at)
            .join_from(appointment, slot, appointment.c.slot_id == slot.c.id)
            .where(appointment.c.resident_id == resident_id)
            .order_by(appointment.c.id)
        ).all()
    return [
        {"code": r.code, "status": r.status, "service": r.service_id,
         "date": r.starts_at.astimezone(zone).date(), "time": r.starts_at.astimezone(zone).strftime("%H:%M")}
        for r in rows
    ]  # fmt: skip


def staff_alerts(server: RunningServer) -> list[dict[str, Any]]:
    """Open alerts as the staff desk sees them (the staff API, not the database)."""
    response = httpx.get(
        f"{server.base_url}/api/v1/staff/alerts",
        headers={"Authorization": f"Bearer {DEMO_STAFF_TOKEN}"},
        params={"status": "all"},
        timeout=10,
    )
    response.raise_for_status()
    return response.json()


def alert_rows(server: RunningServer) -> list[Any]:
    with server.database.read() as conn:
        return conn.execute(select(Alert.__table__)).all()


def closed_port_url() -> str:
    """A loopback URL where nothing listens: a server that is down."""
    return f"http://127.0.0.1:{free_loopback_port()}"


def restart_on_same_port(server: RunningServer) -> subprocess.Popen[bytes]:
    """Start `kiosk serve` again on the stopped server's port, database and data dir, as
    staff would after a crash; returns once it answers."""
    port = server.base_url.rsplit(":", 1)[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
    with server.log_path.open("ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "kiosk.cli", "serve", "--port", port,
             "--data-dir", str(server.settings.data_dir), "--db", server.settings.database_url],
            stdout=log, stderr=subprocess.STDOUT, env=env,
        )  # fmt: skip
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{server.base_url}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"kiosk serve did not come back:\n{server.log()}")
