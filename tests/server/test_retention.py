"""`kiosk retention run`: old personal data goes, the counts stay, recent data is untouched."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta

from family_harness import book_on_page, family_page, grant, link
from server_harness import Centre, book
from sqlalchemy import func, insert, select, update

from server.booking.slot_calendar import generate_slots
from server.db.models import Alert, Appointment, AuditEvent, Proxy, ProxyAction, ResidentSession, TimeSlot
from server.privacy.retention import REMOVED_REASON

APPOINTMENT = Appointment.__table__
SLOT = TimeSlot.__table__
ALERT = Alert.__table__
PROXY = Proxy.__table__
ACTION = ProxyAction.__table__
SESSION = ResidentSession.__table__
AUDIT = AuditEvent.__table__


def retention(centre: Centre, database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
    return subprocess.run(
        [sys.executable, "-m", "kiosk.cli", "retention", "run", *args,
         "--data-dir", str(centre.server.settings.data_dir), "--db", database_url],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip


def counts(centre: Centre, service: str) -> list[tuple]:
    with centre.server.database.read() as conn:
        return conn.execute(
            select(SLOT.c.day, APPOINTMENT.c.status, APPOINTMENT.c.cancelled_by, func.count())
            .join_from(APPOINTMENT, SLOT, SLOT.c.id == APPOINTMENT.c.slot_id)
            .where(SLOT.c.service_id == service)
            .group_by(SLOT.c.day, APPOINTMENT.c.status, APPOINTMENT.c.cancelled_by)
            .order_by(SLOT.c.day, APPOINTMENT.c.status)
        ).all()


def test_old_personal_data_is_removed_and_every_count_kept(centre: Centre, database_url: str) -> None:
    service = centre.service(capacity=5)
    kiosk = centre.kiosk()
    elder = centre.resident()
    session = centre.identify(kiosk, elder)
    consent = grant(kiosk, session)
    phone = family_page(centre.server)
    assert link(phone, consent["code"], "18811112222", name="老邻居的女儿").status_code == 303
    recent = book_on_page(phone, service, centre.day(1), "09:00").headers["location"].split("booked=")[1]
    own = book(kiosk, session, service, centre.day(2), "10:00").json()["code"]

    db = centre.server.database
    long_ago = datetime.now(UTC) - timedelta(days=40)
    with db.write() as conn:  # forty days ago: four visits, a revoked relative, an alert
        generate_slots(conn, service, centre.day(-41), centre.day(-39), centre.zone)
        slots = conn.scalars(select(SLOT.c.id).where(SLOT.c.service_id == service, SLOT.c.day == centre.day(-40))).all()
        for n, (status, reason, by) in enumerate(
            [("completed", None, None), ("no_show", None, None), ("cancelled", "我孙子结婚", "resident"),
             ("cancelled", "家里有事", "proxy")]
        ):  # fmt: skip
            conn.execute(
                insert(APPOINTMENT).values(
                    code=f"Y9{n}{elder.id % 1000:03d}"[:7], resident_id=elder.id, slot_id=slots[n], status=status,
                    cancel_reason=reason, cancelled_by=by, created_at=long_ago, status_changed_at=long_ago,
                    idempotency_key=f"old-key-{elder.id}-{n}", request_hash="x" * 64,
                )
            )  # fmt: skip
        proxy_id = conn.scalar(select(PROXY.c.id).where(PROXY.c.resident_id == elder.id))
        old_id = conn.scalar(select(APPOINTMENT.c.id).where(APPOINTMENT.c.slot_id == slots[3]))
        conn.execute(insert(ACTION).values(proxy_id=proxy_id, resident_id=elder.id, appointment_id=old_id,
                                           action="cancelled", at=long_ago, told_at=long_ago))  # fmt: skip
        device_id = conn.scalar(select(SESSION.c.device_id).where(SESSION.c.resident_id == elder.id))
        alert_id = conn.execute(
            insert(ALERT).values(kind="emergency", device_id=device_id, resident_id=elder.id, note="我胸口疼得厉害",
                                 lang="zh", status="acknowledged", created_at=long_ago).returning(ALERT.c.id)
        ).scalar_one()  # fmt: skip
        conn.execute(
            insert(SESSION).values(token_hash=f"{elder.id:064d}", device_id=device_id, resident_id=elder.id,
                                   created_at=long_ago, expires_at=long_ago + timedelta(minutes=10))
        )  # fmt: skip
    before = counts(centre, service)

    assert retention(centre, database_url, "--older-than", "0").returncode == 2  # would remove live data
    ran = retention(centre, database_url, "--older-than", "30")
    assert ran.returncode == 0, ran.stderr
    assert "appointments anonymised: 4" in ran.stdout

    assert counts(centre, service) == before
    with db.read() as conn:
        old = conn.execute(select(APPOINTMENT).where(APPOINTMENT.c.slot_id.in_(slots))).all()
        assert {(r.resident_id, r.idempotency_key, r.request_hash) for r in old} == {(None, None, None)}
        assert sorted(r.cancel_reason or "" for r in old) == ["", "", REMOVED_REASON, REMOVED_REASON]
        alert = conn.execute(select(ALERT).where(ALERT.c.id == alert_id)).one()
        assert (alert.note, alert.resident_id, alert.kind) == (None, None, "emergency")
        assert conn.scalar(select(func.count()).select_from(ACTION).where(ACTION.c.appointment_id == old_id)) == 0
        old_sessions = (
            select(func.count())
            .select_from(SESSION)
            .where(SESSION.c.resident_id == elder.id, SESSION.c.expires_at < long_ago + timedelta(days=1))
        )
        assert conn.scalar(old_sessions) == 0
        audit = conn.execute(select(AUDIT).where(AUDIT.c.action == "retention.run")).all()
        assert audit and audit[-1].actor == "system" and audit[-1].detail["appointments_anonymised"] == 4
    # What is recent is untouched: the elder's and the relative's bookings, the relative's permission.
    assert sorted(a["code"] for a in kiosk.get("/api/v1/appointments", headers=session).json()) == sorted([recent, own])
    assert phone.get("/family").status_code == 200


def test_a_relative_whose_permission_ended_long_ago_is_forgotten(centre: Centre, database_url: str) -> None:
    kiosk = centre.kiosk()
    elder = centre.resident()
    session = centre.identify(kiosk, elder)
    assert link(family_page(centre.server), grant(kiosk, session)["code"], "18822223333").status_code == 303
    proxy_id = kiosk.get("/api/v1/family/proxies", headers=session).json()[0]["id"]
    kiosk.post(f"/api/v1/family/proxies/{proxy_id}/revoke", headers=session)
    with centre.server.database.write() as conn:
        conn.execute(
            update(PROXY).where(PROXY.c.id == proxy_id).values(revoked_at=datetime.now(UTC) - timedelta(days=100))
        )
    assert retention(centre, database_url, "--older-than", "90").returncode == 0
    with centre.server.database.read() as conn:
        assert conn.scalar(select(PROXY.c.id).where(PROXY.c.id == proxy_id)) is None
