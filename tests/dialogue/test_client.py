"""The kiosk's HTTP client: idempotent bookings, typed refusals, and which failures it retries.

Retries are tested against a small real HTTP server that fails on purpose (502/503), so
what is counted is requests that really arrived.
"""

from __future__ import annotations

import json
import threading
import time as clock
from collections.abc import Iterator
from datetime import date, datetime, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

import pytest
from dialogue_harness import closed_port_url
from server_harness import Centre, RunningServer

from kiosk.centre.client import CentreClient
from kiosk.centre.errors import CentreRefused, CentreUnavailable, DeviceNotAuthorised, ResidentNotIdentified
from kiosk.centre.records import ResidentSession
from protocol.bodies import AppointmentOut, HotlineOut, SlotOut
from server.identity.devices import add_device


def kiosk_client(server: RunningServer) -> CentreClient:
    with server.database.write() as conn:
        token = add_device(conn, "client test kiosk", "kiosk")
    return CentreClient(server.base_url, token)


def test_the_same_key_books_once(centre: Centre) -> None:
    resident = centre.resident(birth_year=1950)
    tomorrow = centre.day(1)
    with kiosk_client(centre.server) as client:
        session = client.identify(resident.phone, 1950)
        assert session.name == resident.name
        at = centre.slot("health_check", tomorrow, "10:00").starts_at.astimezone(centre.zone).time()
        first = client.book(session, "health_check", tomorrow, at, "key-for-one-attempt")
        again = client.book(session, "health_check", tomorrow, at, "key-for-one-attempt")
        assert (first.replayed, again.replayed) == (False, True)
        assert again.appointment == first.appointment
        with pytest.raises(CentreRefused) as refused:
            client.book(session, "health_check", tomorrow, at, "another-attempt-key")
        assert refused.value.code == "already_booked" and refused.value.body["code"] == first.appointment.code
        assert [a.code for a in client.appointments(session)] == [first.appointment.code]

        cancelled = client.cancel(session, first.appointment.code)
        assert cancelled.status == "cancelled"
        assert client.cancel(session, first.appointment.code).status == "cancelled"  # safe to repeat
        client.end_session(session)
        with pytest.raises(ResidentNotIdentified):
            client.appointments(session)


def test_a_refused_slot_carries_typed_alternatives(centre: Centre) -> None:
    resident = centre.resident(birth_year=1950)
    tomorrow = centre.day(1)
    centre.change_slot("health_check", tomorrow, "09:15", booked=4)
    with kiosk_client(centre.server) as client:
        session = client.identify(resident.phone, 1950)
        slot = centre.slot("health_check", tomorrow, "09:15").starts_at.astimezone(centre.zone).time()
        with pytest.raises(CentreRefused) as refused:
            client.book(session, "health_check", tomorrow, slot, "full-slot-attempt")
    assert refused.value.code == "slot_full" and refused.value.status == 409
    alternatives = refused.value.alternatives
    assert alternatives and all(isinstance(a, SlotOut) and a.state == "free" for a in alternatives)
    assert alternatives[0].date == tomorrow
    assert abs(alternatives[0].time.hour * 60 + alternatives[0].time.minute - (9 * 60 + 15)) == 15


def test_the_screen_pickers_read_free_times_and_days(centre: Centre) -> None:
    service = centre.service(capacity=1, days=4)
    tomorrow = centre.day(1)
    centre.change_slot(service, tomorrow, "08:00", booked=1)
    centre.change_slot(service, tomorrow, "08:30", closed=True)
    with kiosk_client(centre.server) as client:
        times = client.free_times(service, tomorrow)
        days = client.free_days(service, tomorrow, 2)
    assert times[:2] == [time(9, 0), time(9, 30)] and len(times) == 18
    assert days == [tomorrow, centre.day(2)]


def test_identification_refusals_are_typed(centre: Centre) -> None:
    resident = centre.resident(birth_year=1950)
    with kiosk_client(centre.server) as client, pytest.raises(CentreRefused) as refused:
        client.identify(resident.phone, 1951)
    assert refused.value.code == "identification_failed" and refused.value.body["attempts_left"] == 4


def test_an_unknown_device_token_is_named_as_such(centre: Centre) -> None:
    with CentreClient(centre.server.base_url, "kd_not_a_real_token") as client, pytest.raises(DeviceNotAuthorised):
        client.verify_device()


