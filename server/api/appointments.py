"""The identified resident's appointments: list, book, look up, cancel.

Every route acts for the resident of the `X-Resident-Session` token only; a code that
belongs to someone else answers 404 exactly like a code that does not exist.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status
from pydantic import TypeAdapter
from sqlalchemy import Connection

from protocol.bodies import AppointmentOut, BookingIn, CancelIn, SlotRefusalBody
from server.api.views import appointment_view
from server.booking.bookings import APPOINTMENT, SLOT, BookingRequest, BookingResult, appointment_query, book, cancel
from server.booking.centre_time import utc_now
from server.deps import IdempotencyKeyDep, ResidentContext, ResidentDep
from server.errors import AppointmentNotFound, error_responses
from server.privacy.audit_log import record

router = APIRouter(prefix="/appointments", tags=["appointments"], responses=error_responses(401))

CODE = Path(pattern="^[A-Za-z][0-9]{4,6}$", examples=["M4827"])

DEFAULT_CANCEL_REASON = "cancelled by the resident at a kiosk"

APPOINTMENT_JSON = TypeAdapter(AppointmentOut)


@router.get("", response_model=list[AppointmentOut])
async def list_appointments(
    ctx: ResidentDep,
    include_past: Annotated[bool, Query(description="Also past and cancelled ones.")] = False,
) -> list[AppointmentOut]:
    """Upcoming booked appointments, soonest first ("您预约了明天上午九点的体检")."""
    return await ctx.db.run_write(_appointments, ctx, include_past=include_past)


@router.post(
    "",
    response_model=AppointmentOut,
    status_code=status.HTTP_201_CREATED,
    responses={
        200: {"model": AppointmentOut, "description": "A retry: the booking this key already made."},
        409: {
            "model": SlotRefusalBody,
            "description": "slot_full / slot_past / slot_closed / no_such_slot (with alternatives), "
            "already_booked, service_not_bookable, idempotency_conflict",
        },
        **error_responses(404, 422),
    },
)
async def book_appointment(
    body: BookingIn,
    idempotency_key: IdempotencyKeyDep,
    ctx: ResidentDep,
) -> Response:
    """Book the slot of a service starting at a local date and time.

    Refusals because of the slot carry `alternatives`: the nearest free slots, same day
    first. A retry with the same `Idempotency-Key` answers 200 with the same appointment.
    """
    request = BookingRequest(
        resident_id=ctx.resident.resident_id,
        service_id=body.service_id,
        day=body.date,
        at=body.time,
        device_id=ctx.device.id,
        idempotency_key=idempotency_key,
    )
    result = await ctx.db.run_write(
        book, ctx.db, ctx.settings.timezone, request, alternatives=ctx.settings.alternatives, also=_audited(ctx, "book")
    )
    return _booking_answer(result)


@router.get("/{code}", response_model=AppointmentOut, responses=error_responses(404))
async def get_appointment(ctx: ResidentDep, code: str = CODE) -> AppointmentOut:
    found = await ctx.db.run_write(_appointments, ctx, code=code.upper())
    if not found:
        raise AppointmentNotFound(f"no appointment {code.upper()} for this resident")
    return found[0]


@router.post("/{code}/cancel", response_model=AppointmentOut, responses=error_responses(404, 409, 422))
async def cancel_appointment(
    ctx: ResidentDep,
    body: CancelIn | None = None,
    code: str = CODE,
) -> AppointmentOut:
    """Cancel and free the seat; the appointment stays on record with its reason.

    Cancelling an already cancelled appointment answers the same (safe to retry).
    """
    reason = (body.reason if body and body.reason else None) or DEFAULT_CANCEL_REASON
    return await ctx.db.run_write(
        cancel, ctx.db, ctx.settings.timezone, code, reason, resident_id=ctx.resident.resident_id, by="resident",
        also=_audited(ctx, "cancel"),
    )  # fmt: skip


def _booking_answer(result: BookingResult) -> Response:
    """The booking as the JSON FastAPI would make of `response_model` (which still documents it).

    Built here because the appointment was made by the server's own code and is valid:
    FastAPI would validate it again before serialising it, a few per cent of a booking's CPU
    (issue #11).
    """
    if result.replayed:
        return Response(APPOINTMENT_JSON.dump_json(result.appointment), status.HTTP_200_OK,
                        {"Idempotent-Replayed": "true"}, media_type="application/json")  # fmt: skip
    return Response(APPOINTMENT_JSON.dump_json(result.appointment), status.HTTP_201_CREATED,
                    media_type="application/json")  # fmt: skip


def _audited(ctx: ResidentContext, verb: str) -> Callable[[Connection, str], None]:
    """The audit record of a booking or cancellation (given the appointment's code), written
    in its transaction."""

    def write(conn: Connection, code: str) -> None:
        record(
            conn,
            actor=f"kiosk:{ctx.device.id}",
            action=f"appointment.{verb}",
            subject=f"appointment:{code}",
            on_behalf_of=f"resident:{ctx.resident.resident_id}",
        )

    return write


def _appointments(ctx: ResidentContext, *, include_past: bool = True, code: str | None = None) -> list[AppointmentOut]:
    """The resident's appointments; reading them is recorded in the audit log."""
    resident = f"resident:{ctx.resident.resident_id}"
    query = appointment_query().where(APPOINTMENT.c.resident_id == ctx.resident.resident_id)
    if code is not None:
        query = query.where(APPOINTMENT.c.code == code)
    if not include_past:
        query = query.where(APPOINTMENT.c.status == "booked", SLOT.c.starts_at > utc_now())
    with ctx.db.write() as conn:
        rows = conn.execute(query.order_by(SLOT.c.starts_at, APPOINTMENT.c.id)).all()
        record(conn, actor=f"kiosk:{ctx.device.id}", action="appointment.list" if code is None else "appointment.read",
               subject=resident if code is None else f"appointment:{code}", on_behalf_of=resident)  # fmt: skip
    return [appointment_view(row, ctx.settings.timezone) for row in rows]
