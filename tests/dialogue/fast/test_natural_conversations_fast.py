"""The natural conversations of tests/dialogue/conversations/*.yaml, against the fake centre.

The same files the end-to-end test (../test_natural_conversations.py) runs against a real
server; here only what the fake can judge is checked — what was booked, cancelled or kept,
whether an alert went out (an emergency when one is expected, none of any kind otherwise),
and the numbers that must be said — so a change to the dialogue shows its effect on all of
them in about a second.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from datetime import date, time, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import Chat

CONVERSATIONS = Path(__file__).resolve().parent.parent / "conversations"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
SERVER_STATE = ("booked", "cancelled", "still_booked", "appointments_unchanged", "alert", "said")
SEPARATORS = re.compile(r"[\s,，、。.·\-–—…]+")


def load() -> list[dict[str, Any]]:
    found = []
    for path in sorted(CONVERSATIONS.glob("*.yaml")):
        found.extend(yaml.safe_load(path.read_text(encoding="utf-8"))["conversations"])
    return [c for c in found if any(key in c["expect"] for key in SERVER_STATE)]


def resolve(rule: str, today: date) -> date:
    if m := re.fullmatch(r"\+(\d+)d", rule):
        return today + timedelta(days=int(m.group(1)))
    m = re.fullmatch(r"next-week (\w+)", rule)
    assert m, rule
    return today + timedelta(days=7 - today.weekday() + WEEKDAYS.index(m.group(1)))


def key(item: dict[str, Any], today: date) -> tuple[str, date, time]:
    return item["service"], resolve(item["date"], today), time.fromisoformat(item["time"])


@pytest.mark.parametrize("conversation", load(), ids=lambda c: c["name"])
def test_conversation(chat: Callable[..., Chat], conversation: dict[str, Any]) -> None:
    kiosk = chat(conversation["lang"])
    today = kiosk.clock().date()
    expect = conversation["expect"]
    phone = conversation.get("resident")
    given = []
    for item in (conversation.get("given") or {}).get("booked", []):
        session = kiosk.centre.identify(phone, kiosk.centre.residents[phone].birth_year)
        service, day, at = key(item, today)
        given.append(kiosk.centre.book(session, service, day, at, f"given-{len(given)}").appointment.code)
    for turn in conversation["turns"]:
        kiosk.say(turn)
    booked = kiosk.centre.booked()
    made = Counter((a.service_id, a.date, a.time) for a in booked if a.code not in given)
    still = {(a.service_id, a.date, a.time) for a in booked if a.code in given}
    gone = Counter(
        (a.service_id, a.date, a.time) for code in given if (a := kiosk.centre.store[code][1]).status != "booked"
    )
    if "booked" in expect:
        assert made == Counter(key(i, today) for i in expect["booked"]), kiosk
    if "cancelled" in expect:
        assert gone == Counter(key(i, today) for i in expect["cancelled"]), kiosk
    for item in expect.get("still_booked", []):
        assert key(item, today) in still, kiosk
    if expect.get("appointments_unchanged"):
        assert not made and not gone, kiosk
    if "alert" in expect:
        emergencies = [a for a in kiosk.centre.alerts if a["kind"] == "emergency"]
        if expect["alert"]:
            assert emergencies, kiosk
        else:  # like the real-server runner: no alert of any kind (emergency or staff handoff)
            assert not kiosk.centre.alerts, kiosk
    heard = SEPARATORS.sub("", " ".join(f"{r.text} {r.speech}" for _, r in kiosk.transcript)).lower()
    for piece in expect.get("said", []):
        assert SEPARATORS.sub("", str(piece)).lower() in heard, kiosk
