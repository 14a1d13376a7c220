"""A service or hotline of the kiosk's own catalogue, as the server would describe it.

When the server cannot be reached, where a service is and which number to call must still be
answered: the last synced catalogue holds the same facts, so the kiosk reads them in the
server's own shape (`protocol.bodies`) and the dialogue has one kind of answer to speak.
"""

from __future__ import annotations

from intents import Hotline, Service
from intents.catalogue import OpeningHours
from protocol.bodies import BookingRulesOut, HotlineOut, OpeningHoursOut, ServiceOut


def opening_hours(hours: OpeningHours) -> OpeningHoursOut:
    return OpeningHoursOut(weekdays=list(hours.weekdays), periods=[(p.start, p.end) for p in hours.periods])


def service_body(service: Service) -> ServiceOut:
    hours = opening_hours(service.hours)
    booking = BookingRulesOut(slot_minutes=service.slot_minutes, capacity=service.capacity, hours=hours)
    return ServiceOut(
        id=service.id,
        names={lang: list(names) for lang, names in service.names.items()},
        location=dict(service.location),
        hours=hours,
        documents={lang: list(docs) for lang, docs in service.documents.items()},
        description=dict(service.description),
        bookable=service.bookable,
        booking=booking if service.bookable else None,
    )


def hotline_body(hotline: Hotline) -> HotlineOut:
    return HotlineOut(
        id=hotline.id,
        names={lang: list(names) for lang, names in hotline.names.items()},
        number=hotline.number,
        description=dict(hotline.description),
    )
