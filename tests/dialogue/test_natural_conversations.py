"""Natural conversations of older residents, from tests/dialogue/conversations/*.yaml (issue #12).

One test per conversation, against one real `kiosk serve --demo` per module (conftest's
`centre_server`, a SQLite file), one `TalkingKiosk` with a fresh device per conversation.
The outcome is read from the server's database (appointments, alerts), not from the kiosk's
wording; lookups check what the resident must hear. The file format is documented at the
top of conversations/en.yaml.

Isolation inside the shared server: before each conversation every booked appointment of
the demo residents is cancelled through the staff API (freeing the seats), then the
conversation's `given` bookings are made through the kiosk API; afterwards only rows newer
than that point, and the given ones, are judged.
"""

from __future__ import annotations

import re
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from dialogue_harness import DEMO_STAFF_TOKEN, TalkingKiosk, alert_rows, appointments_of
from server_harness import RunningServer, book
from sqlalchemy import delete, select, update

from intents import Catalogue
from intents.parser import Parser
from kiosk.centre.client import CentreClient
from kiosk.dialogue.dialogue import Dialogue
from server.booking.slot_calendar import generate_slots
from server.db.models import BookableService, ClosedDay, Device, Resident, TimeSlot
from server.identity.devices import add_device
from server.privacy.phone_numbers import normalise_phone, phone_lookup_hash

CONVERSATIONS = Path(__file__).resolve().parent / "conversations"
DEMO_RESIDENTS = {"13800138000": 1948, "13900139000": 1952, "13700137000": 1950}
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
REFERENCE_TIME = time(9, 0)
"""The kiosk's clock: today (the run's day, the centre's local date) at 09:00."""
EXPECT_KEYS = {
    "booked", "cancelled", "still_booked", "appointments_unchanged", "alert",
    "said", "said_any", "said_services", "said_progress",
}  # fmt: skip
SEPARATORS = re.compile(r"[\s,，、。.·\-–—…]+")


def load_conversations() -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for path in sorted(CONVERSATIONS.glob("*.yaml")):
        for conversation in yaml.safe_load(path.read_text(encoding="utf-8"))["conversations"]:
            conversation["file"] = path.name
            found.append(conversation)
    return found


ALL = load_conversations()


def test_conversation_files_are_well_formed() -> None:
    names = [c["name"] for c in ALL]
    assert len(names) == len(set(names)), Counter(names).most_common(3)
    for c in ALL:
        assert c["lang"] in ("zh", "en"), c["name"]
        assert c["turns"], c["name"]
        # quote them in YAML: a bare yes is True, a bare 1948 an int, 020… loses its zero
        assert all(isinstance(turn, str) for turn in c["turns"]), (c["name"], c["turns"])
        assert isinstance(c.get("resident", ""), str), c["name"]
        assert set(c["expect"]) <= EXPECT_KEYS, (c["name"], set(c["expect"]) - EXPECT_KEYS)
        assert c["expect"], c["name"]
        if c.get("given") or any(k in c["expect"] for k in ("booked", "cancelled", "still_booked")):
            assert c.get("resident") in DEMO_RESIDENTS, c["name"]
        for key in ("booked", "cancelled", "still_booked"):
            for item in c["expect"].get(key, []):
                resolve_date(item["date"], date(2026, 1, 1))
                time.fromisoformat(item["time"])
    by_lang = Counter(c["lang"] for c in ALL)
    assert by_lang["zh"] >= 30 and by_lang["en"] >= 30, by_lang


def resolve_date(rule: str, today: date) -> date:
    """ "+2d" → today + 2 days; "next-week wed" → the Wednesday of next calendar week."""
    rule = rule.strip()
    if m := re.fullmatch(r"\+(\d+)d", rule):
        return today + timedelta(days=int(m.group(1)))
    if m := re.fullmatch(r"next-week (mon|tue|wed|thu|fri|sat|sun)", rule):
        next_monday = today + timedelta(days=7 - today.weekday())
        return next_monday + timedelta(days=WEEKDAYS.index(m.group(1)))
    raise ValueError(f"unknown date rule {rule!r}")


@dataclass
class Room:
    """The module's server, arranged for conversations on any day of the week."""

    server: RunningServer
    today: date
    residents: dict[str, int]
    """demo phone → resident id"""
    staff: httpx.Client
    kiosk: httpx.Client
    """A device for arranging `given` bookings and reading services and progress."""