def test_a_dead_server_is_unavailable_after_the_retries() -> None:
    url = closed_port_url()
    with CentreClient(url, "kd_x", retries=2, backoff_seconds=0.1) as client:
        started = clock.monotonic()
        with pytest.raises(CentreUnavailable) as down:
            client.hotline("ambulance")
        elapsed = clock.monotonic() - started
    assert url in str(down.value) and "3 attempts" in str(down.value) and "kiosk serve" in str(down.value)
    assert elapsed >= 0.3  # 0.1 + 0.2 s of backoff between the three attempts


# --------------------------------------------------------------------------- a server failing on purpose


class FlakyCentre(BaseHTTPRequestHandler):
    """Answers 503 (or 502) to the first `failures` requests of each path, then succeeds."""

    failures: ClassVar[dict[str, int]] = {}
    seen: ClassVar[list[tuple[str, str, str | None]]] = []
    lock = threading.Lock()

    def _answer(self, body: dict[str, Any] | list[Any], status: int) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        with self.lock:
            self.seen.append((self.command, self.path, self.headers.get("Idempotency-Key")))
            left = self.failures.get(self.path, 0)
            self.failures[self.path] = left - 1
        if left > 0:
            self._answer({"error": "database_busy", "message": "try again"}, 503 if left % 2 else 502)
        elif self.path.startswith("/api/v1/hotlines/"):
            self._answer(HOTLINE.model_dump(mode="json"), 200)
        elif self.path == "/api/v1/appointments":
            self._answer(APPOINTMENT.model_dump(mode="json"), 201)
        else:
            self._answer({"error": "not_found", "message": "nothing here"}, 404)

    do_GET = do_POST = _handle

    def log_message(self, *_args: Any) -> None:
        pass


MOMENT = datetime(2026, 11, 27, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
HOTLINE = HotlineOut(id="ambulance", names={"zh": ["急救"], "en": ["ambulance"]}, number="120",
                     description={"zh": "急救", "en": "ambulance"})  # fmt: skip
APPOINTMENT = AppointmentOut(code="M1234", service_id="health_check", date=MOMENT.date(), time=MOMENT.time(),
                             end_time=time(9, 30), starts_at=MOMENT, status="booked", created_at=MOMENT,
                             status_changed_at=MOMENT)  # fmt: skip
"""Answers in the wire format (protocol.bodies), as the real server writes them."""


@pytest.fixture
def flaky_centre() -> Iterator[str]:
    FlakyCentre.failures, FlakyCentre.seen = {}, []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), FlakyCentre)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_reads_and_bookings_are_retried_with_the_same_key(flaky_centre: str) -> None:
    FlakyCentre.failures = {"/api/v1/hotlines/ambulance": 2, "/api/v1/appointments": 2}
    session = ResidentSession("rs_x", "test", expires_at=datetime(2026, 11, 27, 12, 0))
    with CentreClient(flaky_centre, "kd_x", retries=2, backoff_seconds=0.01) as client:
        assert client.hotline("ambulance").number == "120"
        booking = client.book(session, "health_check", date(2026, 11, 27), time(9, 0), "one-attempt")
    assert booking.appointment.code == "M1234"
    hotline_calls = [s for s in FlakyCentre.seen if s[1].startswith("/api/v1/hotlines/")]
    booking_calls = [s for s in FlakyCentre.seen if s[1] == "/api/v1/appointments"]
    assert len(hotline_calls) == 3
    assert [key for _, _, key in booking_calls] == ["one-attempt"] * 3  # every retry says "same booking"


def test_identification_and_alerts_are_not_resent(flaky_centre: str) -> None:
    FlakyCentre.failures = {"/api/v1/residents/identify": 5, "/api/v1/alerts": 5}
    with CentreClient(flaky_centre, "kd_x", retries=3, backoff_seconds=0.01) as client:
        with pytest.raises(CentreUnavailable):
            client.identify("13800138000", 1948)
        with pytest.raises(CentreUnavailable):
            client.raise_alert("emergency", note="救命")
    assert [path for _, path, _ in FlakyCentre.seen] == ["/api/v1/residents/identify", "/api/v1/alerts"]
