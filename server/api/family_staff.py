"""The staff desk's side of family proxies: record an elder's consent, see and revoke proxies.

Staff check the elder in person and find their record by phone and birth year (the same
two facts as at the kiosk). Every read of names here is an audited read of personal data.
"""

from __future__ import annotations

from datetime import time, timedelta

from fastapi import APIRouter, status
from sqlalchemy import Connection, select

from protocol.bodies import ConsentOut, StaffConsentIn, StaffProxyOut, StaffRevokeIn
from protocol.error_codes import ErrorCode
from server.api.family import proxy_out
from server.booking.centre_time import local_moment, utc_now
from server.db.models import Resident
from server.deps import RowIdPath, StaffDep
from server.errors import IdentificationAmbiguous, NotFound, error_responses
from server.family.consents import issue_consent
from server.family.proxies import ProxyView, proxies_of, revoke_proxy
from server.privacy.audit_log import record
from server.privacy.personal_data import resident_name
from server.privacy.phone_numbers import InvalidPhone, phone_lookup_hash
from server.settings import ServerSettings

router = APIRouter(prefix="/staff/family", tags=["staff-family"], responses=error_responses(401, 403, 422))

RESIDENT = Resident.__table__


class ResidentNotFound(NotFound):
    code = ErrorCode.RESIDENT_NOT_FOUND


def _staff_proxy_out(view: ProxyView, names: dict[int, str], settings: ServerSettings) -> StaffProxyOut:
    return StaffProxyOut(**proxy_out(view, settings).model_dump(), resident=names[view.resident_id])


@router.post(
    "/consents", response_model=ConsentOut, status_code=status.HTTP_201_CREATED, responses=error_responses(404, 409)
)
async def record_consent(body: StaffConsentIn, ctx: StaffDep) -> ConsentOut:
    """The elder agreed at the desk: a code for the family member, with the scopes and end
    date the elder chose."""
    settings = ctx.settings

    def work() -> ConsentOut:
        try:
            lookup = phone_lookup_hash(body.phone, settings.phone_key)
        except InvalidPhone:
            raise ResidentNotFound("no resident with this phone number and birth year") from None
        now = utc_now()
        until = None
        if body.proxy_until is not None:
            until = local_moment(body.proxy_until + timedelta(days=1), time(0), settings.timezone)
        with ctx.db.write() as conn:
            matches = conn.scalars(
                select(RESIDENT.c.id).where(RESIDENT.c.phone_hash == lookup, RESIDENT.c.birth_year == body.birth_year)
            ).all()
            if not matches:
                raise ResidentNotFound("no resident with this phone number and birth year")
            if len(matches) > 1:
                raise IdentificationAmbiguous("several residents share this phone number and birth year")
            issued = issue_consent(
                conn,
                settings.phone_key,
                resident_id=matches[0],
                granted_by=f"device:{ctx.device.id}",
                scopes=tuple(body.scopes),
                proxy_until=until,
                now=now,
            )
        return ConsentOut(
            consent_id=issued.consent_id,
            code=issued.code,
            expires_at=issued.expires_at.astimezone(settings.timezone),
            extensions_left=issued.extensions_left,
            scopes=list(issued.scopes),
            proxy_until=until.astimezone(settings.timezone) if until else None,
        )

    return await ctx.db.run(work)


@router.get("/proxies", response_model=list[StaffProxyOut])
async def list_proxies(ctx: StaffDep) -> list[StaffProxyOut]:
    """Every family member who may act for an elder now, newest first."""
    settings = ctx.settings

    def work() -> list[StaffProxyOut]:
        with ctx.db.write() as conn:
            views = proxies_of(conn, settings.data_keys, None)
            names = _resident_names(conn, settings, {v.resident_id for v in views})
            record(conn, actor=f"device:{ctx.device.id}", action="proxy.list", subject="proxies",
                   detail={"residents": sorted(names)})  # fmt: skip
        return [_staff_proxy_out(v, names, settings) for v in views]

    return await ctx.db.run(work)


@router.post("/proxies/{proxy_id}/revoke", response_model=StaffProxyOut, responses=error_responses(404))
async def revoke(proxy_id: RowIdPath, body: StaffRevokeIn, ctx: StaffDep) -> StaffProxyOut:
    """Take a permission back at once (e.g. the elder asked at the desk, or misuse)."""
    settings = ctx.settings

    def work() -> StaffProxyOut:
        with ctx.db.write() as conn:
            view = revoke_proxy(
                conn, settings.data_keys, proxy_id=proxy_id, resident_id=None,
                actor=f"device:{ctx.device.id}", reason=body.reason,
            )  # fmt: skip
            names = _resident_names(conn, settings, {view.resident_id})
        return _staff_proxy_out(view, names, settings)

    return await ctx.db.run(work)


def _resident_names(conn: Connection, settings: ServerSettings, ids: set[int]) -> dict[int, str]:
    rows = conn.execute(select(RESIDENT.c.id, RESIDENT.c.name).where(RESIDENT.c.id.in_(ids))).all() if ids else []
    return {row.id: resident_name(settings.data_keys, row.id, row.name) for row in rows}