def open_every_day(server: RunningServer, today: date) -> None:
    """Every bookable service open seven days a week (same periods, slot length and capacity)
    and the demo's closed day lifted, so "+2d" and "next week" are bookable on any run day."""
    zone = server.settings.timezone
    bookable, slot = BookableService.__table__, TimeSlot.__table__
    with server.database.write() as conn:
        conn.execute(delete(ClosedDay.__table__))
        for service_id, hours in conn.execute(select(bookable.c.service_id, bookable.c.hours)).all():
            conn.execute(
                update(bookable)
                .where(bookable.c.service_id == service_id)
                .values(hours={"weekdays": list(range(7)), "periods": hours["periods"]})
            )
            generate_slots(conn, service_id, today, today + timedelta(days=29), zone)
        conn.execute(update(slot).values(closed=False))


@pytest.fixture(scope="module")
def room(centre_server: RunningServer) -> Iterator[Room]:
    server = centre_server
    today = datetime.now(server.settings.timezone).date()
    open_every_day(server, today)
    residents: dict[str, int] = {}
    with server.database.read() as conn:
        for phone in DEMO_RESIDENTS:
            digest = phone_lookup_hash(normalise_phone(phone), server.settings.phone_key)
            resident = Resident.__table__
            residents[phone] = conn.scalar(select(resident.c.id).where(resident.c.phone_hash == digest))
    assert all(residents.values()), residents
    with server.database.write() as conn:
        token = add_device(conn, f"conversation arranger {uuid.uuid4().hex[:6]}", "kiosk")
    staff = httpx.Client(base_url=server.base_url, headers={"Authorization": f"Bearer {DEMO_STAFF_TOKEN}"}, timeout=30)
    kiosk = httpx.Client(base_url=server.base_url, headers={"Authorization": f"Bearer {token}"}, timeout=30)
    yield Room(server, today, residents, staff, kiosk)
    staff.close()
    kiosk.close()


def all_appointments(room: Room) -> list[dict[str, Any]]:
    return [
        {**a, "resident": phone}
        for phone, resident_id in room.residents.items()
        for a in appointments_of(room.server, resident_id)
    ]


def reset_and_arrange(room: Room, conversation: dict[str, Any]) -> list[dict[str, Any]]:
    """Cancel every booked appointment of the demo residents, then book the `given` ones."""
    for appointment in all_appointments(room):
        if appointment["status"] == "booked":
            response = room.staff.post(
                f"/api/v1/staff/appointments/{appointment['code']}/status",
                json={"status": "cancelled", "reason": "test reset"},
            )
            assert response.status_code == 200, response.text
    given = (conversation.get("given") or {}).get("booked", [])
    if not given:
        return []
    phone = conversation["resident"]
    response = room.kiosk.post("/api/v1/residents/identify", json={"phone": phone, "birth_year": DEMO_RESIDENTS[phone]})
    assert response.status_code == 200, response.text
    session = {"X-Resident-Session": response.json()["session_token"]}
    made = []
    for item in given:
        day = resolve_date(item["date"], room.today)
        response = book(room.kiosk, session, item["service"], day, item["time"])
        assert response.status_code == 201, (item, response.text)
        made.append({"code": response.json()["code"], "service": item["service"], "date": day, "time": item["time"]})
    room.kiosk.delete("/api/v1/residents/session", headers=session)
    return made


def talking_kiosk(room: Room, catalogue: Catalogue, parser: Parser, lang: str) -> tuple[TalkingKiosk, int]:
    """A fresh kiosk device whose dialogue's clock is pinned to today 09:00; returns it and its device id."""
    name = f"natural conversation kiosk {uuid.uuid4().hex[:6]}"
    with room.server.database.write() as conn:
        token = add_device(conn, name, "kiosk")
        device_id = conn.scalar(select(Device.__table__.c.id).where(Device.__table__.c.name == name))
    client = CentreClient(room.server.base_url, token, retries=1, backoff_seconds=0.05)
    moment = datetime.combine(room.today, REFERENCE_TIME, tzinfo=room.server.settings.timezone)
    dialogue = Dialogue(catalogue, client, parser=parser, now=lambda: moment, lang=lang)
    return TalkingKiosk(room.server, dialogue, client, name), device_id


def transcript(kiosk: TalkingKiosk) -> str:
    lines = []
    for said, reply in kiosk.transcript:
        lines.append(f"  resident> {said}")
        lines.append(f"  kiosk [{reply.state}]> {reply.text}")
        if reply.speech != reply.text:
            lines.append(f"  speech> {reply.speech}")
    return "\n".join(lines)


def plain(text: str) -> str:
    return SEPARATORS.sub("", text).lower()


def key(item: dict[str, Any], today: date) -> tuple[str, date, str]:
    return (item["service"], resolve_date(item["date"], today), item["time"])


def fmt(items: Any) -> str:
    return ", ".join(f"{s} {d.isoformat()} {t}" for s, d, t in sorted(items)) or "nothing"


