"""Copy the catalogue's services and hotlines into the database the server answers from.

The catalogue (staff-edited YAML) is the source; the database copy lets appointments
and progress records refer to services by id, with foreign keys. Importing again
updates what changed and adds what is new; nothing is deleted, because past
appointments still point at a service that staff may since have removed.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, insert, select, update

from intents import Catalogue
from intents.catalogue import OpeningHours
from server.booking.slot_calendar import hours_json
from server.db.models import BookableService, Hotline, Service

SERVICE = Service.__table__
BOOKABLE = BookableService.__table__
HOTLINE = Hotline.__table__


def opening_hours_json(hours: OpeningHours) -> dict[str, Any]:
    return hours_json(hours.weekdays, [(p.start, p.end) for p in hours.periods])


def import_catalogue(conn: Connection, catalogue: Catalogue) -> None:
    """Insert or update every service, bookable rule and hotline of the catalogue."""
    known_services = set(conn.scalars(select(SERVICE.c.id)))
    known_rules = set(conn.scalars(select(BOOKABLE.c.service_id)))
    for position, service in enumerate(catalogue.services):
        hours = opening_hours_json(service.hours)
        values = {
            "position": position,
            "names": {lang: list(names) for lang, names in service.names.items()},
            "location": dict(service.location),
            "hours": hours,
            "documents": {lang: list(docs) for lang, docs in service.documents.items()},
            "description": dict(service.description),
            "bookable": service.bookable,
        }
        if service.id in known_services:
            conn.execute(update(SERVICE).where(SERVICE.c.id == service.id).values(values))
        else:
            conn.execute(insert(SERVICE).values(id=service.id, **values))
        if not service.bookable:
            continue
        rule = {"hours": hours, "slot_minutes": service.slot_minutes, "capacity": service.capacity}
        if service.id in known_rules:
            # Applies to slots generated from now on; existing slots keep their capacity.
            conn.execute(update(BOOKABLE).where(BOOKABLE.c.service_id == service.id).values(rule))
        else:
            conn.execute(insert(BOOKABLE).values(service_id=service.id, **rule))

    known_hotlines = set(conn.scalars(select(HOTLINE.c.id)))
    for position, hotline in enumerate(catalogue.hotlines):
        values = {
            "position": position,
            "names": {lang: list(names) for lang, names in hotline.names.items()},
            "number": hotline.number,
            "description": dict(hotline.description),
        }
        if hotline.id in known_hotlines:
            conn.execute(update(HOTLINE).where(HOTLINE.c.id == hotline.id).values(values))
        else:
            conn.execute(insert(HOTLINE).values(id=hotline.id, **values))
