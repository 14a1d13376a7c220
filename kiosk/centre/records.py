"""What the centre's server answers, as the kiosk uses it: small typed records.

The kiosk keeps its own records rather than importing the server's pydantic schemas, so
a kiosk only needs the wire format (docs/server.md), not the server's code; `from_json`
reads exactly the fields the dialogue needs and ignores the rest, so the server may add
fields without breaking kiosks in the field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

Texts = dict[str, str]
"""{lang: text}."""


def _hhmm(value: str) -> time:
    return time.fromisoformat(value)


@dataclass(frozen=True)
class Hours:
    """When something is open (a service, or its appointments)."""

    weekdays: tuple[int, ...]
    """Open days, Monday = 0 … Sunday = 6."""
    periods: tuple[tuple[time, time], ...]
    """Open periods on each open day, in order."""

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Hours:
        return cls(
            tuple(int(d) for d in data["weekdays"]),
            tuple((_hhmm(start), _hhmm(end)) for start, end in data["periods"]),
        )


@dataclass(frozen=True)
class ServiceInfo:
    """A service as the centre's staff keep it up to date."""

    id: str
    names: dict[str, list[str]]
    """Official name first, then synonyms, per language."""
    location: Texts
    hours: Hours
    documents: dict[str, list[str]]
    """What to bring, per language (may be empty)."""
    bookable: bool

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ServiceInfo:
        return cls(
            id=data["id"],
            names=data["names"],
            location=data["location"],
            hours=Hours.from_json(data["hours"]),
            documents=data.get("documents") or {},
            bookable=bool(data["bookable"]),
        )


@dataclass(frozen=True)
class HotlineInfo:
    """A number the kiosk reads out digit by digit."""

    id: str
    names: dict[str, list[str]]
    number: str
    """As written for dialling, separators included ("021-5555 0188")."""

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> HotlineInfo:
        return cls(id=data["id"], names=data["names"], number=str(data["number"]))


@dataclass(frozen=True)
class Notice:
    """A notice in force: water cuts, heat warnings, events."""

    id: int
    kind: str
    title: Texts
    body: Texts
    valid_from: datetime
    pinned: bool

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Notice:
        return cls(
            id=int(data["id"]),
            kind=data["kind"],
            title=data["title"],
            body=data["body"],
            valid_from=datetime.fromisoformat(data["valid_from"]),
            pinned=bool(data["pinned"]),
        )


@dataclass(frozen=True)
class Slot:
    """A bookable slot, e.g. one the server offers instead of a refused one."""

    service_id: str
    date: date
    """Local date at the centre."""
    time: time
    """Local start time."""
    state: str
    """"free", "full", "closed" or "past"."""

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Slot:
        return cls(
            service_id=data["service_id"],
            date=date.fromisoformat(data["date"]),
            time=_hhmm(data["time"]),
            state=data["state"],
        )


@dataclass(frozen=True)
class Appointment:
    """One of the identified resident's appointments."""

    code: str
    """Reference code, read back character by character ("M4827")."""
    service_id: str
    date: date
    time: time
    status: str
    """"booked", "cancelled", "completed" or "no_show"."""

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Appointment:
        return cls(
            code=data["code"],
            service_id=data["service_id"],
            date=date.fromisoformat(data["date"]),
            time=_hhmm(data["time"]),
            status=data["status"],
        )


@dataclass(frozen=True)
class Booking:
    """The answer to a booking request."""

    appointment: Appointment
    replayed: bool
    """True when the server recognised a retry (same Idempotency-Key): nothing new was booked."""


@dataclass(frozen=True)
class ResidentSession:
    """Proof that the resident at this kiosk identified; sent as X-Resident-Session."""

    token: str = field(repr=False)
    """Secret; never logged."""
    name: str
    """How staff registered the resident, for a greeting."""
    expires_at: datetime


@dataclass(frozen=True)
class ProgressStep:
    status: str
    note: Texts
    at: datetime


@dataclass(frozen=True)
class Progress:
    """An application's progress, looked up by the reference on the resident's receipt."""

    code: str
    service_id: str
    status: str
    history: tuple[ProgressStep, ...]
    """Oldest first; the last note says where things stand."""

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Progress:
        return cls(
            code=data["code"],
            service_id=data["service_id"],
            status=data["status"],
            history=tuple(
                ProgressStep(step["status"], step["note"], datetime.fromisoformat(step["at"]))
                for step in data["history"]
            ),
        )


@dataclass(frozen=True)
class Alert:
    """A staff alert the kiosk raised."""

    id: int
    kind: str
    """"emergency" or "handoff"."""

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Alert:
        return cls(id=int(data["id"]), kind=data["kind"])


@dataclass(frozen=True)
class ConsentCode:
    """A code the elder gives a family member so they can book for them on the family page."""

    consent_id: int
    code: str | None
    """Six digits; only in the answer that made it (an extension answers without it)."""
    expires_at: datetime
    extensions_left: int

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ConsentCode:
        return cls(
            consent_id=int(data["consent_id"]),
            code=data.get("code"),
            expires_at=datetime.fromisoformat(data["expires_at"]),
            extensions_left=int(data["extensions_left"]),
        )


@dataclass(frozen=True)
class FamilyProxy:
    """A family member who may act for the identified resident."""

    id: int
    name: str
    """As the family member asked to be called ("女儿小红")."""
    phone_tail: str
    """Last four digits of their phone, so two relatives with one name can be told apart."""

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FamilyProxy:
        return cls(id=int(data["id"]), name=data["name"], phone_tail=data["phone_tail"])


@dataclass(frozen=True)
class ProxyNews:
    """Something a family member booked or cancelled for the resident, not yet told to them."""

    id: int
    action: str
    """"booked" or "cancelled"."""
    proxy_name: str
    phone_tail: str
    code: str
    service_id: str
    date: date
    time: time

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ProxyNews:
        return cls(
            id=int(data["id"]),
            action=data["action"],
            proxy_name=data["proxy_name"],
            phone_tail=data["phone_tail"],
            code=data["code"],
            service_id=data["service_id"],
            date=date.fromisoformat(data["date"]),
            time=_hhmm(data["time"]),
        )