def check(
    room: Room, conversation: dict[str, Any], kiosk: TalkingKiosk, device_id: int,
    given: list[dict[str, Any]], known_codes: set[str], alerts_before: set[int],
) -> list[str]:  # fmt: skip
    """What went wrong, as sentences (empty when the conversation reached its outcome)."""
    expect, lang, today = conversation["expect"], conversation["lang"], room.today
    problems: list[str] = []
    after = all_appointments(room)
    new = [a for a in after if a["code"] not in known_codes]
    new_booked = [a for a in new if a["status"] == "booked"]
    status = {a["code"]: a["status"] for a in after}
    given_cancelled = Counter((g["service"], g["date"], g["time"]) for g in given if status[g["code"]] == "cancelled")

    if "booked" in expect:
        wanted = Counter(key(item, today) for item in expect["booked"])
        got = Counter((a["service"], a["date"], a["time"]) for a in new_booked)
        if got != wanted:
            problems.append(f"booked {fmt(got.elements())}; expected {fmt(wanted.elements())}")
        strangers = {a["resident"] for a in new_booked} - {conversation.get("resident")}
        if strangers:
            problems.append(f"booked for {sorted(strangers)}, not for {conversation.get('resident')}")
    if "cancelled" in expect:
        wanted = Counter(key(item, today) for item in expect["cancelled"])
        if given_cancelled != wanted:
            problems.append(f"cancelled {fmt(given_cancelled.elements())}; expected {fmt(wanted.elements())}")
    for item in expect.get("still_booked", []):
        service, day, at = key(item, today)
        for g in given:
            if (g["service"], g["date"], g["time"]) == (service, day, at) and status[g["code"]] != "booked":
                problems.append(f"{service} {day} {at} should still be booked, is {status[g['code']]}")
    if expect.get("appointments_unchanged"):
        if new:
            problems.append(f"appointments made: {fmt((a['service'], a['date'], a['time']) for a in new)}")
        if given_cancelled:
            problems.append(f"appointments cancelled: {fmt(given_cancelled.elements())}")

    if "alert" in expect:
        mine = [r for r in alert_rows(room.server) if r.device_id == device_id and r.id not in alerts_before]
        emergencies = [r for r in mine if r.kind == "emergency"]
        if expect["alert"] and not emergencies:
            problems.append(f"no emergency alert raised (alerts: {[(r.kind, r.note) for r in mine]})")
        if not expect["alert"] and mine:
            problems.append(f"alert raised although nothing is happening now: {[(r.kind, r.note) for r in mine]}")

    replies = " ".join(f"{reply.text} {reply.speech}" for _, reply in kiosk.transcript)
    heard = plain(replies)
    for piece in expect.get("said", []):
        if plain(str(piece)) not in heard:
            problems.append(f"never said {piece!r}")
    if expect.get("said_any") and not any(plain(str(p)) in heard for p in expect["said_any"]):
        problems.append(f"said none of {expect['said_any']}")
    for service_id in expect.get("said_services", []):
        response = room.kiosk.get(f"/api/v1/services/{service_id}")
        response.raise_for_status()
        names = response.json()["names"][lang]
        if not any(plain(name) in heard for name in names):
            problems.append(f"never named {service_id} (any of {names[:4]}…)")
    if code := expect.get("said_progress"):
        response = room.kiosk.get(f"/api/v1/progress/{code}")
        response.raise_for_status()
        note = latest_note(response.json(), lang)
        if plain(note) not in heard:
            problems.append(f"never said the status of {code}: {note!r}")
    return problems


def latest_note(progress: dict[str, Any], lang: str) -> str:
    history = progress["history"]
    latest = max(history, key=lambda event: event["at"])
    note = latest["note"]
    return note[lang] if isinstance(note, dict) else note


@pytest.mark.parametrize("conversation", ALL, ids=[c["name"] for c in ALL])
def test_conversation(room: Room, catalogue: Catalogue, parser: Parser, conversation: dict[str, Any]) -> None:
    assert all(isinstance(turn, str) for turn in conversation["turns"]), conversation["turns"]
    given = reset_and_arrange(room, conversation)
    known_codes = {a["code"] for a in all_appointments(room)}
    alerts_before = {r.id for r in alert_rows(room.server)}
    kiosk, device_id = talking_kiosk(room, catalogue, parser, conversation["lang"])
    try:
        for turn in conversation["turns"]:
            kiosk.say(turn)
        problems = check(room, conversation, kiosk, device_id, given, known_codes, alerts_before)
        print(transcript(kiosk))  # captured: shown for passing tests with `pytest -rP`
    finally:
        kiosk.client.close()
    if problems:
        pytest.fail(
            f"{conversation['name']} (run day {room.today.isoformat()}, {room.today:%a}):\n"
            + "\n".join(f"  ✗ {p}" for p in problems)
            + f"\ntranscript:\n{transcript(kiosk)}",
            pytrace=False,
        )
