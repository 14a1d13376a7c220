"""The request and response bodies of the server's JSON API, for the server and the kiosk alike.

The server validates requests and builds answers with these models; the kiosk reads the
answers with the same models (`Model.model_validate(json)`), so one definition is the wire
format. Requests refuse unknown fields (`extra="forbid"`): a misspelt field is a bug in the
kiosk that should fail loudly, not a booking made with a default. Answers ignore unknown
fields, so a newer server may add fields without breaking kiosks in the field. Times go out
as the centre's local date and "HH:MM" (what the dialogue reads back) plus an ISO timestamp
with offset for machines.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer, WithJsonSchema, field_validator
from pydantic_core import PydanticCustomError

_CLOCK_TIME = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]")


def _clock_time(value: Any) -> Any:
    """A local clock time and nothing more: "09:00:00+14:00" would name an instant in another
    zone and be booked as nine o'clock here, and no slot starts on a second."""
    plain = value.tzinfo is None and not (value.second or value.microsecond) if isinstance(value, dt.time) else True
    if (isinstance(value, str) and not _CLOCK_TIME.fullmatch(value)) or not plain:
        raise PydanticCustomError("local_time", 'should be a local clock time "HH:MM", like "09:30"')
    return value


LocalTime = Annotated[
    dt.time,
    BeforeValidator(_clock_time),
    PlainSerializer(lambda value: value.strftime("%H:%M"), return_type=str),
    WithJsonSchema({"type": "string", "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$", "examples": ["09:30"]}),
]
"""A local clock time on the wire as "HH:MM"; a `datetime.time` in Python."""

Texts = dict[str, str]
"""{lang: text}, e.g. {"zh": "一楼二号窗口", "en": "window 2, ground floor"}."""


FIRST_DATE = dt.date(2000, 1, 1)
LAST_DATE = dt.date(2099, 12, 31)
"""The dates a request may name: any real booking falls between them."""


NUL = "\x00"
NUL_PROBLEM = "text may not contain the NUL character (U+0000)"


def holds_nul(value: Any) -> bool:
    """Whether a request value, or any text inside it, contains NUL (PostgreSQL text cannot)."""
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, list | tuple):
        return any(holds_nul(item) for item in value)
    if isinstance(value, dict):
        return any(holds_nul(key) or holds_nul(item) for key, item in value.items())
    return False


