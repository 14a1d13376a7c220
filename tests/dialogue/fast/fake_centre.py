"""A FAKE centre server for the dialogue's fast tests: in memory, no HTTP, no database.

`FakeCentre` implements the methods of `kiosk.centre.client.CentreClient` that the
dialogue calls, with the same record types and the same errors (`CentreRefused` with the
server's codes, `ResidentNotIdentified`, `CentreUnavailable`), so a conversation's logic
can be tested in milliseconds. It is NOT the server: its rules are only as rich as the
dialogue needs (every service is open Monday–Sunday in its catalogue periods, one seat per
slot, the nearest free slot offered on a refusal). The real server's behaviour is covered by
the end-to-end tests in tests/dialogue (test_conversations.py, test_natural_conversations.py,
test_family_conversations.py, test_server_down.py), which talk to a real `kiosk serve`.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from intents import Catalogue
from kiosk.centre.catalogue_bodies import hotline_body, service_body
from kiosk.centre.errors import CentreRefused, CentreUnavailable, ResidentNotIdentified
from kiosk.centre.records import Booking, ResidentSession
from protocol.bodies import (
    AlertOut,
    AppointmentOut,
    ConsentOut,
    HotlineOut,
    NoticeOut,
    ProgressEventOut,
    ProgressOut,
    ProxyNewsOut,
    ProxyOut,
    ServiceOut,
)


@dataclass
class FakeResident:
    name: str
    birth_year: int
    proxies: list[ProxyOut] = field(default_factory=list)
    news: list[ProxyNewsOut] = field(default_factory=list)


class FakeCentre:
    """In-memory stand-in for `CentreClient` (see the module docstring for what it is not)."""

    def __init__(self, catalogue: Catalogue, now: datetime) -> None:
        self.catalogue = catalogue
        self.now = now
        self.residents: dict[str, FakeResident] = {}
        self.sessions: dict[str, str] = {}
        """Session token → phone."""
        self.store: dict[str, tuple[str, AppointmentOut]] = {}
        """Code → (phone, appointment)."""
        self.alerts: list[dict[str, Any]] = []
        self.progress_records: dict[str, ProgressOut] = {}
        self.notice_list: list[NoticeOut] = []
        self.down = False
        """True: every call fails as if the server could not be reached."""
        self.calls: list[str] = []
        self._keys: dict[str, str] = {}
        self._codes = (f"M{n}" for n in itertools.count(4827))
        self._ids = itertools.count(1)

    # ------------------------------------------------------------------ arranging

    def resident(self, phone: str, birth_year: int, name: str) -> FakeResident:
        self.residents[phone] = FakeResident(name, birth_year)
        return self.residents[phone]

    def booked(self, phone: str | None = None) -> list[AppointmentOut]:
        return [a for p, a in self.store.values() if a.status == "booked" and phone in (None, p)]

    # ------------------------------------------------------------------ CentreClient's methods

    def _call(self, name: str) -> None:
        self.calls.append(name)
        if self.down:
            raise CentreUnavailable(f"{name}: the fake centre is down")

    def _phone(self, session: ResidentSession) -> str:
        phone = self.sessions.get(session.token)
        if phone is None:
            raise ResidentNotIdentified(401, "resident_not_identified", "no such session")
        return phone

    def close(self) -> None:
        pass

    def healthy(self) -> bool:
        return not self.down

    def service(self, service_id: str) -> ServiceOut:
        self._call("service")
        service = next((s for s in self.catalogue.services if s.id == service_id), None)
        if service is None:
            raise CentreRefused(404, "not_found", "no such service")
        body = service_body(service)  # open every day, as the module docstring says
        return body.model_copy(update={"hours": body.hours.model_copy(update={"weekdays": list(range(7))})})

    def hotline(self, hotline_id: str) -> HotlineOut:
        self._call("hotline")
        return hotline_body(next(h for h in self.catalogue.hotlines if h.id == hotline_id))

    def notices(self, *, lang: str | None = None, at: datetime | None = None) -> list[NoticeOut]:
        self._call("notices")
        return list(self.notice_list)

    def progress(self, code: str) -> ProgressOut:
        self._call("progress")
        if code not in self.progress_records:
            raise CentreRefused(404, "not_found", "no such application")
        return self.progress_records[code]

    def add_progress(self, code: str, service_id: str, note: dict[str, str]) -> None:
        event = ProgressEventOut(status="ready", note=note, at=self.now)
        self.progress_records[code] = ProgressOut(code=code, service_id=service_id, status="ready", updated_at=self.now,
                                                  history=[event])  # fmt: skip

    def identify(self, phone: str, birth_year: int) -> ResidentSession:
        self._call("identify")
        resident = self.residents.get(phone)
        if resident is None or resident.birth_year != birth_year:
            raise CentreRefused(401, "identification_failed", "no such resident")
        token = f"session-{next(self._ids)}"
        self.sessions[token] = phone
        return ResidentSession(token, resident.name, self.now + timedelta(minutes=10))

    def end_session(self, session: ResidentSession) -> None:
        self.sessions.pop(session.token, None)

    def appointments(self, session: ResidentSession) -> list[AppointmentOut]:
        self._call("appointments")
        return sorted(self.booked(self._phone(session)), key=lambda a: (a.date, a.time))

    def book(self, session: ResidentSession, service_id: str, day: date, at: time, idempotency_key: str) -> Booking:
        self._call("book")
        phone = self._phone(session)
        if idempotency_key in self._keys:
            return Booking(self.store[self._keys[idempotency_key]][1], replayed=True)
        if not self._open(service_id, day, at) or any(a.date == day and a.time == at for a in self.booked()
                                                      if a.service_id == service_id):  # fmt: skip
            free = self._free_near(service_id, day, at)
            raise CentreRefused(409, "slot_full", "taken", {"alternatives": free})
        appointment = self._appointment(next(self._codes), service_id, day, at, "booked")
        self.store[appointment.code] = (phone, appointment)
        self._keys[idempotency_key] = appointment.code
        return Booking(appointment, replayed=False)

    def cancel(self, session: ResidentSession, code: str, reason: str | None = None) -> AppointmentOut:
        self._call("cancel")
        phone = self._phone(session)
        owner, appointment = self.store.get(code, (None, None))
        if appointment is None or owner != phone or appointment.status != "booked":
            raise CentreRefused(404, "not_found", "no such appointment")
        cancelled = self._appointment(code, appointment.service_id, appointment.date, appointment.time, "cancelled")
        self.store[code] = (phone, cancelled)
        return cancelled

    def grant_consent(self, session: ResidentSession) -> ConsentOut:
        self._call("grant_consent")
        self._phone(session)
        return ConsentOut(consent_id=next(self._ids), code="482913", expires_at=self.now + timedelta(minutes=10),
                          extensions_left=1)  # fmt: skip

    def extend_consent(self, session: ResidentSession, consent_id: int) -> ConsentOut:
        self._call("extend_consent")
        self._phone(session)
        return ConsentOut(consent_id=consent_id, code=None, expires_at=self.now + timedelta(minutes=20),
                          extensions_left=0)  # fmt: skip

    def family_proxies(self, session: ResidentSession) -> list[ProxyOut]:
        self._call("family_proxies")
        return list(self.residents[self._phone(session)].proxies)

    def revoke_proxy(self, session: ResidentSession, proxy_id: int) -> None:
        self._call("revoke_proxy")
        resident = self.residents[self._phone(session)]
        resident.proxies = [p for p in resident.proxies if p.id != proxy_id]

    def proxy_news(self, session: ResidentSession) -> list[ProxyNewsOut]:
        self._call("proxy_news")
        return list(self.residents[self._phone(session)].news)

    def proxy_news_told(self, session: ResidentSession, ids: list[int]) -> None:
        resident = self.residents[self._phone(session)]
        resident.news = [n for n in resident.news if n.id not in ids]

    def raise_alert(
        self,
        kind: str,
        *,
        note: str | None = None,
        lang: str | None = None,
        session: ResidentSession | None = None,
        retries: int | None = None,
    ) -> AlertOut:
        self._call("raise_alert")
        self.alerts.append({"kind": kind, "note": note, "lang": lang})
        return AlertOut(id=len(self.alerts), kind=kind, status="open", device="fake kiosk", resident=None,  # type: ignore[arg-type]
                        note=note, lang=lang, created_at=self.now, acknowledged_at=None)  # fmt: skip

    # ------------------------------------------------------------------ slots

    def _open(self, service_id: str, day: date, at: time) -> bool:
        service = next((s for s in self.catalogue.services if s.id == service_id), None)
        if service is None or not service.bookable:
            return False
        return at in self._times(service_id) and datetime.combine(day, at, self.now.tzinfo) > self.now

    def _times(self, service_id: str) -> list[time]:
        service = next(s for s in self.catalogue.services if s.id == service_id)
        out = []
        for period in service.hours.periods:
            moment = datetime.combine(date.min, period.start)
            while moment.time() < period.end:
                out.append(moment.time())
                moment += timedelta(minutes=service.slot_minutes)
        return out

    def _free_near(self, service_id: str, day: date, at: time) -> list[dict[str, str]]:
        taken = {(a.date, a.time) for a in self.booked() if a.service_id == service_id}
        times = [t for t in self._times(service_id) if (day, t) not in taken and self._open(service_id, day, t)]
        times.sort(key=lambda t: abs(t.hour * 60 + t.minute - at.hour * 60 - at.minute))
        return [self._slot(service_id, day, t) for t in times[:3]]

    def _starts(self, day: date, at: time) -> datetime:
        return datetime.combine(day, at, self.now.tzinfo)

    def _slot(self, service_id: str, day: date, at: time) -> dict[str, Any]:
        """A free slot as the server writes it in a refusal's `alternatives`."""
        end = (self._starts(day, at) + timedelta(minutes=30)).time()
        return {"id": 1, "service_id": service_id, "date": day.isoformat(), "time": at.strftime("%H:%M"),
                "end_time": end.strftime("%H:%M"), "starts_at": self._starts(day, at).isoformat(), "capacity": 1,
                "free": 1, "state": "free"}  # fmt: skip

    def _appointment(self, code: str, service_id: str, day: date, at: time, status: str) -> AppointmentOut:
        starts = self._starts(day, at)
        return AppointmentOut(code=code, service_id=service_id, date=day, time=at,  # type: ignore[arg-type]
                              end_time=(starts + timedelta(minutes=30)).time(), starts_at=starts, status=status,
                              created_at=self.now, status_changed_at=self.now)  # fmt: skip
