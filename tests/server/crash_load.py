"""Booking load that is cut off by a crash: kiosks book and cancel until the server dies.

Like bench/booking_load.py, each client is a thread with its own connection, booking
slots of the demo services (a share of them all at the same few seats) with a fresh
Idempotency-Key each, and now and then cancelling one of its bookings. Every answer the
server gave (201 = booked, 200 on cancel = cancelled) is remembered: after the restart
each one must still be true, since the server only answers after the commit.
"""

from __future__ import annotations

import random
import threading
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta

import httpx

HOT_SHARE = 0.3
CANCEL_SHARE = 0.1


@dataclass
class Acknowledged:
    """What the server confirmed to the clients before it died."""

    booked: set[str] = field(default_factory=set)
    cancelled: set[str] = field(default_factory=set)
    requests: int = 0
    cut_off: int = 0
    """Requests in flight when the server died (the client saw the connection drop)."""
    lock: threading.Lock = field(default_factory=threading.Lock)


def open_slots(client: httpx.Client, first: date, days: int = 7) -> list[tuple[str, str, str]]:
    """(service, date, time) of free slots of every bookable service from `first`, soonest first."""
    services = [s["id"] for s in client.get("/api/v1/services").json() if s["bookable"]]
    slots = []
    for offset in range(days):
        day = (first + timedelta(days=offset)).isoformat()
        for service in services:
            listing = client.get(f"/api/v1/services/{service}/slots", params={"date": day, "only_free": True})
            slots += [(service, day, slot["time"]) for slot in listing.json()["slots"]]
    return sorted(slots, key=lambda s: (s[1], s[2], s[0]))


def _client(
    base_url: str, token: str, session: str, slots: list[tuple[str, str, str]], stop: threading.Event,
    seen: Acknowledged, seed: int,
) -> None:  # fmt: skip
    rng = random.Random(seed)
    mine: list[str] = []
    headers = {"Authorization": f"Bearer {token}", "X-Resident-Session": session}
    with httpx.Client(base_url=base_url, headers=headers, timeout=10) as client:
        while not stop.is_set():
            try:
                if mine and rng.random() < CANCEL_SHARE:
                    code = mine.pop(rng.randrange(len(mine)))
                    answer = client.post(f"/api/v1/appointments/{code}/cancel", json={})
                    if answer.status_code == 200:
                        with seen.lock:
                            seen.cancelled.add(code)
                    continue
                pick = slots[:4] if rng.random() < HOT_SHARE else slots
                service, day, at = rng.choice(pick)
                answer = client.post(
                    "/api/v1/appointments",
                    json={"service_id": service, "date": day, "time": at},
                    headers={"Idempotency-Key": uuid.uuid4().hex},
                )
            except httpx.TransportError:
                with seen.lock:
                    seen.cut_off += 1
                return  # the server is gone
            with seen.lock:
                seen.requests += 1
                if answer.status_code == 201:
                    seen.booked.add(answer.json()["code"])
            if answer.status_code == 201:
                mine.append(answer.json()["code"])


def start_load(
    base_url: str, token: str, sessions: list[str], slots: list[tuple[str, str, str]], seed: int
) -> tuple[threading.Event, list[threading.Thread], Acknowledged]:
    """Start one client thread per session; they run until `stop` is set or the server dies."""
    stop = threading.Event()
    seen = Acknowledged()
    threads = [
        threading.Thread(target=_client, args=(base_url, token, s, slots, stop, seen, seed * 1000 + i), daemon=True)
        for i, s in enumerate(sessions)
    ]
    for thread in threads:
        thread.start()
    return stop, threads, seen