class RequestBody(BaseModel):
    """A request body (JSON or form): unknown fields and text with NUL are refused by name."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        # JSON may carry "\u0000"; PostgreSQL refuses it in text, SQLite would store it.
        if holds_nul(value):
            raise PydanticCustomError("nul_character", NUL_PROBLEM)
        return value


class ResponseBody(BaseModel):
    model_config = ConfigDict(extra="ignore")


class ErrorBody(ResponseBody):
    """Every refusal and failure: a stable code for the kiosk, a message for people reading logs."""

    model_config = ConfigDict(extra="allow")

    error: str = Field(examples=["slot_full"])
    message: str = Field(examples=["that slot is fully booked"])


# --- catalogue data ---------------------------------------------------------------------------


class OpeningHoursOut(ResponseBody):
    weekdays: list[int] = Field(description="Open days, Monday = 0 … Sunday = 6.")
    periods: list[tuple[LocalTime, LocalTime]] = Field(
        description='Open periods each open day, e.g. [["08:30", "12:00"]].'
    )


class BookingRulesOut(ResponseBody):
    slot_minutes: int
    capacity: int = Field(description="Residents per slot.")
    hours: OpeningHoursOut = Field(description="When appointments can be made (may be narrower).")


class ServiceOut(ResponseBody):
    id: str
    names: dict[str, list[str]] = Field(description="Official name first, then synonyms, per language.")
    location: Texts
    hours: OpeningHoursOut
    documents: dict[str, list[str]] = Field(description="What to bring, per language.")
    description: Texts
    bookable: bool
    booking: BookingRulesOut | None = Field(description="Present when the service is bookable.")


class HotlineOut(ResponseBody):
    id: str
    names: dict[str, list[str]]
    number: str = Field(description="Digits to dial; read digit by digit.")
    description: Texts


class NoticeOut(ResponseBody):
    id: int
    kind: str = Field(description='"weather", "water", "event"…')
    title: Texts
    body: Texts
    valid_from: dt.datetime
    valid_to: dt.datetime
    pinned: bool


# --- slots and appointments ---------------------------------------------------------------------


class SlotOut(ResponseBody):
    id: int
    service_id: str
    date: dt.date = Field(description="Local date at the centre.")
    time: LocalTime = Field(description='Local start time, "HH:MM".')
    end_time: LocalTime = Field(description='Local end time, "HH:MM".')
    starts_at: dt.datetime = Field(description="Start with the centre's UTC offset.")
    capacity: int
    free: int = Field(description="Seats still free (0 when full, closed or past).")
    state: Literal["free", "full", "closed", "past"]


class DaySlotsOut(ResponseBody):
    service_id: str
    date: dt.date
    closed: Texts | None = Field(description="Why the day has no appointments, if it is a closed day.")
    slots: list[SlotOut]


class FreeDaysOut(ResponseBody):
    service_id: str
    days: list[dt.date] = Field(description="Local dates with at least one free slot, in order.")


class BookingIn(RequestBody):
    """What the dialogue has collected: which service, which local date and time."""

    service_id: str = Field(max_length=64, examples=["health_check"])
    date: dt.date = Field(
        ge=FIRST_DATE, le=LAST_DATE, description="Local date at the centre."
    )  # year 1 or 9999 would overflow when moved to UTC
    time: LocalTime = Field(description='Local start time, "HH:MM".')


class CancelIn(RequestBody):
    reason: str | None = Field(
        default=None, max_length=300, description="Kept with the appointment; default 'cancelled at kiosk'."
    )


class AppointmentOut(ResponseBody):
    code: str = Field(description="Reference to read back character by character.", examples=["M4827"])
    service_id: str
    date: dt.date
    time: LocalTime
    end_time: LocalTime
    starts_at: dt.datetime
    status: Literal["booked", "cancelled", "completed", "no_show"]
    created_at: dt.datetime
    status_changed_at: dt.datetime
    cancel_reason: str | None = None
    cancelled_by: Literal["resident", "staff", "proxy"] | None = None


class SlotRefusalBody(ErrorBody):
    """A refused booking: the slot is full, past, closed or does not exist."""

    alternatives: list[SlotOut] = Field(
        description="Nearest free slots of the same service: same day first (closest time), then later days."
    )


# --- residents ----------------------------------------------------------------------------------


class IdentifyIn(RequestBody):
    phone: str = Field(min_length=3, max_length=40, examples=["138 0013 8000"])
    birth_year: int = Field(ge=1900, le=2100, examples=[1950])


class ResidentOut(ResponseBody):
    name: str = Field(description="How staff registered the resident, for a greeting.")


class ResidentSessionOut(ResponseBody):
    session_token: str = Field(description="Send as X-Resident-Session; bound to this kiosk.")
    expires_at: dt.datetime
    resident: ResidentOut


# --- progress, alerts ---------------------------------------------------------------------------


class ProgressEventOut(ResponseBody):
    status: str
    note: Texts
    at: dt.datetime


class ProgressOut(ResponseBody):
    code: str
    service_id: str
    status: Literal["received", "in_progress", "needs_documents", "ready", "completed", "rejected"]
    updated_at: dt.datetime
    history: list[ProgressEventOut] = Field(description="Oldest first.")


class AlertIn(RequestBody):
    kind: Literal["emergency", "handoff"]
    note: str | None = Field(default=None, max_length=500, description="What the resident said.")
    lang: Literal["zh", "en"] | None = None


class AlertOut(ResponseBody):
    id: int
    kind: Literal["emergency", "handoff"]
    status: Literal["open", "acknowledged"]
    device: str = Field(description="Name of the kiosk that raised it.")
    resident: str | None = Field(description="Name of the identified resident, if any.")
    note: str | None
    lang: str | None
    created_at: dt.datetime
    acknowledged_at: dt.datetime | None


class DeviceOut(ResponseBody):
    id: int
    name: str
    role: Literal["kiosk", "staff"]
    revoked: bool = Field(description="True: its token is refused from the next request on.")


class StaffStatusIn(RequestBody):
    status: Literal["completed", "no_show", "cancelled"]
    reason: str | None = Field(default=None, max_length=300, description="Required for cancelled.")


class HealthOut(ResponseBody):
    status: Literal["ok"]
    database: Literal["sqlite", "postgresql"]
    schema_revision: str | None


# --- family proxies -----------------------------------------------------------------------------

Scope = Literal["view", "book", "cancel"]
RowId = Annotated[int, Field(ge=1, le=2_147_483_647)]
"""A database id: a 32-bit positive integer (a larger one could not be stored, so it cannot exist)."""


class ConsentIn(RequestBody):
    """The elder agrees at the kiosk; by default a family member may view, book and cancel."""

    scopes: list[Scope] = Field(default=["view", "book", "cancel"], min_length=1, max_length=3)


class StaffConsentIn(RequestBody):
    """The elder agrees at the desk; staff check who they are by phone and birth year."""

    phone: str = Field(min_length=3, max_length=40, examples=["138 0013 8000"])
    birth_year: int = Field(ge=1900, le=2100, examples=[1948])
    scopes: list[Scope] = Field(default=["view", "book", "cancel"], min_length=1, max_length=3)
    proxy_until: dt.date | None = Field(default=None, description="Last local day of the permission.")


class ConsentOut(ResponseBody):
    consent_id: int
    code: str | None = Field(
        description="Six digits to read out digit by digit; only in the answer that made the code.",
        examples=["482913"],
    )
    expires_at: dt.datetime
    extensions_left: int
    scopes: list[Scope] | None = None
    proxy_until: dt.datetime | None = None


class ProxyOut(ResponseBody):
    id: int
    name: str = Field(description="How the family member asked to be named, e.g. 女儿小红.")
    phone_tail: str = Field(description="Last four digits of their phone, to tell two relatives apart.")
    scopes: list[Scope]
    valid_until: dt.datetime | None
    created_at: dt.datetime
    revoked_at: dt.datetime | None


class StaffProxyOut(ProxyOut):
    resident: str = Field(description="The elder's name.")


class RevokeIn(RequestBody):
    reason: str | None = Field(default=None, max_length=200)


class StaffRevokeIn(RequestBody):
    reason: str = Field(min_length=1, max_length=200)


class ProxyNewsOut(ResponseBody):
    id: int
    action: Literal["booked", "cancelled"]
    proxy_name: str
    phone_tail: str
    code: str
    service_id: str
    date: dt.date
    time: LocalTime
    at: dt.datetime


class NewsToldIn(RequestBody):
    ids: list[RowId] = Field(min_length=1, max_length=100)
