"""Copy the catalogue's services and hotlines into the database the server answers from.

The catalogue (staff-edited YAML) is the source of what the kiosk understands; the
database copy lets appointments and progress records refer to services by id, with
foreign keys. Importing again updates what changed and adds what is new; nothing is
deleted, because past appointments still point at a service that staff may since have
removed.

Who owns a known entry's details (location, hours, documents, description, booking
rules, hotline numbers) depends on the caller, so the one importer takes `details_from`:

- "catalogue": the file wins (seeding the demo centre from its catalogue);
- "database": the content pages own them and only names and order come from the file
  (publishing or rolling back a catalogue version; see versions.py).

New entries are inserted whole either way.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, insert, select, update

from intents import Catalogue
from intents.catalogue import OpeningHours
from server.booking.centre_time import local_today
from server.booking.slot_calendar import generate_slots, hours_json
from server.db.models import BookableService, Hotline, Service

SERVICE = Service.__table__
BOOKABLE = BookableService.__table__
HOTLINE = Hotline.__table__

NEW_SERVICE_SLOT_DAYS = 30
"""A service that becomes bookable by publishing gets slots this far ahead."""


def opening_hours_json(hours: OpeningHours) -> dict[str, Any]:
    return hours_json(hours.weekdays, [(p.start, p.end) for p in hours.periods])


def import_catalogue(
    conn: Connection,
    catalogue: Catalogue,
    *,
    details_from: Literal["catalogue", "database"],
    slots_zone: ZoneInfo | None = None,
) -> list[str]:
    """Insert every new service, bookable rule and hotline; update known ones (see the module docstring).

    With `slots_zone`, a new bookable service gets its slots for the next
    NEW_SERVICE_SLOT_DAYS days of the centre's calendar. Returns the ids inserted, as
    "service:ID" and "hotline:ID".
    """
    added: list[str] = []
    overwrite = details_from == "catalogue"
    known_services = set(conn.scalars(select(SERVICE.c.id)))
    known_rules = set(conn.scalars(select(BOOKABLE.c.service_id)))
    for position, service in enumerate(catalogue.services):
        names = {lang: list(n) for lang, n in service.names.items()}
        hours = opening_hours_json(service.hours)
        details = {
            "location": dict(service.location),
            "hours": hours,
            "documents": {lang: list(docs) for lang, docs in service.documents.items()},
            "description": dict(service.description),
            "bookable": service.bookable,
        }
        if service.id in known_services:
            values = {"position": position, "names": names, **(details if overwrite else {})}
            conn.execute(update(SERVICE).where(SERVICE.c.id == service.id).values(values))
            if not overwrite:
                continue
        else:
            conn.execute(insert(SERVICE).values(id=service.id, position=position, names=names, **details))
            added.append(f"service:{service.id}")
        if not service.bookable:
            continue
        rule = {"hours": hours, "slot_minutes": service.slot_minutes, "capacity": service.capacity}
        if service.id in known_rules:
            # Applies to slots generated from now on; existing slots keep their capacity.
            conn.execute(update(BOOKABLE).where(BOOKABLE.c.service_id == service.id).values(rule))
            continue
        conn.execute(insert(BOOKABLE).values(service_id=service.id, **rule))
        if slots_zone is not None and service.id not in known_services:
            today = local_today(slots_zone)
            generate_slots(conn, service.id, today, today + timedelta(days=NEW_SERVICE_SLOT_DAYS - 1), slots_zone)

    known_hotlines = set(conn.scalars(select(HOTLINE.c.id)))
    for position, hotline in enumerate(catalogue.hotlines):
        names = {lang: list(n) for lang, n in hotline.names.items()}
        details = {"number": hotline.number, "description": dict(hotline.description)}
        if hotline.id in known_hotlines:
            values = {"position": position, "names": names, **(details if overwrite else {})}
            conn.execute(update(HOTLINE).where(HOTLINE.c.id == hotline.id).values(values))
        else:
            conn.execute(insert(HOTLINE).values(id=hotline.id, position=position, names=names, **details))
            added.append(f"hotline:{hotline.id}")
    return added
