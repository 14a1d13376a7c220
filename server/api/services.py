"""Services (from the catalogue) and their bookable slots."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query
from sqlalchemy import Connection, Select, select

from protocol.bodies import FIRST_DATE, LAST_DATE, BookingRulesOut, DaySlotsOut, FreeDaysOut, ServiceOut
from server.api.views import hours_view, slot_view
from server.booking.centre_time import local_today, utc_now
from server.booking.slot_calendar import closed_reason, day_slot_rows
from server.db.database import Database
from server.db.models import BookableService, Service, TimeSlot
from server.db.rows import AnyRow
from server.deps import KioskDep
from server.errors import ServiceNotBookable, ServiceNotFound, error_responses

router = APIRouter(prefix="/services", tags=["services"], responses=error_responses(401))

SERVICE = Service.__table__
BOOKABLE = BookableService.__table__
SLOT = TimeSlot.__table__
MAX_FREE_DAYS = 62
"""A date picker shows two weeks; two months is the most any screen asks for."""


def _service_query() -> Select[Any]:
    return (
        select(SERVICE, BOOKABLE.c.hours.label("booking_hours"), BOOKABLE.c.slot_minutes, BOOKABLE.c.capacity)
        .select_from(SERVICE.outerjoin(BOOKABLE, BOOKABLE.c.service_id == SERVICE.c.id))
        .order_by(SERVICE.c.position, SERVICE.c.id)
    )


def _service_view(row: AnyRow) -> ServiceOut:
    booking = None
    if row.bookable and row.slot_minutes is not None:
        booking = BookingRulesOut(
            slot_minutes=row.slot_minutes, capacity=row.capacity, hours=hours_view(row.booking_hours)
        )
    return ServiceOut(
        id=row.id,
        names=row.names,
        location=row.location,
        hours=hours_view(row.hours),
        documents=row.documents,
        description=row.description,
        bookable=row.bookable,
        booking=booking,
    )


@router.get("", response_model=list[ServiceOut])
async def list_services(ctx: KioskDep) -> list[ServiceOut]:
    """All services in catalogue order, every language."""
    return await ctx.db.run(_services, ctx.db)


@router.get("/{service_id}", response_model=ServiceOut, responses=error_responses(404))
async def get_service(service_id: str, ctx: KioskDep) -> ServiceOut:
    found = await ctx.db.run(_services, ctx.db, service_id)
    if not found:
        raise ServiceNotFound(f"no service with id {service_id!r}")
    return found[0]


@router.get("/{service_id}/slots", response_model=DaySlotsOut, responses=error_responses(404, 409))
async def day_slots(
    service_id: str,
    ctx: KioskDep,
    date: Annotated[dt.date | None, Query(description="Local date; default today.")] = None,
    only_free: Annotated[bool, Query(description="Leave out full, closed and past slots.")] = False,
) -> DaySlotsOut:
    """One day's slots of a bookable service, to offer times ("上午还有九点半和十点")."""
    day = date or local_today(ctx.settings.timezone)
    found = await ctx.db.run(_day_slots, ctx.db, service_id, day, ctx.settings.timezone)
    if only_free:
        found.slots = [slot for slot in found.slots if slot.state == "free"]
    return found


@router.get("/{service_id}/free-days", response_model=FreeDaysOut, responses=error_responses(404, 409))
async def free_days(
    service_id: str,
    ctx: KioskDep,
    start: Annotated[
        dt.date | None, Query(alias="from", ge=FIRST_DATE, le=LAST_DATE, description="First local date; default today.")
    ] = None,
    days: Annotated[int, Query(ge=1, le=MAX_FREE_DAYS, description="How many days to look at.")] = 14,
) -> FreeDaysOut:
    """The days that still have a free slot, in one request (the screen's date picker)."""
    first = start or local_today(ctx.settings.timezone)
    return await ctx.db.run(_free_days, ctx.db, service_id, first, first + dt.timedelta(days=days - 1))


def _free_days(db: Database, service_id: str, first: dt.date, last: dt.date) -> FreeDaysOut:
    with db.read() as conn:
        _check_bookable(conn, service_id)
        found = conn.scalars(
            select(SLOT.c.day).distinct()
            .where(SLOT.c.service_id == service_id, SLOT.c.day.between(first, last), SLOT.c.closed.is_(False),
                   SLOT.c.starts_at > utc_now(), SLOT.c.booked < SLOT.c.capacity)
            .order_by(SLOT.c.day)
        ).all()  # fmt: skip
    return FreeDaysOut(service_id=service_id, days=list(found))


def _check_bookable(conn: Connection, service_id: str) -> None:
    bookable = conn.scalar(select(SERVICE.c.bookable).where(SERVICE.c.id == service_id))
    if bookable is None:
        raise ServiceNotFound(f"no service with id {service_id!r}")
    if not bookable:
        raise ServiceNotBookable(f"service {service_id!r} takes no appointments")


def _services(db: Database, service_id: str | None = None) -> list[ServiceOut]:
    query = _service_query()
    if service_id is not None:
        query = query.where(SERVICE.c.id == service_id)
    with db.read() as conn:
        return [_service_view(row) for row in conn.execute(query)]


def _day_slots(db: Database, service_id: str, day: dt.date, zone: ZoneInfo) -> DaySlotsOut:
    now = utc_now()
    with db.read() as conn:
        _check_bookable(conn, service_id)
        rows = day_slot_rows(conn, service_id, day)
        reason = closed_reason(conn, service_id, day)
    return DaySlotsOut(
        service_id=service_id, date=day, closed=reason, slots=[slot_view(row, zone, now) for row in rows]
    )
