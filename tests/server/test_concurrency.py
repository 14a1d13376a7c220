"""Many kiosks at once: the database, not luck, keeps capacity and one-booking-per-slot.

Threads wait at a barrier and then all send their request together, each on its own
connection. On PostgreSQL the server runs them in worker threads, each transaction on its
own backend, so they truly overlap and meet at the slot's row lock and the unique indexes.
On SQLite the server admits one writer at a time by design; there the test shows that
the arrival of many requests at once changes nothing.
"""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import httpx
from server_harness import Centre
from sqlalchemy import func, select

from server.db.models import Appointment

THREADS = 60


def test_sixty_residents_racing_for_the_last_seats_get_exactly_capacity(centre: Centre) -> None:
    service = centre.service(capacity=8)
    day = centre.day(1)
    centre.change_slot(service, day, "10:00", booked=3)  # 5 seats left
    kiosk = centre.kiosk()
    sessions = [centre.identify(kiosk, centre.resident()) for _ in range(THREADS)]
    body = {"service_id": service, "date": day.isoformat(), "time": "10:00"}

    responses = _race(kiosk, centre, [(s, body, uuid.uuid4().hex) for s in sessions])

    outcomes = Counter(r.status_code for r in responses)
    assert outcomes == {201: 5, 409: THREADS - 5}, [r.text for r in responses if r.status_code >= 500]
    assert {r.json()["error"] for r in responses if r.status_code == 409} == {"slot_full"}
    slot = centre.slot(service, day, "10:00")
    assert slot.booked == slot.capacity == 8
    assert _active_bookings(centre, slot.id) == 5
    assert len({r.json()["code"] for r in responses if r.status_code == 201}) == 5


def test_one_resident_racing_with_fifty_keys_books_the_slot_once(centre: Centre) -> None:
    service = centre.service(capacity=50)
    day = centre.day(1)
    kiosk = centre.kiosk()
    session = centre.identify(kiosk, centre.resident())
    body = {"service_id": service, "date": day.isoformat(), "time": "11:00"}

    responses = _race(kiosk, centre, [(session, body, uuid.uuid4().hex) for _ in range(50)])

    assert Counter(r.status_code for r in responses) == {201: 1, 409: 49}
    assert {r.json()["error"] for r in responses if r.status_code == 409} == {"already_booked"}
    slot = centre.slot(service, day, "11:00")
    assert slot.booked == 1
    assert _active_bookings(centre, slot.id) == 1


def test_fifty_retries_with_one_key_make_one_booking(centre: Centre) -> None:
    service = centre.service(capacity=3)
    day = centre.day(1)
    kiosk = centre.kiosk()
    session = centre.identify(kiosk, centre.resident())
    body = {"service_id": service, "date": day.isoformat(), "time": "12:00"}
    key = uuid.uuid4().hex

    responses = _race(kiosk, centre, [(session, body, key)] * 50)

    assert Counter(r.status_code for r in responses) == {201: 1, 200: 49}
    assert len({r.json()["code"] for r in responses}) == 1
    assert centre.slot(service, day, "12:00").booked == 1


def test_concurrent_cancel_and_rebook_never_break_the_counter(centre: Centre) -> None:
    service = centre.service(capacity=2)
    day = centre.day(1)
    kiosk = centre.kiosk()
    residents = [centre.identify(kiosk, centre.resident()) for _ in range(2)]
    body = {"service_id": service, "date": day.isoformat(), "time": "15:30"}
    codes = [kiosk.post("/api/v1/appointments", json=body, headers={**s, "Idempotency-Key": uuid.uuid4().hex})
             .json()["code"] for s in residents]  # fmt: skip
    newcomers = [centre.identify(kiosk, centre.resident()) for _ in range(20)]
    barrier = threading.Barrier(2 * 10 + 20)

    def cancel(i: int) -> int:
        with httpx.Client(base_url=centre.server.base_url, headers=kiosk.headers, timeout=60) as client:
            barrier.wait()
            return client.post(f"/api/v1/appointments/{codes[i % 2]}/cancel", headers=residents[i % 2]).status_code

    def rebook(i: int) -> int:
        with httpx.Client(base_url=centre.server.base_url, headers=kiosk.headers, timeout=60) as client:
            barrier.wait()
            return client.post(
                "/api/v1/appointments", json=body, headers={**newcomers[i], "Idempotency-Key": uuid.uuid4().hex}
            ).status_code

    with ThreadPoolExecutor(max_workers=40) as pool:
        cancels = [pool.submit(cancel, i) for i in range(20)]
        rebooks = [pool.submit(rebook, i) for i in range(20)]
        assert {f.result() for f in cancels} == {200}
        rebooked = Counter(f.result() for f in rebooks)
    slot = centre.slot(service, day, "15:30")
    assert slot.booked == _active_bookings(centre, slot.id) <= 2
    assert rebooked[201] == slot.booked


def _race(
    kiosk: httpx.Client, centre: Centre, requests: list[tuple[dict[str, str], dict[str, str], str]]
) -> list[httpx.Response]:
    barrier = threading.Barrier(len(requests))

    def send(request: tuple[dict[str, str], dict[str, str], str]) -> httpx.Response:
        session, body, key = request
        with httpx.Client(base_url=centre.server.base_url, headers=kiosk.headers, timeout=60) as client:
            client.get("/healthz")  # open the connection before the start signal
            barrier.wait()
            return client.post("/api/v1/appointments", json=body, headers={"Idempotency-Key": key, **session})

    with ThreadPoolExecutor(max_workers=len(requests)) as pool:
        return list(pool.map(send, requests))


def _active_bookings(centre: Centre, slot_id: int) -> int:
    table = Appointment.__table__
    with centre.server.database.read() as conn:
        return conn.scalar(select(func.count()).where(table.c.slot_id == slot_id, table.c.status == "booked"))
