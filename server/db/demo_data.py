"""`kiosk serve --demo`: fill an empty database with the demo centre.

Services and hotlines come from the catalogue; devices, residents, notices, closed
days and progress records from `server/data/demo_centre.yaml` (bilingual text belongs
in data files). On a database that already has data, only the catalogue copy is
refreshed and slots are extended to a month from today, so an old demo stays usable
without overwriting anything staff or testers did.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from importlib import resources
from typing import Any

import yaml
from sqlalchemy import Connection, func, insert, select

from intents import Catalogue
from server.booking.centre_time import local_moment, local_today, utc_now
from server.booking.slot_calendar import close_day, generate_slots
from server.catalogue.importer import import_catalogue
from server.db.database import Database
from server.db.models import BookableService, Device, Notice, ProgressEvent, ProgressRecord, Service
from server.errors import SettingsError
from server.identity.devices import add_device
from server.privacy.personal_data import enrol_resident
from server.privacy.phone_numbers import normalise_phone
from server.settings import ServerSettings

DEVICE = Device.__table__
BOOKABLE = BookableService.__table__
SERVICE = Service.__table__


@dataclass
class DemoReport:
    """What `kiosk serve --demo` tells the person starting it."""

    seeded: bool
    """True: the database was empty and got the whole demo; False: only refreshed."""
    services: int = 0
    hotlines: int = 0
    slots_added: int = 0
    devices: list[dict[str, str]] = field(default_factory=list)
    residents: list[dict[str, Any]] = field(default_factory=list)
    progress_codes: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        if not self.seeded:
            return [
                f"demo: database already has data; refreshed {self.services} services and "
                f"{self.hotlines} hotlines from the catalogue, added {self.slots_added} slots "
                "(demo tokens and residents: see docs/server.md)"
            ]
        out = [
            f"demo: seeded {self.services} services, {self.hotlines} hotlines, {self.slots_added} slots",
        ]
        out += [f"demo {d['role']} token: {d['token']}  ({d['name']})" for d in self.devices]
        out += [f"demo resident: {r['name']}  phone {r['phone']}  birth year {r['birth_year']}" for r in self.residents]
        out.append(f"demo progress codes: {', '.join(self.progress_codes)}")
        return out


def load_demo_centre() -> dict[str, Any]:
    text = (resources.files("server") / "data" / "demo_centre.yaml").read_text(encoding="utf-8")
    centre: dict[str, Any] = yaml.safe_load(text)
    return centre


def seed_demo(db: Database, settings: ServerSettings, catalogue: Catalogue) -> DemoReport:
    centre = load_demo_centre()
    zone = settings.timezone
    today = local_today(zone)
    with db.write() as conn:
        empty = conn.scalar(select(func.count()).select_from(DEVICE)) == 0
        import_catalogue(conn, catalogue, details_from="catalogue")
        report = DemoReport(seeded=empty, services=len(catalogue.services), hotlines=len(catalogue.hotlines))
        if empty:
            _seed_records(conn, settings, centre, today, report)
        last = today + timedelta(days=int(centre["slot_days"]) - 1)
        for service_id in conn.scalars(select(BOOKABLE.c.service_id).order_by(BOOKABLE.c.service_id)):
            report.slots_added += generate_slots(conn, service_id, today, last, zone)
    return report


def _seed_records(
    conn: Connection, settings: ServerSettings, centre: dict[str, Any], today: date, report: DemoReport
) -> None:
    zone = settings.timezone
    now = utc_now()
    for device in centre["devices"]:
        token = add_device(conn, device["name"], device["role"], device["token"])
        report.devices.append({"name": device["name"], "role": device["role"], "token": token})

    resident_ids: dict[tuple[str, int], int] = {}
    for resident in centre["residents"]:
        phone = normalise_phone(str(resident["phone"]))
        resident_ids[(phone, resident["birth_year"])] = enrol_resident(
            conn, settings.data_keys, settings.phone_key,
            name=resident["name"], phone=phone, birth_year=resident["birth_year"], now=now,
        )  # fmt: skip
        report.residents.append({"name": resident["name"], "phone": phone, "birth_year": resident["birth_year"]})

    for closed in centre["closed_days"]:
        day = today + timedelta(days=int(closed["in_days"]))
        while day.weekday() >= 5:
            day += timedelta(days=1)
        close_day(conn, day, closed["reason"])

    def midnight(days: int) -> datetime:
        return local_moment(today + timedelta(days=days), time(0, 0), zone)

    for notice in centre["notices"]:
        conn.execute(
            insert(Notice.__table__).values(
                kind=notice["kind"],
                title=notice["title"],
                body=notice["body"],
                valid_from=midnight(int(notice["from_days"])),
                valid_to=midnight(int(notice["to_days"])),
                pinned=bool(notice["pinned"]),
                created_at=now,
            )
        )

    known_services = set(conn.scalars(select(SERVICE.c.id)))
    phones = {phone: rid for (phone, _year), rid in resident_ids.items()}
    for record in centre["progress"]:
        if record["service"] not in known_services:
            raise SettingsError(
                f"demo progress record {record['code']} names service {record['service']!r}, "
                "which the catalogue does not have; edit server/data/demo_centre.yaml"
            )
        history = record["history"]
        created = midnight(-int(history[0]["days_ago"])) + timedelta(hours=10)
        updated = midnight(-int(history[-1]["days_ago"])) + timedelta(hours=10)
        record_id = conn.execute(
            insert(ProgressRecord.__table__)
            .values(
                code=record["code"],
                service_id=record["service"],
                resident_id=phones.get(normalise_phone(str(record["resident_phone"]))),
                status=history[-1]["status"],
                created_at=created,
                updated_at=updated,
            )
            .returning(ProgressRecord.__table__.c.id)
        ).scalar_one()
        conn.execute(
            insert(ProgressEvent.__table__),
            [
                {
                    "record_id": record_id,
                    "status": step["status"],
                    "note": step["note"],
                    "at": midnight(-int(step["days_ago"])) + timedelta(hours=10),
                }
                for step in history
            ],
        )
        report.progress_codes.append(record["code"])
