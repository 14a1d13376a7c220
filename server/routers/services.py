"""Services (from the catalogue) and their bookable slots."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query
from sqlalchemy import Row, Select, select

from ..api_views import hours_view, slot_view
from ..centre_time import local_today, utc_now
from ..deps import DatabaseDep, DeviceDep, SettingsDep
from ..errors import ServiceNotBookable, ServiceNotFound
from ..models import BookableService, Service, TimeSlot
from ..schemas import BookingRulesOut, DaySlotsOut, ServiceOut, error_responses
from ..slot_calendar import closed_reason

router = APIRouter(prefix="/services", tags=["services"], responses=error_responses(401))

SERVICE = Service.__table__
BOOKABLE = BookableService.__table__
SLOT = TimeSlot.__table__


def _service_query() -> Select[Any]:
    return (
        select(SERVICE, BOOKABLE.c.hours.label("booking_hours"), BOOKABLE.c.slot_minutes, BOOKABLE.c.capacity)
        .select_from(SERVICE.outerjoin(BOOKABLE, BOOKABLE.c.service_id == SERVICE.c.id))
        .order_by(SERVICE.c.position, SERVICE.c.id)
    )


def _service_view(row: Row[Any]) -> ServiceOut:
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
def list_services(db: DatabaseDep, _device: DeviceDep) -> list[ServiceOut]:
    """All services in catalogue order, every language."""
    with db.read() as conn:
        return [_service_view(row) for row in conn.execute(_service_query())]


@router.get("/{service_id}", response_model=ServiceOut, responses=error_responses(404))
def get_service(service_id: str, db: DatabaseDep, _device: DeviceDep) -> ServiceOut:
    with db.read() as conn:
        row = conn.execute(_service_query().where(SERVICE.c.id == service_id)).first()
    if row is None:
        raise ServiceNotFound(f"no service with id {service_id!r}")
    return _service_view(row)


@router.get("/{service_id}/slots", response_model=DaySlotsOut, responses=error_responses(404, 409))
def day_slots(
    service_id: str,
    db: DatabaseDep,
    settings: SettingsDep,
    _device: DeviceDep,
    date: Annotated[dt.date | None, Query(description="Local date; default today.")] = None,
    only_free: Annotated[bool, Query(description="Leave out full, closed and past slots.")] = False,
) -> DaySlotsOut:
    """One day's slots of a bookable service, to offer times ("上午还有九点半和十点")."""
    day = date or local_today(settings.timezone)
    now = utc_now()
    with db.read() as conn:
        bookable = conn.scalar(select(SERVICE.c.bookable).where(SERVICE.c.id == service_id))
        if bookable is None:
            raise ServiceNotFound(f"no service with id {service_id!r}")
        if not bookable:
            raise ServiceNotBookable(f"service {service_id!r} takes no appointments")
        rows = conn.execute(
            select(
                SLOT.c.id, SLOT.c.service_id, SLOT.c.day, SLOT.c.starts_at, SLOT.c.ends_at,
                SLOT.c.capacity, SLOT.c.booked, SLOT.c.closed,
            )
            .where(SLOT.c.service_id == service_id, SLOT.c.day == day)
            .order_by(SLOT.c.starts_at)
        ).all()
        reason = closed_reason(conn, service_id, day)
    slots = [slot_view(row, settings.timezone, now) for row in rows]
    if only_free:
        slots = [slot for slot in slots if slot.state == "free"]
    return DaySlotsOut(service_id=service_id, date=day, closed=reason, slots=slots)
